import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
// The relation only declares the foreign key; the incident is read through incidents' store.
import type { Incident } from '../incidents/incident.entity';
import type { EscalationPolicySnapshot } from './escalation-policy';
import type { WatchedStatus } from './escalation';

/**
 * The escalation of one incident: the policy as it was when the incident opened (a snapshot,
 * so editing the YAML never changes it), and where it has got to. The engine claims due rows
 * with FOR UPDATE SKIP LOCKED; see escalation.ts for the decisions.
 */
@Entity({ name: 'escalations' })
@Index('ix_escalations_wake_at', ['wakeAt'])
export class Escalation {
  @PrimaryColumn('int', { name: 'incident_id', primaryKeyConstraintName: 'pk_escalations' })
  incidentId!: number;

  @ManyToOne('Incident', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'fk_escalations_incident' })
  incident?: Incident;

  @Column('text', { name: 'policy_name' })
  policyName!: string;

  @Column('jsonb')
  policy!: EscalationPolicySnapshot;

  @Column('int', { default: 0 })
  step!: number;

  @Column('int', { default: 0 })
  round!: number;

  /** When the next step (or the end) is due; null when no step is left. */
  @Column('timestamptz', { name: 'next_at', nullable: true })
  nextAt!: Date | null;

  /** When the engine should look at it again (a step or a reminder); null: only on a status change. */
  @Column('timestamptz', { name: 'wake_at', nullable: true })
  wakeAt!: Date | null;

  /** The incident status the engine last acted on; a different status wakes it. */
  @Column('text', { name: 'last_status', default: 'triggered' })
  lastStatus!: WatchedStatus;

  @Column('int', { default: 0 })
  reminders!: number;

  /** Times the policy started over (a reopen, or triggered again after every step was taken). */
  @Column('int', { default: 0 })
  run!: number;

  /** Emails of the people the last step paged: a reminder goes to them. */
  @Column('jsonb', { name: 'notified_users', default: () => "'[]'" })
  notifiedUsers!: string[];

  @Column('timestamptz', { name: 'started_at' })
  startedAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
