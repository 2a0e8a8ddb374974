import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { LOGGER, type Logger } from '../common/logger';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LeaseService } from '../common/lease.service';
import { ScheduledJob } from '../common/scheduled-job';
import { RulesService } from '../rules/rules.service';
import { SLI_CHANGES_KEPT_MS } from './postgres-sli-store';

const LEASE = 'sli-retention';
const LEASE_SECONDS = 120;
const INTERVAL_MS = 10 * 60_000;
/** Rows per DELETE: short statements, so writers to the same tables never wait long. */
const BATCH = 5000;

const TABLES = [
  { table: 'sli_counter_minute', column: 'minute', keep: 'minute' },
  { table: 'sli_histogram_minute', column: 'minute', keep: 'minute' },
  { table: 'sli_counter_hour', column: 'hour', keep: 'hour' },
  { table: 'sli_histogram_hour', column: 'hour', keep: 'hour' },
] as const;

export type RetentionResult = Record<(typeof TABLES)[number]['table'] | 'sli_changes', number>;

/**
 * Deletes SLI rollups older than their retention (HEADROOM_RETENTION_MINUTES for minute rows,
 * HEADROOM_RETENTION_HOURS for hour rows) and the change log older than SLI_CHANGES_KEPT_MS,
 * on a schedule, in one process at a time (lease).
 * Deletes go in batches, renewing the lease between them, so a first run over a large backlog
 * neither holds locks for long nor outlives its lease unnoticed.
 */
@Injectable()
export class SliRetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private stopping = false;
  private running: Promise<unknown> = Promise.resolve();
  private job?: ScheduledJob;
  private warnedPeriod = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly leases: LeaseService,
    private readonly scheduler: SchedulerRegistry,
    private readonly rules: RulesService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The lease is taken by run() itself (renewed between batches, released at the end), not by the job. */
  onApplicationBootstrap(): void {
    this.job = ScheduledJob.start({ name: 'SLI retention', everyMs: INTERVAL_MS, run: () => this.run(), logger: this.logger, scheduler: this.scheduler });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.job?.stop();
    await this.running.catch(() => undefined);
  }

  /** One pass over the four tables; null when another process holds the lease. */
  run(): Promise<RetentionResult | null> {
    const pass = this.running.then(() => this.runNow());
    this.running = pass.catch(() => undefined);
    return pass;
  }

  private async runNow(): Promise<RetentionResult | null> {
    if (!(await this.leases.tryAcquire(LEASE, LEASE_SECONDS))) return null;
    try {
      this.warnIfPeriodOutlivesHours();
      const now = this.clock.now().getTime();
      const cutoff = {
        minute: new Date(now - this.config.retention.minuteSeconds * 1000),
        hour: new Date(now - this.config.retention.hourSeconds * 1000),
      };
      const deleted = Object.fromEntries([...TABLES.map((t) => [t.table, 0]), ['sli_changes', 0]]) as RetentionResult;
      for (const t of TABLES) {
        for (;;) {
          if (this.stopping) return deleted;
          // Delete by physical row id: one index range scan picks a batch, one TID scan drops it.
          const [, count]: [unknown, number] = await this.dataSource.query(
            `DELETE FROM ${t.table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${t.table} WHERE ${t.column} < $1 LIMIT ${BATCH}))`,
            [cutoff[t.keep].toISOString()],
          );
          deleted[t.table] += count;
          if (count < BATCH) break;
          if (!(await this.leases.tryAcquire(LEASE, LEASE_SECONDS))) return deleted;
        }
      }
      // The window caches' change log, by the database clock that stamped it (the app clock may
      // be a simulated one); one row per write, so one statement is short enough.
      const [, changes]: [unknown, number] = await this.dataSource.query(`DELETE FROM sli_changes WHERE at < clock_timestamp() - make_interval(secs => $1)`, [
        SLI_CHANGES_KEPT_MS / 1000,
      ]);
      deleted.sli_changes = changes;
      if (Object.values(deleted).some((n) => n > 0)) this.logger.info({ deleted, cutoff }, 'SLI retention deleted old rollups');
      return deleted;
    } finally {
      await this.leases.release(LEASE);
    }
  }

  private warnIfPeriodOutlivesHours(): void {
    if (this.warnedPeriod) return;
    const longest = this.rules.slos().reduce((max, s) => Math.max(max, s.periodSeconds), 0);
    if (longest <= this.config.retention.hourSeconds) return;
    this.warnedPeriod = true;
    this.logger.warn(
      { longestPeriodSeconds: longest, hourRetentionSeconds: this.config.retention.hourSeconds },
      'an SLO period is longer than HEADROOM_RETENTION_HOURS: its budget will be computed over the hours kept; raise HEADROOM_RETENTION_HOURS',
    );
  }
}
