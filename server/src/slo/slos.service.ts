import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { formatDuration, parseDuration } from '../common/duration';
import { NotFoundError, ValidationError } from '../common/errors';
import { RulesService } from '../rules/rules.service';
import type { AlertingSpec, SloDefinition } from '../rules/slo-definition';
import { alertPairsFor } from './alert-pairs';
import { backtestYielding, type BacktestResult } from './backtest';
import { burnRate, errorBudgetRemaining, errorRatio } from './burn-rate';
import { histogramQuantile } from './histogram-quantile';
import { mergeCumulative, RollupSliReader } from './rollup-sli-reader';
import { loadMinuteCounts } from './sli-history';
import { SLI_STORE, type SliStore } from './sli-store';
import { SloEvaluator } from './slo-evaluator.service';
import { allSeries } from './series';
import { backfillPercent, prometheusSeriesForSlo } from './prometheus/pull-plan';
import { readPullStates } from './prometheus/prometheus-series-resolver';
import type { SloStatus } from './slo-status.entity';

export interface SloView {
  id: string;
  service: string;
  name: string;
  kind: 'events' | 'latency';
  source: string;
  objective: number;
  period: string;
  thresholdSeconds: number | null;
  runbookId: string;
  state: SloStatus['state'];
  /** Why the SLO has no data (a failing Prometheus query…), when it says so. */
  noDataReason: string | null;
  since: Date | null;
  burnRates: Record<string, number | null>;
  budgetRemaining: number | null;
  evaluatedAt: Date | null;
}

const STATE_RANK: Record<SloStatus['state'], number> = { ok: 0, 'no-data': 1, ticket: 2, page: 3 };

function view(slo: SloDefinition, status: SloStatus | undefined): SloView {
  return {
    id: slo.id,
    service: slo.service,
    name: slo.name,
    kind: slo.sli.kind,
    source: slo.sli.source,
    objective: slo.objective,
    period: formatDuration(slo.periodSeconds),
    thresholdSeconds: slo.sli.kind === 'latency' ? slo.sli.thresholdSeconds : null,
    runbookId: slo.runbookId,
    // Never evaluated yet is shown honestly as no data, not as ok.
    state: status?.state ?? 'no-data',
    noDataReason: typeof status?.evidence?.error === 'string' ? status.evidence.error : status ? null : 'not evaluated yet',
    since: status?.since ?? null,
    burnRates: status?.burnRates ?? {},
    budgetRemaining: status?.budgetRemaining ?? null,
    evaluatedAt: status?.evaluatedAt ?? null,
  };
}

export interface BacktestRequest {
  from: Date;
  to: Date;
  stepSeconds?: number;
  objective?: number;
  alerting?: Partial<AlertingSpec>;
}

