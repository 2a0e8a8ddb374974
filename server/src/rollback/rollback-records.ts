import type { EntityManager } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { writeTimeline } from '../incidents/incident-records';
import type { Actor } from '../incidents/actor';
import type { OutboxService } from '../outbox/outbox.service';

export interface RollbackStep {
  incidentId: number;
  executionId: number;
  at: Date;
  actor: Actor;
  /** `rollback.<past-tense>`: rollback.queued, rollback.approved, rollback.succeeded, … */
  kind: string;
  message: string;
  data?: Record<string, unknown>;
  /** Whether the Slack page is re-rendered and the line posted in its thread (default true). */
  notify?: boolean;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * Every execution step goes on the incident's timeline (and, when it notifies, through the
 * outbox to the Slack thread) and into the audit log, in the caller's transaction.
 */
export async function recordStep(m: EntityManager, outbox: OutboxService, audit: AuditService, step: RollbackStep): Promise<void> {
  await writeTimeline(m, outbox, [{
    incidentId: step.incidentId,
    at: step.at,
    actor: step.actor,
    event: { kind: step.kind, message: step.message, data: { executionId: step.executionId, ...step.data }, notify: step.notify ?? true },
  }]);
  await audit.record(m, {
    at: step.at,
    actor: step.actor,
    action: step.kind,
    entityType: 'rollback_execution',
    entityId: step.executionId,
    before: step.before ?? null,
    after: { incidentId: step.incidentId, ...(step.after ?? {}), ...(step.data ?? {}) },
  });
}
