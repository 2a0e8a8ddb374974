import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Role } from './api-token.entity';

/**
 * A person: signs in to the console with email and password, is paged in Slack, and is the
 * actor of what they do. Disabled users keep their row (the timeline and audit log name them).
 */
@Entity({ name: 'users' })
@Check('ck_users_role', `role IN ('viewer', 'responder', 'admin')`)
export class User {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_users' })
  id!: string;

  /** Stored lower-cased, so sign-in and Slack lookups do not depend on how it was typed. */
  @Index('uq_users_email', { unique: true })
  @Column('text')
  email!: string;

  @Column('text')
  name!: string;

  @Column('text')
  role!: Role;

  /** IANA time zone, for showing times and for schedules. */
  @Column('text', { name: 'time_zone', default: 'UTC' })
  timeZone!: string;

  @Column('text', { name: 'slack_user_id', nullable: true })
  slackUserId!: string | null;

  /** scrypt hash (see password.ts); null for a user who cannot sign in with a password. */
  @Column('text', { name: 'password_hash', nullable: true, select: false })
  passwordHash!: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;
}
