import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type CalendarLinkKind = 'schedule' | 'user';

/**
 * A secret feed URL for calendar apps, which cannot send a bearer token: `/calendar/<token>.ics`
 * serves one schedule's or one person's shifts. Only the SHA-256 of the token is stored; a
 * new link for the same calendar revokes the previous one (at most one works at a time).
 */
@Entity({ name: 'calendar_links' })
@Check('ck_calendar_links_kind', `kind IN ('schedule', 'user')`)
@Index('uq_calendar_links_active', ['kind', 'target'], { unique: true, where: `revoked_at IS NULL` })
export class CalendarLink {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_calendar_links' })
  id!: string;

  @Column('text')
  kind!: CalendarLinkKind;

  /** The schedule id, or the user's id. */
  @Column('text')
  target!: string;

  @Index('uq_calendar_links_token_hash', { unique: true })
  @Column('text', { name: 'token_hash' })
  tokenHash!: string;

  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
