import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource, In } from 'typeorm';
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
import { errorBudgetRemaining, evaluateBurnRate, requiredWindows } from './burn-rate';
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
    const plans = slos.map((slo) => {
      const pairs = alertPairsFor(slo);
      return { slo, pairs, windows: [...new Set([...requiredWindows(pairs), slo.periodSeconds])] };
    });
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
    return plans.map(({ slo, pairs, windows }) => {
      const found = counts.get(slo.id) ?? { windows: new Map(), error: `no reader for source ${slo.sli.source}` };
      const result = found.error
        ? { state: 'no-data' as const, pairs: pairs.map((pair) => ({ pair, longBurn: null, shortBurn: null, firing: false })), burnRates: {} as Record<number, number | null> }
        : evaluateBurnRate({ objective: slo.objective, pairs, windows: found.windows, minEvents: slo.alerting.minEvents });
      const period = found.windows.get(slo.periodSeconds) ?? { good: 0, total: 0 };
      const budgetRemaining = errorBudgetRemaining(period.good, period.total, slo.objective);
      const burnRates = Object.fromEntries(Object.entries(result.burnRates).map(([w, v]) => [formatDuration(Number(w)), v]));
      return {
        slo,
        state: result.state,
        burnRates,
        budgetRemaining,
        evidence: {
          objective: slo.objective,
          period: formatDuration(slo.periodSeconds),
          burnRates,
          budgetRemaining,
          ...(found.error ? { error: found.error } : {}),
          windowPairs: result.pairs.map((p) => ({
            severity: p.pair.severity,
            long: formatDuration(p.pair.long),
            short: formatDuration(p.pair.short),
            threshold: p.pair.burnRate,
            longBurn: p.longBurn,
            shortBurn: p.shortBurn,
            firing: p.firing,
          })),
          events: Object.fromEntries(windows.map((w) => [formatDuration(w), found.windows.get(w) ?? null])),
          evaluatedAt: now.toISOString(),
        },
      };
    });
  }

  /** Stores the new states and derives signals from the change against the previous state. */
  private async persist(results: SloEvaluation[], now: Date): Promise<Signal[]> {
    if (results.length === 0) return [];
    const repo = this.dataSource.getRepository(SloStatus);
    const previous = new Map((await repo.findBy({ sloId: In(results.map((r) => r.slo.id)) })).map((s) => [s.sloId, s]));
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
      return repo.create({
        sloId: r.slo.id,
        state: r.state,
        burnRates: r.burnRates,
        budgetRemaining: r.budgetRemaining,
        evidence: r.evidence,
        evaluatedAt: now,
        since: prev && prev.state === r.state ? prev.since : now,
      });
    });
    await repo.save(rows);
    return signals;
  }

  statuses(): Promise<SloStatus[]> {
    return this.dataSource.getRepository(SloStatus).find();
  }
}
