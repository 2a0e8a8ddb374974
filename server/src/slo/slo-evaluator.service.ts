import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { formatDuration } from '../common/duration';
import { LOGGER, type Logger } from '../common/logger';
import { AppMetrics } from '../common/metrics';
import { SignalBus, type Signal } from '../common/signals';
import { withSpan } from '../common/telemetry';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { LeaseService } from '../database/lease.service';
import { RulesService } from '../rules/rules.service';
import type { SloDefinition } from '../rules/slo-definition';
import { alertPairsFor } from './alert-pairs';
import { errorBudgetRemaining, evaluateBurnRate, requiredWindows, type AlertWindowPair } from './burn-rate';
import { SLI_READERS, type SliReader, type SloWindowCounts } from './sli-reader';
import { IngestEvents } from './sli-store';
import { SloStatus, type SloState } from './slo-status.entity';

export interface SloEvaluation {
  slo: SloDefinition;
  state: SloState;
  burnRates: Record<string, number | null>;
  budgetRemaining: number | null;
  evidence: Record<string, unknown>;
}

const LEASE = 'slo-evaluation';

/** What an SLO's evaluation needs besides the counts; it changes only when the rules reload. */
interface SloPlan {
  slo: SloDefinition;
  pairs: AlertWindowPair[];
  windows: number[];
  windowNames: string[];
  /** The windows the pairs use (the burn rates reported), and their names. */
  pairWindows: number[];
  pairWindowNames: string[];
  pairNames: Array<{ long: string; short: string }>;
}

// Keyed by the definition object: a reload makes new definitions, and the old plans go with them.
const plans = new WeakMap<SloDefinition, SloPlan>();
const durationNames = new Map<number, string>();

function durationName(seconds: number): string {
  let name = durationNames.get(seconds);
  if (name === undefined) durationNames.set(seconds, (name = formatDuration(seconds)));
  return name;
}

function planFor(slo: SloDefinition): SloPlan {
  let plan = plans.get(slo);
  if (!plan) {
    const pairs = alertPairsFor(slo);
    const pairWindows = requiredWindows(pairs);
    const windows = [...new Set([...pairWindows, slo.periodSeconds])];
    plan = {
      slo,
      pairs,
      windows,
      windowNames: windows.map(durationName),
      pairWindows,
      pairWindowNames: pairWindows.map(durationName),
      pairNames: pairs.map((p) => ({ long: durationName(p.long), short: durationName(p.short) })),
    };
    plans.set(slo, plan);
  }
  return plan;
}

/**
 * Runs the burn-rate rules over the SLI store: on a schedule (one process at a time, by lease)
 * and right after an ingest batch for the SLOs it touched, so a page never waits for a tick.
 * Publishes page-level signals; stores each SLO's latest state for the API.
 */