@Injectable()
export class SlosService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: RulesService,
    private readonly evaluator: SloEvaluator,
    private readonly rollups: RollupSliReader,
    @Inject(SLI_STORE) private readonly store: SliStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private find(id: string): SloDefinition {
    const slo = this.rules.slo(id);
    if (!slo) throw new NotFoundError('SLO', id);
    return slo;
  }

  async list(filter: Record<string, unknown>): Promise<SloView[]> {
    const statuses = new Map((await this.evaluator.statuses()).map((s) => [s.sloId, s]));
    return this.rules
      .slos()
      .map((slo) => view(slo, statuses.get(slo.id)))
      .filter((v) =>
        Object.entries(filter).every(([k, want]) => {
          if (k === 'q') return `${v.service} ${v.name}`.toLowerCase().includes(String(want).toLowerCase());
          const have = (v as unknown as Record<string, unknown>)[k];
          return Array.isArray(want) ? want.map(String).includes(String(have)) : String(have) === String(want);
        }),
      );
  }

  /** One SLO with its last evidence and, for charts, burn rates over the last day and the budget over the period. */
  async get(id: string) {
    const slo = this.find(id);
    const status = (await this.evaluator.statuses()).find((s) => s.sloId === id);
    return { ...view(slo, status), evidence: status?.evidence ?? {}, history: await this.history(slo), pull: await this.pullProgress(slo) };
  }

  /** For a Prometheus-backed SLO, how far each of its queries is pulled (backfill progress, last error); null otherwise. */
  private async pullProgress(slo: SloDefinition) {
    const series = prometheusSeriesForSlo(slo);
    if (!series) return null;
    const names = allSeries(series);
    const states = await readPullStates(this.dataSource, names);
    const now = this.clock.now().getTime();
    return names.map((name) => {
      const s = states.get(name);
      return {
        series: name,
        query: s?.query ?? null,
        pulledUntil: s ? new Date(s.pulledUntil).toISOString() : null,
        backfillPercent: s ? (s.caughtUpAt === null ? backfillPercent(s, now) : 100) : 0,
        caughtUpAt: s?.caughtUpAt ? new Date(s.caughtUpAt).toISOString() : null,
        lastError: s?.lastError ?? null,
      };
    });
  }

  private async history(slo: SloDefinition) {
    const now = this.clock.now().getTime();
    const pairs = alertPairsFor(slo);
    const windows = [...new Set(pairs.flatMap((p) => [p.short, p.long]))].filter((w) => w <= 6 * 3600).sort((a, b) => a - b);
    const day = 24 * 3600 * 1000;
    const longest = Math.max(0, ...windows) * 1000;
    const minutes = await loadMinuteCounts(this.dataSource, this.rollups, slo, new Date(now - day - longest), new Date(now));
    // Prefix sums: every point of every window in one pass.
    const good = [0];
    const total = [0];
    for (const m of minutes) {
      good.push(good[good.length - 1] + m.good);
      total.push(total[total.length - 1] + m.total);
    }
    const first = minutes.length ? minutes[0].at : now;
    const burnRates = [];
    for (let t = now - day; t <= now; t += 15 * 60_000) {
      const point: Record<string, string | number | null> = { at: new Date(t).toISOString() };
      const hi = Math.max(0, Math.min(minutes.length, Math.ceil((t - first) / 60_000)));
      for (const w of windows) {
        const lo = Math.max(0, Math.min(hi, Math.ceil((t - w * 1000 - first) / 60_000)));
        point[formatDuration(w)] = burnRate(errorRatio(good[hi] - good[lo], total[hi] - total[lo]), slo.objective);
      }
      burnRates.push(point);
    }
    // Budget burn-down: daily points since the start of the current period window.
    const budget = [];
    const periodMs = slo.periodSeconds * 1000;
    const stepMs = Math.max(3600_000, Math.floor(periodMs / 30));
    for (let t = now - periodMs + stepMs; t <= now; t += stepMs) {
      const counts = (await this.rollups.windowCounts([slo], new Date(t), [Math.round((t - (now - periodMs)) / 1000)])).get(slo.id);
      const c = counts ? [...counts.windows.values()][0] : undefined;
      budget.push({ at: new Date(t).toISOString(), remaining: c ? errorBudgetRemaining(c.good, c.total, slo.objective) : null });
    }
    return { burnRates, budget };
  }

  /** Quantiles of a latency SLO's histogram over one window, computed from exactly the buckets returned. */
  async latency(id: string, window: string, qs: number[]) {
    const slo = this.find(id);
    if (slo.sli.kind !== 'latency') throw new ValidationError([{ field: 'id', message: `${id} is an events SLO; latency needs a latency SLO` }]);
    const seconds = parseDurationField('window', window);
    const series = (await this.rollups.resolveSeries([slo])).get(id);
    const names = series?.kind === 'latency' ? series.histogram : [];
    const sums = await this.store.histogramSums({ series: names, now: this.clock.now(), windowsSeconds: [seconds] });
    const buckets = mergeCumulative(names.map((n) => sums.get(n)?.get(seconds) ?? []));
    return {
      window,
      quantiles: qs.map((q) => {
        const value = buckets.length ? histogramQuantile(q, buckets) : NaN;
        return { q, value: Number.isFinite(value) ? value : null };
      }),
      buckets: buckets.map((b) => ({ le: Number.isFinite(b.le) ? b.le : '+Inf', count: b.count })),
    };
  }

  /**
   * Latency over time, for charts: per step (oldest first) the quantiles and the per-bucket
   * (not cumulative) counts of the requests in that step — quantiles over time and a heatmap.
   */
  async latencyHistory(id: string, spanText: string, stepText: string, qs: number[]) {
    const slo = this.find(id);
    if (slo.sli.kind !== 'latency') throw new ValidationError([{ field: 'id', message: `${id} is an events SLO; latency needs a latency SLO` }]);
    const span = parseDurationField('span', spanText);
    const step = parseDurationField('step', stepText);
    if (step < 60 || span / step > 200) throw new ValidationError([{ field: 'step', message: 'must be at least 1m and give at most 200 points over the span' }]);
    const series = (await this.rollups.resolveSeries([slo])).get(id);
    const names = series?.kind === 'latency' ? series.histogram : [];
    // Steps end on whole minutes (the rollups' resolution), the last at the current minute.
    const end = Math.floor(this.clock.now().getTime() / 60_000) * 60_000;
    const points = [];
    for (let at = end - span * 1000 + step * 1000; at <= end; at += step * 1000) {
      const sums = await this.store.histogramSums({ series: names, now: new Date(at), windowsSeconds: [step] });
      const cumulative = mergeCumulative(names.map((n) => sums.get(n)?.get(step) ?? []));
      points.push({
        at: new Date(at).toISOString(),
        total: cumulative.at(-1)?.count ?? 0,
        quantiles: qs.map((q) => {
          const value = cumulative.length ? histogramQuantile(q, cumulative) : NaN;
          return { q, value: Number.isFinite(value) ? value : null };
        }),
        buckets: cumulative.map((b, i) => ({ le: Number.isFinite(b.le) ? b.le : '+Inf', count: b.count - (i > 0 ? cumulative[i - 1].count : 0) })),
      });
    }
    return { span: spanText, step: stepText, points };
  }

  /** Services with their SLOs' worst state and lowest budget. */
  async services() {
    const slos = await this.list({});
    const byService = new Map<string, SloView[]>();
    for (const s of slos) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
    return [...byService].map(([service, list]) => ({
      id: service,
      name: service,
      slos: list.length,
      state: list.reduce((worst, s) => (STATE_RANK[s.state] > STATE_RANK[worst] ? s.state : worst), 'ok' as SloStatus['state']),
      budgetRemaining: list.reduce<number | null>((min, s) => (s.budgetRemaining === null ? min : min === null ? s.budgetRemaining : Math.min(min, s.budgetRemaining)), null),
    }));
  }

  /** Replays stored minutes through the SLO's rules, or through an edited copy of them. */
  async backtest(id: string, req: BacktestRequest, onProgress?: (done: number, total: number) => void): Promise<BacktestResult & { slo: string }> {
    const base = this.find(id);
    const slo: SloDefinition = {
      ...base,
      objective: req.objective ?? base.objective,
      alerting: { ...base.alerting, ...(req.alerting ?? {}) },
    };
    // The rules alerts/ YAML holds windows to: a window longer than the period would load (and scan) years of minutes.
    const problems = (req.alerting?.windows ?? []).flatMap((w, i) => [
      ...(w.short >= w.long ? [{ field: `alerting.windows.${i}.short`, message: 'must be shorter than long' }] : []),
      ...(w.long > base.periodSeconds ? [{ field: `alerting.windows.${i}.long`, message: `must not exceed the SLO period (${base.periodSeconds} s)` }] : []),
    ]);
    if (problems.length > 0) throw new ValidationError(problems);
    const pairs = alertPairsFor(slo);
    if (pairs.length === 0) throw new ValidationError([{ field: 'alerting', message: 'page and ticket leave no window pair to replay' }]);
    const longest = Math.max(...pairs.map((p) => p.long)) * 1000;
    const minutes = await loadMinuteCounts(this.dataSource, this.rollups, slo, new Date(req.from.getTime() - longest), req.to);
    const result = await backtestYielding({
      objective: slo.objective,
      pairs,
      minEvents: slo.alerting.minEvents,
      minutes,
      from: req.from.getTime(),
      to: req.to.getTime(),
      stepMs: (req.stepSeconds ?? 60) * 1000,
      onProgress,
    });
    return { slo: id, ...result };
  }
}

function parseDurationField(field: string, text: string): number {
  try {
    return parseDuration(text);
  } catch {
    throw new ValidationError([{ field, message: 'must be a duration such as 5m, 1h or 1d' }]);
  }
}

