import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { Severity, Urgency } from '../common/signals';

/** `snoozed` returns to `triggered` when `snoozedUntil` passes. */
export type IncidentStatus = 'triggered' | 'acknowledged' | 'snoozed' | 'resolved';
export type IncidentSource = 'slo' | 'guardrail' | 'heartbeat' | 'alertmanager' | 'pagerduty' | 'manual';

/**
 * One incident per alert while it is open: the partial unique index on the fingerprint makes
 * a second open incident for the same alert impossible, even under concurrent inserts.
 */
@Entity({ name: 'incidents' })
@Index('uq_incidents_open_fingerprint', ['fingerprint'], { unique: true, where: `status <> 'resolved'` })
@Check('ck_incidents_status', `status IN ('triggered', 'acknowledged', 'snoozed', 'resolved')`)
@Check('ck_incidents_snoozed_until', `(status = 'snoozed') = (snoozed_until IS NOT NULL)`)
@Check('ck_incidents_severity', `severity IN ('critical', 'error', 'warning', 'info')`)
@Check('ck_incidents_urgency', `urgency IN ('page', 'ticket')`)
@Index('ix_incidents_status_id', ['status', 'id'])
// The console's first page is the open incidents, newest first (status IN (…), ORDER BY id DESC):
// no (status, id) order serves several statuses, and walking the newest ids past every resolved
// incident grows with history. The open ones are few; this index holds only them.
@Index('ix_incidents_open_id', ['id'], { where: `status <> 'resolved'` })
@Index('ix_incidents_service_id', ['service', 'id'])
@Index('ix_incidents_triggered_at', ['triggeredAt'])
@Index('ix_incidents_caused_by', ['causedByIncidentId'], { where: 'caused_by_incident_id IS NOT NULL' })
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

  /** Page (the on-call is notified, the escalation runs) or ticket (posted once to the route's ticket channel, never escalated); fixed when it opens. */
  @Column('text', { default: 'page' })
  urgency!: Urgency;

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

  /** What a person wrote when opening it by hand, or the alert's description. */
  @Column('text', { nullable: true })
  description!: string | null;

  /** Who is working on it (a person's name); free text, set by reassign. */
  @Column('text', { nullable: true })
  assignee!: string | null;

  @Column('timestamptz', { name: 'snoozed_until', nullable: true })
  snoozedUntil!: Date | null;

  /** The labels that grouped its alerts (e.g. service and alertname). */
  @Column('jsonb', { default: () => "'{}'" })
  labels!: Record<string, string>;

  /** How many alerts (every delivery, repeats included) were grouped into it. */
  @Column('int', { name: 'alert_count', default: 1 })
  alertCount!: number;

  @Column('timestamptz', { name: 'last_alert_at', nullable: true })
  lastAlertAt!: Date | null;

  /** The route (alerts/*.yaml) that grouped its alerts; null for SLO, guardrail and manual incidents. */
  @Column('text', { nullable: true })
  route!: string | null;

  /** Snapshotted from the route when it opened: resolve when every alert resolved at the source. */
  @Column('boolean', { name: 'auto_resolve', default: false })
  autoResolve!: boolean;

  /** A silence or maintenance window covered it when it opened, so nobody was paged. */
  @Column('boolean', { default: false })
  muted!: boolean;

  @Column('text', { name: 'muted_reason', nullable: true })
  mutedReason!: string | null;

  /** A runbook outside Headroom, e.g. Alertmanager's runbook_url annotation. */
  @Column('text', { name: 'runbook_url', nullable: true })
  runbookUrl!: string | null;

  /**
   * The open incident that likely caused this one when it opened (a dependency's, or an inhibit
   * rule's source; incidents/likely-cause.ts). Kept after either resolves: the link is history.
   */
  @Column('int', { name: 'caused_by_incident_id', nullable: true })
  causedByIncidentId!: number | null;

  @ManyToOne('Incident', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'caused_by_incident_id', foreignKeyConstraintName: 'fk_incidents_caused_by' })
  causedByIncident?: Incident;

  /** Held back by its cause: nobody paged yet; it pages when the cause ends while it still fires. */
  @Column('boolean', { name: 'held_by_cause', default: false })
  heldByCause!: boolean;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @VersionColumn()
  version!: number;
}
