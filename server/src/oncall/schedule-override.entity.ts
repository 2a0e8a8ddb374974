import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An override made through the API (POST /api/schedules/:id/overrides): one person on call for
 * a time range, over every layer of a schedule. Kept apart from the YAML, and merged with the
 * schedule's own overrides when who-is-on-call is asked (these win where they overlap).
 */
@Entity({ name: 'schedule_overrides' })
@Index('ix_schedule_overrides_schedule_end', ['scheduleId', 'endAt'])
@Check('ck_schedule_overrides_range', `end_at > start_at`)
export class ScheduleOverride {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_schedule_overrides' })
  id!: number;

  @Column('text', { name: 'schedule_id' })
  scheduleId!: string;

  /** The email of the Headroom user on call (lower-cased). */
  @Column('text', { name: 'user_email' })
  userEmail!: string;

  @Column('timestamptz', { name: 'start_at' })
  startAt!: Date;

  @Column('timestamptz', { name: 'end_at' })
  endAt!: Date;

  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
