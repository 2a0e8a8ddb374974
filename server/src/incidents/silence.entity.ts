import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { LabelMatcher } from '../rules/label-matcher';

/**
 * A silence in Alertmanager's model: label matchers, a start and an end, who made it and why.
 * Alerts it matches while active are recorded (and visible) but page nobody. Expiring sets the
 * end to now; silences are never deleted, so a review can see what was muted and by whom.
 */
@Entity({ name: 'silences' })
@Index('ix_silences_ends_at', ['endsAt'])
@Check('ck_silences_window', `ends_at >= starts_at`)
export class Silence {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_silences' })
  id!: number;

  @Column('jsonb')
  matchers!: LabelMatcher[];

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
