import type { SchedulerRegistry } from '@nestjs/schedule';
import type { LeaseService } from './lease.service';
import type { Logger } from './logger';

export interface ScheduledJobOptions {
  /**
   * Says what failed in the log ("<name> failed"), names the lease, and names the interval in
   * the SchedulerRegistry, where it must be unique (a second job by the same name fails to start).
   */
  name: string;
  everyMs: number;
  /** Runs a pass only in the process that takes (or renews) the lease `name`; without it, every process runs. */
  lease?: { service: Pick<LeaseService, 'tryAcquire'>; ttlSeconds: number };
  /** One pass (what it resolves to is not used). */
  run: () => Promise<unknown>;
  logger: Logger;
  /** @nestjs/schedule's registry: the interval is listed there while the job ticks, and cleared with Nest's. */
  scheduler: SchedulerRegistry;
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
    if (this.interval) return;
    const { name, everyMs, scheduler } = this.options;
    const interval = setInterval(() => void this.tick(), everyMs);
    try {
      scheduler.addInterval(name, interval);
    } catch (err) {
      clearInterval(interval);
      throw err;
    }
    this.interval = interval;
  }

  /** Stops ticking (and leaves the registry), and waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    const { name, scheduler } = this.options;
    if (this.interval) {
      clearInterval(this.interval);
      // Nest's scheduler clears (and forgets) every registered interval at shutdown, perhaps before this.
      if (scheduler.doesExist('interval', name) && scheduler.getInterval(name) === this.interval) scheduler.deleteInterval(name);
      this.interval = undefined;
    }
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
