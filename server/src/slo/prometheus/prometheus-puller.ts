import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../../common/clock';
import { LeaseService } from '../../common/lease.service';
import { LOGGER, type Logger } from '../../common/logger';
import { AppMetrics } from '../../common/metrics';
import { ScheduledJob } from '../../common/scheduled-job';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { RulesService } from '../../rules/rules.service';
import { SLI_STORE, type SliStore } from '../sli-store';
import { SloEvaluator } from '../slo-evaluator.service';
import { createLimiter, type Limiter } from './concurrency';
import type { PrometheusClients } from './prometheus-client';
import { PrometheusQueryError } from './prometheus-response';
import {
  backfillPercent,
  counterIncreases,
  histogramIncreases,
  MINUTE_MS,
  newCursor,
  nextRange,
  pulledSeriesOf,
  rangeQuery,
  rateWindowOf,
  tailDeltas,
  tailMinutes,
  type PullCursor,
  type PulledSeries,
  type PullRange,
  type PullSettings,
  type PullTail,
} from './pull-plan';

/** Nest token for the Prometheus clients (one per declared server). */
export const PROMETHEUS_CLIENTS = Symbol('PROMETHEUS_CLIENTS');

const LEASE = 'prometheus-pull';
const LEASE_SECONDS = 120;
/**
 * How long one pass may keep pulling backfill chunks: well inside the lease, so the next tick
 * (and another process, should this one die) carries on where it stopped.
 */
const PASS_BUDGET_MS = 45_000;

export interface PullOutcome {
  /** Range queries sent. */
  queries: number;
  /** Stored series that got new rows. */
  written: Set<string>;
  /** Series whose pull failed this pass, with the reason. */
  failed: Map<string, string>;
  /** Series still backfilling after the pass. */
  backfilling: number;
}

interface CursorRow {
  series: string;
  backfill_from: Date;
  minute_from: Date;
  pulled_until: Date;
  tail: PullTail;
  caught_up_at: Date | null;
}

/** The lost race of two processes on one cursor: the other one stored the range. */
class CursorMoved extends Error {}

/**
 * Pulls every Prometheus-backed SLI into the SLI rollups once a minute, like OTLP pushes them:
 * per distinct query one `query_range` (step 1m) over the minutes since its cursor plus a short
 * re-read tail, stored with the cursor in one transaction. A query seen for the first time is
 * backfilled over its SLOs' period in bounded chunks — whole hours where minute rollups are
 * not kept, minutes after — resumably, across passes, while its SLOs read as no-data
 * "backfilling N%". A failed query leaves its cursor where it was (the gap is filled when
 * Prometheus answers again) and its SLOs in no-data with the reason.
 *
 * Steady state, each distinct SLI costs Prometheus one range query per query text and minute
 * (two for an events SLI, one for a latency SLI), each over a few minutes of samples.
 */
@Injectable()
export class PrometheusPuller implements OnApplicationBootstrap, OnApplicationShutdown {
  private job?: ScheduledJob;

  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RulesService,
    @Inject(SLI_STORE) private readonly store: SliStore,
    private readonly evaluator: SloEvaluator,
    @Inject(PROMETHEUS_CLIENTS) private readonly clients: PrometheusClients,
    private readonly leases: LeaseService,
    private readonly scheduler: SchedulerRegistry,
    private readonly metrics: AppMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.job = ScheduledJob.start({
      name: LEASE,
      // Queries go out once per completed minute and query; looking more often than each minute
      // only shortens the wait between a minute's end and its pull.
      everyMs: this.config.prometheus.pullIntervalSeconds * 1000,
      lease: { service: this.leases, ttlSeconds: LEASE_SECONDS },
      run: () => this.pull(),
      logger: this.logger,
      scheduler: this.scheduler,
    });
    // A first pass now: backfills start at once rather than a minute after the start.
    if (this.rules.slos().some((s) => s.sli.source === 'prometheus')) void this.job.tick();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  /** One pass over every pulled query (the scheduled job's work; tests call it directly). */
  async pull(budgetMs = PASS_BUDGET_MS): Promise<PullOutcome> {
    const outcome: PullOutcome = { queries: 0, written: new Set(), failed: new Map(), backfilling: 0 };
    const pulled = pulledSeriesOf(this.rules.slos());
    if (pulled.length === 0) return outcome;
    const now = this.clock.now().getTime();
    const cursors = await this.cursors(pulled, now);
    const deadline = performance.now() + budgetMs;
    // Series that are up to date go first: a long backfill never delays the live minutes.
    const ordered = [...pulled].sort((a, b) => Number(cursors.get(a.series)!.caughtUpAt === null) - Number(cursors.get(b.series)!.caughtUpAt === null));
    const limiters = new Map<string, Limiter>();
    const unreachable = new Map<string, string>();
    await Promise.all(
      ordered.map((p) => {
        let limit = limiters.get(p.server);
        if (!limit) limiters.set(p.server, (limit = createLimiter(this.config.prometheus.concurrencyPerServer)));
        return limit(() => this.pullSeries(p, cursors.get(p.series)!, now, deadline, unreachable, outcome));
      }),
    );
    if (outcome.written.size > 0) await this.evaluator.evaluateAfterIngest(outcome.written);
    return outcome;
  }

