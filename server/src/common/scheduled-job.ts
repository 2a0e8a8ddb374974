import type { LeaseService } from './lease.service';
import type { Logger } from './logger';

export interface ScheduledJobOptions {
  /** Says what failed in the log ("<name> failed"), and names the lease. */
  name: string;
  everyMs: number;
  /** Runs a pass only in the process that takes (or renews) the lease `name`; without it, every process runs. */
  lease?: { service: Pick<LeaseService, 'tryAcquire'>; ttlSeconds: number };
  /** One pass. */
  run: () => Promise<void>;
  logger: Logger;
}

/**
 * A background pass on a fixed interval, at most one at a time in a process: a tick while the
 * previous pass runs is skipped, a failed pass is logged and the next tick tries again, and
 * stop() waits for the pass under way. With a lease, one process at a time runs the pass. Every
 * background loop is one of these, or a DrainLoop when it drains a queue on wake.
 */
export class ScheduledJob {
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly options: ScheduledJobOptions) {}

  start(): void {
    this.stopping = false;
    if (!this.timer) this.timer = setInterval(() => void this.tick(), this.options.everyMs);
  }

  /** Stops ticking, and waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs a pass now, or (while one runs) resolves when that one ends; never rejects. */
  tick(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    const { name, lease, run, logger } = this.options;
    try {
      if (lease && !(await lease.service.tryAcquire(name, lease.ttlSeconds))) return;
      await run();
    } catch (err) {
      logger.error({ err }, `${name} failed; will retry on the next tick`);
    }
  }
}
