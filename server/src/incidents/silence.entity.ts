import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { LabelMatcher } from '../rules/label-matcher';

/**
 * What a silence is for. A `maintenance` silence is a maintenance window: it names a service
 * (every alert of that service is muted) and no label matchers; it is served at
 * /api/maintenance-windows, a `silence` at /api/silences.
 */
export type SilenceKind = 'silence' | 'maintenance';

/**
 * A silence in Alertmanager's model: label matchers, a start and an end, who made it and why;
 * a maintenance window is a silence with a service matcher. Alerts it matches while active are
 * recorded (and visible) but page nobody. Expiring sets the end to now; silences are never
 * deleted, so a review can see what was muted and by whom.
 *
 * The key is (id, kind): maintenance windows made before the two were one table keep their ids,
 * which may equal a silence's. Every silence made since takes its id from the one sequence, so
 * new ids are unique across kinds.
 */
@Entity({ name: 'silences' })
@Index('ix_silences_ends_at', ['endsAt'])
@Check('ck_silences_window', `ends_at >= starts_at`)
@Check('ck_silences_kind', `(kind = 'silence' AND service IS NULL) OR (kind = 'maintenance' AND service IS NOT NULL)`)
export class Silence {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_silences' })
  id!: number;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_silences', default: 'silence' })
  kind!: SilenceKind;

  /** Label matchers, all of which must match; none for a maintenance window. */
  @Column('jsonb')
  matchers!: LabelMatcher[];

  /** The service whose every alert it mutes (maintenance windows); null for a label-matching silence. */
  @Column('text', { nullable: true })
  service!: string | null;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt!: Date;

  @Column('timestamptz', { name: 'ends_at' })
  endsAt!: Date;

  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Column('text')
  comment!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expired_at', nullable: true })
  expiredAt!: Date | null;
}