  private settings(server: string): PullSettings {
    return {
      rateWindowSeconds: rateWindowOf(this.rules.prometheusServers().find((s) => s.name === server)),
      minuteRetentionSeconds: this.config.retention.minuteSeconds,
    };
  }

  /**
   * Every pulled query's cursor, creating those seen for the first time. Passes run every few
   * seconds: the known cursors are read, and only new queries are written.
   */
  private async cursors(pulled: PulledSeries[], now: number): Promise<Map<string, PullCursor>> {
    const cursors = await this.readCursors(pulled.map((p) => p.series));
    const fresh = pulled.filter((p) => !cursors.has(p.series)).map((p) => ({ p, c: newCursor(now, p.periodSeconds, this.settings(p.server)) }));
    if (fresh.length === 0) return cursors;
    await this.dataSource.query(
      `INSERT INTO prometheus_pulls (series, server, kind, query, backfill_from, minute_from, pulled_until)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $5::timestamptz[])
       ON CONFLICT ON CONSTRAINT pk_prometheus_pulls DO NOTHING`,
      [
        fresh.map((f) => f.p.series),
        fresh.map((f) => f.p.server),
        fresh.map((f) => f.p.kind),
        fresh.map((f) => f.p.template),
        fresh.map((f) => new Date(f.c.backfillFrom).toISOString()),
        fresh.map((f) => new Date(f.c.minuteFrom).toISOString()),
      ],
    );
    // Read back: another process may have created some of them first.
    for (const [series, cursor] of await this.readCursors(fresh.map((f) => f.p.series))) cursors.set(series, cursor);
    return cursors;
  }

  private async readCursors(series: string[]): Promise<Map<string, PullCursor>> {
    const rows: CursorRow[] = await this.dataSource.query(
      `SELECT series, backfill_from, minute_from, pulled_until, tail, caught_up_at FROM prometheus_pulls WHERE series = ANY($1::text[])`,
      [series],
    );
    return new Map(rows.map((r) => [r.series, cursorOf(r)]));
  }