@Injectable()
export class SloEvaluator implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  /** Evaluations in this process run one after another, so state changes are never interleaved. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RulesService,
    private readonly signals: SignalBus,
    private readonly ingest: IngestEvents,
    private readonly leases: LeaseService,
    private readonly scheduler: SchedulerRegistry,
    private readonly metrics: AppMetrics,
    @Inject(SLI_READERS) private readonly readers: SliReader[],
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.ingest.subscribe(async ({ series }) => {
      const touched: SloDefinition[] = [];
      for (const reader of this.readers) {
        if (!reader.slosTouchedBy) continue;
        const mine = this.rules.slos().filter((s) => reader.sources.includes(s.sli.source));
        touched.push(...(await reader.slosTouchedBy(mine, series)));
      }
      if (touched.length > 0) await this.evaluate('ingest', touched);
    });
  }

  onApplicationBootstrap(): void {
    const ms = this.config.evaluationIntervalSeconds * 1000;
    this.scheduler.addInterval(
      LEASE,
      setInterval(() => void this.scheduledPass(), ms),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.scheduler.doesExist('interval', LEASE)) this.scheduler.deleteInterval(LEASE);
    await this.queue.catch(() => undefined);
  }

  async scheduledPass(): Promise<void> {
    try {
      const ttl = Math.max(10, this.config.evaluationIntervalSeconds * 2);
      if (!(await this.leases.tryAcquire(LEASE, ttl))) return;
      await this.evaluate('schedule', this.rules.slos());
    } catch (err) {
      this.logger.error({ err }, 'scheduled SLO evaluation failed');
    }
  }

  evaluate(trigger: 'schedule' | 'ingest' | 'manual', slos: SloDefinition[] = this.rules.slos()): Promise<SloEvaluation[]> {
    const run = this.queue.then(() => this.evaluateNow(trigger, slos));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evaluateNow(trigger: string, slos: SloDefinition[]): Promise<SloEvaluation[]> {
    return withSpan('slo.evaluate', { trigger, slos: slos.length }, async () => {
      const timer = this.metrics.evaluationSeconds.startTimer();
      const now = this.clock.now();
      const results = await this.compute(slos, now);
      const signals = await this.persist(results, now);
      timer();
      this.metrics.evaluations.inc({ trigger });
      for (const s of signals) this.metrics.signals.inc({ status: s.status });
      await this.signals.publish(signals);
      return results;
    });
  }

  /** Asks each SLO's reader for all its windows at once, then applies the pure rules. */
  async compute(slos: SloDefinition[], now: Date): Promise<SloEvaluation[]> {
    const plans = slos.map(planFor);
    const counts = new Map<string, SloWindowCounts>();
    for (const reader of this.readers) {
      const mine = plans.filter((p) => reader.sources.includes(p.slo.sli.source));
      if (mine.length === 0) continue;
      const windows = [...new Set(mine.flatMap((p) => p.windows))];
      try {
        for (const [id, c] of await reader.windowCounts(mine.map((p) => p.slo), now, windows)) counts.set(id, c);
      } catch (err) {
        // A source that cannot answer puts its SLOs in no-data: never a page, never a silent ok.
        for (const p of mine) counts.set(p.slo.id, { windows: new Map(), error: (err as Error).message });
      }
    }
    const evaluatedAt = now.toISOString();
    return plans.map(({ slo, pairs, windows, windowNames, pairNames, pairWindows, pairWindowNames }) => {
      const found = counts.get(slo.id) ?? { windows: new Map(), error: `no reader for source ${slo.sli.source}` };
      const result = found.error
        ? { state: 'no-data' as const, pairs: pairs.map((pair) => ({ pair, longBurn: null, shortBurn: null, firing: false })), burnRates: {} as Record<number, number | null> }
        : evaluateBurnRate({ objective: slo.objective, pairs, windows: found.windows, minEvents: slo.alerting.minEvents });
      const period = found.windows.get(slo.periodSeconds) ?? { good: 0, total: 0 };
      const budgetRemaining = errorBudgetRemaining(period.good, period.total, slo.objective);
      const burnRates: Record<string, number | null> = {};
      // A source that failed reports no burn rates at all (not a burn rate of null per window).
      if (!found.error) for (let i = 0; i < pairWindows.length; i++) burnRates[pairWindowNames[i]] = result.burnRates[pairWindows[i]] ?? null;
      return {
        slo,
        state: result.state,
        burnRates,
        budgetRemaining,
        evidence: {
          objective: slo.objective,
          period: durationName(slo.periodSeconds),
          burnRates,
          budgetRemaining,
          ...(found.error ? { error: found.error } : {}),
          windowPairs: result.pairs.map((p, i) => ({
            severity: p.pair.severity,
            long: pairNames[i].long,
            short: pairNames[i].short,
            threshold: p.pair.burnRate,
            longBurn: p.longBurn,
            shortBurn: p.shortBurn,
            firing: p.firing,
          })),
          events: Object.fromEntries(windows.map((w, i) => [windowNames[i], found.windows.get(w) ?? null])),
          evaluatedAt,
        },
      };
    });
  }

  /** Stores the new states and derives signals from the change against the previous state. */
  private async persist(results: SloEvaluation[], now: Date): Promise<Signal[]> {
    if (results.length === 0) return [];
    const previous = await this.previousStates(results.map((r) => r.slo.id));
    const signals: Signal[] = [];
    const rows = results.map((r) => {
      const prev = previous.get(r.slo.id);
      const signalBase = {
        fingerprint: `slo:${r.slo.id}:page`,
        source: 'slo' as const,
        service: r.slo.service,
        title: `${r.slo.service} ${r.slo.name} SLO is burning its error budget`,
        severity: r.slo.severity,
        sloId: r.slo.id,
        runbookId: r.slo.runbookId,
        evidence: r.evidence,
        at: now,
      };
      if (r.state === 'page') signals.push({ ...signalBase, status: 'firing' });
      // Leaving page resolves the signal; so does leaving no-data, since a page may have gone
      // page → no-data → ok (incidents ignore a resolve for which nothing is open).
      else if ((prev?.state === 'page' || prev?.state === 'no-data') && r.state !== 'no-data') signals.push({ ...signalBase, status: 'resolved' });
      return {
        slo_id: r.slo.id,
        state: r.state,
        burn_rates: r.burnRates,
        budget_remaining: r.budgetRemaining,
        evidence: r.evidence,
        since: prev && prev.state === r.state ? prev.since : now,
      };
    });
    // One statement with one JSON parameter, whatever the number of SLOs: a row-per-parameter
    // insert of 10,000 statuses would pass PostgreSQL's limit of 65,535 bind parameters.
    await this.dataSource.query(
      `INSERT INTO slo_status (slo_id, state, burn_rates, budget_remaining, evidence, evaluated_at, since)
       SELECT t.slo_id, t.state, t.burn_rates, t.budget_remaining, t.evidence, $2::timestamptz, t.since
       FROM jsonb_to_recordset($1::jsonb) AS t(slo_id text, state text, burn_rates jsonb, budget_remaining double precision, evidence jsonb, since timestamptz)
       ON CONFLICT ON CONSTRAINT pk_slo_status DO UPDATE SET state = EXCLUDED.state, burn_rates = EXCLUDED.burn_rates,
         budget_remaining = EXCLUDED.budget_remaining, evidence = EXCLUDED.evidence, evaluated_at = EXCLUDED.evaluated_at, since = EXCLUDED.since`,
      [JSON.stringify(rows), now.toISOString()],
    );
    return signals;
  }

  private async previousStates(ids: string[]): Promise<Map<string, { state: SloState; since: Date }>> {
    const rows: Array<{ slo_id: string; state: SloState; since: Date }> = await this.dataSource.query(
      `SELECT slo_id, state, since FROM slo_status WHERE slo_id = ANY($1::text[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.slo_id, { state: r.state, since: new Date(r.since) }]));
  }

  statuses(): Promise<SloStatus[]> {
    return this.dataSource.getRepository(SloStatus).find();
  }
}
