import type { LeaseService } from './lease.service';
import type { Logger } from './logger';

export interface ScheduledJobOptions {
  /** Says what failed in the log ("<name> failed"), and names the lease. */
  name: string;
  everyMs: number;
  /** Runs a pass only in the process that takes (or renews) the lease `name`; without it, every process runs. */
  lease?: { service: Pick<LeaseService, 'tryAcquire'>; ttlSeconds: number };
  /** One pass (what it resolves to is not used). */
  run: () => Promise<unknown>;
  logger: Logger;
}

/**
 * A background pass on a fixed interval, at most one at a time in a process: a tick while the
 * previous pass runs is skipped, a failed pass is logged and the next tick tries again, and
 * stop() waits for the pass under way. With a lease, one process at a time runs the pass. Every
 * background loop is one of these, or a DrainLoop when it drains a queue on wake.
 */
export class ScheduledJob {
  /** A job, ticking from now on (its first pass one interval from now). */
  static start(options: ScheduledJobOptions): ScheduledJob {
    const job = new ScheduledJob(options);
    job.start();
    return job;
  }

  private interval?: NodeJS.Timeout;
  private pending: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: ScheduledJobOptions) {}

  start(): void {
    this.stopped = false;
    this.interval ??= setInterval(() => void this.tick(), this.options.everyMs);
  }

  /** Stops ticking, and waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.interval);
    this.interval = undefined;
    await this.pending;
  }

  /** Runs a pass now, or (while one runs) resolves when that one ends; never rejects. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.pending ??= this.pass().finally(() => (this.pending = null));
    return this.pending;
  }

  private async pass(): Promise<void> {
    const { name, lease, run, logger } = this.options;
    try {
      if (lease && !(await lease.service.tryAcquire(name, lease.ttlSeconds))) return;
      await run();
    } catch (err) {
      logger.error({ err, job: name }, `${name} failed; will retry on the next tick`);
    }
  }
}
