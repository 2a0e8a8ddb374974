import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
// The relation only declares the foreign key; the incident is read through incidents' store.
import type { Incident } from '../incidents/incident.entity';
import type { HookRequest } from './hook-request';
import type { ExecutionStatus } from './execution-lifecycle';

/**
 * One rollback hook execution for one incident. The unique index on (incident, hook) is what
 * makes "at most once" hold with several Headroom processes: the second insert does nothing.
 * A manual retry is a new attempt on the same row.
 */
@Entity({ name: 'rollback_executions' })
@Index('uq_rollback_executions_incident_hook', ['incidentId', 'hook'], { unique: true })
@Index('ix_rollback_executions_due', ['status', 'nextAttemptAt'])
@Index('ix_rollback_executions_policy_created', ['policy', 'createdAt'])
@Check('ck_rollback_executions_status', `status IN ('pending_approval', 'queued', 'running', 'succeeded', 'failed', 'dry_run', 'cancelled', 'skipped')`)
@Check('ck_rollback_executions_mode', `mode IN ('auto', 'approval', 'dry-run')`)
export class RollbackExecution {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_rollback_executions' })
  id!: number;

  @Column('int', { name: 'incident_id' })
  incidentId!: number;

  @ManyToOne('Incident', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'fk_rollback_executions_incident' })
  incident?: Incident;

  @Column('text')
  hook!: string;

  @Column('text')
  policy!: string;

  @Column('text')
  mode!: 'auto' | 'approval' | 'dry-run';

  /** What fired it: kind (slo | guardrail), service, slo, experiment, variant, metric, fingerprint. */
  @Column('jsonb', { default: () => "'{}'" })
  trigger!: Record<string, string | null>;

  @Column('text')
  status!: ExecutionStatus;

  /** Why it is in its status (the gate's decision, a skip's cooldown or cap, a cancel). */
  @Column('text', { nullable: true })
  reason!: string | null;

  /** The last request sent (or, for a dry run, that would have been): the signature is not kept. */
  @Column('jsonb', { nullable: true })
  request!: HookRequest | null;

  @Column('int', { name: 'response_status', nullable: true })
  responseStatus!: number | null;

  @Column('text', { name: 'response_body', nullable: true })
  responseBody!: string | null;

  @Column('int', { name: 'latency_ms', nullable: true })
  latencyMs!: number | null;

  @Column('int', { default: 0 })
  attempts!: number;

  /** Attempts allowed before it is failed: grows by the hook's retries + 1 with each manual retry. */
  @Column('int', { name: 'max_attempts' })
  maxAttempts!: number;

  @Column('timestamptz', { name: 'next_attempt_at', default: () => 'now()' })
  nextAttemptAt!: Date;

  /** A worker owns a running row until then; a crashed worker's row is taken over afterwards. */
  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil!: Date | null;

  /** Grows with every claim: only the worker holding the latest claim may finish the row (migration 1765400000000). */
  @Column('int', { name: 'claim_version', default: 0 })
  claimVersion!: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError!: string | null;

  /** Who approved, retried or cancelled it last; null while only Headroom acted. */
  @Column('text', { name: 'requested_by', nullable: true })
  requestedBy!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'finished_at', nullable: true })
  finishedAt!: Date | null;
}

/** How many evaluations in a row found the breach of an open incident, per policy. */
@Entity({ name: 'rollback_streaks' })
export class RollbackStreak {
  @PrimaryColumn('int', { name: 'incident_id', primaryKeyConstraintName: 'pk_rollback_streaks' })
  incidentId!: number;

  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_rollback_streaks' })
  policy!: string;

  @Column('int')
  count!: number;

  @Column('timestamptz', { name: 'last_at' })
  lastAt!: Date;
}

/** One row per policy, locked while deciding, so cooldown and cap hold across processes. */
@Entity({ name: 'rollback_policy_locks' })
export class RollbackPolicyLock {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_rollback_policy_locks' })
  policy!: string;
}
