import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A declared heartbeat and its last beat. Rows declared in alerts/*.yaml (origin `yaml`) are
 * synced from the rules; rows declared through the API (origin `api`) are changed there only.
 */
@Entity({ name: 'heartbeats' })
@Check('ck_heartbeats_origin', `origin IN ('yaml', 'api')`)
@Check('ck_heartbeats_severity', `severity IN ('page', 'ticket')`)
export class Heartbeat {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_heartbeats' })
  name!: string;

  @Column('text')
  origin!: 'yaml' | 'api';

  /** The alerts file that declares it (origin yaml). */
  @Column('text', { nullable: true })
  file!: string | null;

  @Column('text', { nullable: true })
  description!: string | null;

  @Column('integer', { name: 'interval_seconds' })
  intervalSeconds!: number;

  @Column('integer', { name: 'grace_seconds' })
  graceSeconds!: number;

  @Column('text')
  service!: string;

  @Column('text')
  severity!: 'page' | 'ticket';

  @Column('text', { name: 'runbook_id', nullable: true })
  runbookId!: string | null;

  /** When it was first declared: a heartbeat that never beat is missed interval + grace after this. */
  @Column('timestamptz', { name: 'declared_at' })
  declaredAt!: Date;

  @Column('timestamptz', { name: 'last_beat_at', nullable: true })
  lastBeatAt!: Date | null;

  @Column('bigint', { name: 'beat_count', default: 0 })
  beatCount!: string;

  /** Set while a pass has found it missed (its incident firing); cleared once a pass sees it beating again. */
  @Column('timestamptz', { name: 'missed_at', nullable: true })
  missedAt!: Date | null;

  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
