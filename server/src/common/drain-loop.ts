import type { Logger } from './logger';

export interface DrainLoopOptions {
  /** Says what failed in the log: "<name> pass failed". */
  name: string;
  /** The safety-net poll: other processes' rows, retries that came due, rows a crashed process left claimed. */
  pollMs: number;
  /** Subscribes to "there is new work" (after a commit); returns the unsubscribe. */
  onWake: (listener: () => void) => () => void;
  /** Claims and starts one batch of work; false when there was nothing (more) to take. */
  step: () => Promise<boolean>;
  logger: Logger;
}

/**
 * Runs a worker's claim loop over a queue kept in the database, one pass at a time: woken right
 * after a commit, and polling as a safety net. A wake during a pass runs one more pass after it
 * (nothing committed meanwhile is left for the next poll); a failed pass is logged and the next
 * wake or poll tries again. Shared by the outbox and rollback workers.
 */
export class DrainLoop {
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  private unsubscribe?: () => void;

  constructor(private readonly options: DrainLoopOptions) {}

  get stopped(): boolean {
    return this.stopping;
  }

  start(): void {
    this.unsubscribe = this.options.onWake(() => void this.drain());
    this.timer = setInterval(() => void this.drain(), this.options.pollMs);
    void this.drain();
  }

  /** Stops waking and polling, and waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    await this.running;
  }

  /** Takes batches until a step finds nothing; resolves when this pass (and any it made owed) ends. */
  drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopping && (await this.options.step()));
        } while (this.again && !this.stopping);
      } catch (err) {
        this.options.logger.error({ err }, `${this.options.name} pass failed; will retry on the next poll`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