  /** Pulls one query's chunks until it is up to date, it fails, or the pass is out of time. */
  private async pullSeries(p: PulledSeries, start: PullCursor, now: number, deadline: number, unreachable: Map<string, string>, outcome: PullOutcome): Promise<void> {
    const settings = this.settings(p.server);
    let cursor = start;
    // At least one range per query and pass, however little time is left: every query moves.
    for (let range = nextRange(cursor, now, settings), first = true; range; range = nextRange(cursor, now, settings), first = false) {
      if (!first && performance.now() > deadline) break;
      const down = unreachable.get(p.server);
      if (down !== undefined) {
        await this.failed(p, `not pulled: an earlier query of this pass failed with "${down}"`, outcome);
        return;
      }
      try {
        cursor = await this.pullRange(p, cursor, range, now, settings, outcome);
      } catch (err) {
        if (err instanceof CursorMoved) return;
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof PrometheusQueryError && (err.kind === 'timeout' || err.kind === 'network')) unreachable.set(p.server, message);
        await this.failed(p, message, outcome);
        return;
      }
    }
    if (cursor.caughtUpAt === null) {
      outcome.backfilling++;
      this.logger.info({ series: p.series, server: p.server, query: p.template, percent: backfillPercent({ backfillFrom: cursor.backfillFrom, pulledUntil: cursor.pulledUntil }, now) }, 'backfilling a Prometheus SLI');
    } else if (start.caughtUpAt === null) {
      this.logger.info({ series: p.series, server: p.server, query: p.template }, 'backfill of a Prometheus SLI done');
    }
  }

  private async pullRange(p: PulledSeries, cursor: PullCursor, range: PullRange, now: number, settings: PullSettings, outcome: PullOutcome): Promise<PullCursor> {
    const client = this.clients.client(p.server);
    if (!client) throw new PrometheusQueryError('http', 'no Prometheus server with this name is declared');
    const query = rangeQuery(p, range.stepSeconds, settings);
    outcome.queries++;
    let values: Map<number, number> | Map<number, Map<number, number>>;
    try {
      const result = await client.queryRange(query, { start: new Date(range.start), end: new Date(range.end), stepSeconds: range.stepSeconds });
      values = p.kind === 'counter' ? counterIncreases(result, range.stepSeconds) : histogramIncreases(result, range.stepSeconds);
      this.metrics.prometheusPullQueries.inc({ server: p.server, outcome: 'ok' });
    } catch (err) {
      this.metrics.prometheusPullQueries.inc({ server: p.server, outcome: 'error' });
      throw new PrometheusQueryError(err instanceof PrometheusQueryError ? err.kind : 'bad-response', `${query}: ${err instanceof Error ? err.message : String(err)}`);
    }
    // No series at all is no data (the exporter is gone, a relabel broke the series), shown as
    // such; the range is still passed: those minutes will not fill in later.
    // (A backfill's hours before the service existed are simply empty.)
    const minuteSteps = range.stepSeconds === 60;
    const empty = minuteSteps && values.size === 0 && !p.emptyMeansZero ? `${query}: no series matched between ${new Date(range.from).toISOString()} and ${new Date(range.until).toISOString()}` : null;
    const nextTailFrom = minuteSteps ? range.until - tailMinutes(settings) * MINUTE_MS : Number.POSITIVE_INFINITY;
    const write = tailDeltas(p.series, p.kind, values, minuteSteps ? cursor.tail : {}, range, nextTailFrom);
    const next: PullCursor = { ...cursor, pulledUntil: range.until, tail: write.tail, caughtUpAt: cursor.caughtUpAt };
    if (next.caughtUpAt === null && nextRange(next, now, settings) === null) next.caughtUpAt = now;
    await this.dataSource.transaction(async (m) => {
      const [row]: Array<{ pulled_until: Date }> = await m.query(`SELECT pulled_until FROM prometheus_pulls WHERE series = $1 FOR UPDATE`, [p.series]);
      if (!row || new Date(row.pulled_until).getTime() !== cursor.pulledUntil) throw new CursorMoved();
      if (write.counters.length > 0 || write.histograms.length > 0) {
        await this.store.write(m, { source: 'prometheus', counters: write.counters, histograms: write.histograms, hoursOnly: !minuteSteps });
      }
      await m.query(
        `UPDATE prometheus_pulls
         SET pulled_until = $2, tail = $3::jsonb, caught_up_at = $4, last_error = $5, last_attempt_at = $6, last_success_at = $6
         WHERE series = $1`,
        [p.series, new Date(next.pulledUntil).toISOString(), JSON.stringify(next.tail), next.caughtUpAt === null ? null : new Date(next.caughtUpAt).toISOString(), empty, new Date(now).toISOString()],
      );
    });
    if (write.counters.length > 0 || write.histograms.length > 0) outcome.written.add(p.series);
    if (empty) outcome.failed.set(p.series, empty);
    return next;
  }

  private async failed(p: PulledSeries, message: string, outcome: PullOutcome): Promise<void> {
    outcome.failed.set(p.series, message);
    this.logger.warn({ series: p.series, server: p.server, err: message }, 'Prometheus pull failed; its SLOs are in no-data until it answers');
    await this.dataSource.query(`UPDATE prometheus_pulls SET last_error = $2, last_attempt_at = $3 WHERE series = $1`, [p.series, message, this.clock.now().toISOString()]);
  }
}

function cursorOf(r: CursorRow): PullCursor {
  return {
    backfillFrom: new Date(r.backfill_from).getTime(),
    minuteFrom: new Date(r.minute_from).getTime(),
    pulledUntil: new Date(r.pulled_until).getTime(),
    tail: r.tail ?? {},
    caughtUpAt: r.caught_up_at ? new Date(r.caught_up_at).getTime() : null,
  };
}
