import { Check, Column, Entity, Index, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { Severity } from '../common/signals';

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';
export type IncidentSource = 'slo' | 'guardrail' | 'alertmanager' | 'pagerduty' | 'manual';

/**
 * One incident per alert while it is open: the partial unique index on the fingerprint makes
 * a second open incident for the same alert impossible, even under concurrent inserts.
 */
@Entity({ name: 'incidents' })
@Index('uq_incidents_open_fingerprint', ['fingerprint'], { unique: true, where: `status <> 'resolved'` })
@Check('ck_incidents_status', `status IN ('triggered', 'acknowledged', 'resolved')`)
@Check('ck_incidents_severity', `severity IN ('critical', 'error', 'warning', 'info')`)
@Index('ix_incidents_status_id', ['status', 'id'])
export class Incident {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_incidents' })
  id!: number;

  @Column('text')
  title!: string;

  @Column('text')
  service!: string;

  @Column('text')
  source!: IncidentSource;

  @Column('text')
  severity!: Severity;

  @Column('text')
  status!: IncidentStatus;

  @Column('text')
  fingerprint!: string;

  @Column('text', { name: 'slo_id', nullable: true })
  sloId!: string | null;

  @Column('text', { name: 'runbook_id', nullable: true })
  runbookId!: string | null;

  @Column('jsonb', { default: () => "'{}'" })
  evidence!: Record<string, unknown>;

  @Column('timestamptz', { name: 'triggered_at' })
  triggeredAt!: Date;

  @Column('timestamptz', { name: 'acknowledged_at', nullable: true })
  acknowledgedAt!: Date | null;

  @Column('text', { name: 'acknowledged_by', nullable: true })
  acknowledgedBy!: string | null;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  @Column('text', { name: 'resolved_by', nullable: true })
  resolvedBy!: string | null;

  /** When the alert itself stopped firing; the incident may stay open until a person resolves it. */
  @Column('timestamptz', { name: 'signal_resolved_at', nullable: true })
  signalResolvedAt!: Date | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @VersionColumn()
  version!: number;
}
