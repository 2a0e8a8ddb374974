import { ConflictError } from '../common/errors';

/**
 * The states of one rollback execution (one per incident and hook):
 *
 *   pending_approval ──approve──▶ queued ──claim──▶ running ──▶ succeeded
 *         │                        ▲  │               │
 *         └──cancel──▶ cancelled ◀─┘  └─cancel        ├──retryable error──▶ queued (backoff)
 *                                                     └──▶ failed
 *   dry_run, skipped (cooldown, cap): recorded, nothing sent.
 *   retry: failed, cancelled, skipped or dry_run ──▶ queued (a new attempt on the same row)
 */
export const EXECUTION_STATUSES = ['pending_approval', 'queued', 'running', 'succeeded', 'failed', 'dry_run', 'cancelled', 'skipped'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

interface Row {
  id: number;
  hook: string;
  status: ExecutionStatus;
}

export function assertApprovable(e: Row): void {
  if (e.status !== 'pending_approval') {
    throw new ConflictError(`rollback execution ${e.id} is ${e.status.replace('_', ' ')}, not waiting for approval; only a pending approval can be approved`);
  }
}

export function assertCancellable(e: Row): void {
  if (e.status === 'pending_approval' || e.status === 'queued') return;
  if (e.status === 'running') throw new ConflictError(`rollback execution ${e.id} is running: the request to ${e.hook} is in flight and cannot be cancelled`);
  throw new ConflictError(`rollback execution ${e.id} is ${e.status.replace('_', ' ')}; only a pending approval or a queued execution can be cancelled`);
}

export function assertRetryable(e: Row): void {
  if (['failed', 'cancelled', 'skipped', 'dry_run'].includes(e.status)) return;
  if (e.status === 'succeeded') throw new ConflictError(`rollback execution ${e.id} already succeeded; nothing to retry`);
  if (e.status === 'pending_approval') throw new ConflictError(`rollback execution ${e.id} is waiting for approval; approve it instead of retrying`);
  throw new ConflictError(`rollback execution ${e.id} is ${e.status}; wait for it to finish before retrying`);
}
