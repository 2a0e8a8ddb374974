import { assertApprovable, assertCancellable, assertRetryable, type ExecutionStatus } from './execution-lifecycle';

const row = (status: ExecutionStatus) => ({ id: 4, hook: 'deploy', status });
const message = (f: () => void): string | null => {
  try {
    f();
    return null;
  } catch (err) {
    return (err as { getStatus(): number; message: string }).getStatus() === 409 ? (err as Error).message : 'not a 409';
  }
};

describe('execution transitions', () => {
  it('approves only a pending approval', () => {
    expect(message(() => assertApprovable(row('pending_approval')))).toBeNull();
    expect(message(() => assertApprovable(row('succeeded')))).toMatch(/execution 4 is succeeded, not waiting for approval/);
  });

  it('cancels a pending or queued execution, not one in flight or finished', () => {
    expect(message(() => assertCancellable(row('pending_approval')))).toBeNull();
    expect(message(() => assertCancellable(row('queued')))).toBeNull();
    expect(message(() => assertCancellable(row('running')))).toMatch(/in flight/);
    expect(message(() => assertCancellable(row('failed')))).toMatch(/only a pending approval or a queued execution/);
  });

  it('retries a failed, cancelled, skipped or dry-run execution', () => {
    for (const s of ['failed', 'cancelled', 'skipped', 'dry_run'] as const) expect(message(() => assertRetryable(row(s)))).toBeNull();
    expect(message(() => assertRetryable(row('succeeded')))).toMatch(/already succeeded/);
    expect(message(() => assertRetryable(row('pending_approval')))).toMatch(/approve it instead/);
    expect(message(() => assertRetryable(row('running')))).toMatch(/wait for it to finish/);
  });
});
