import type { SliSpec, SloDefinition } from '../rules/slo-definition';
import type { WindowCounts } from './burn-rate';
import { RollupSliReader } from './rollup-sli-reader';
import type { SeriesResolver, SliReader, SloSeries, SloWindowCounts } from './sli-reader';
import type { SliStore } from './sli-store';
import { SliWindowCache, type CacheNeeds, type CacheView, type WindowCacheOptions } from './sli-window-cache';

/**
 * The rollup reader the live evaluator uses: the same answers as RollupSliReader, from the
 * in-memory window cache (sli-window-cache.ts) instead of summing rows in the database on every
 * pass. The SQL reader answers instead for a `now` the cache does not hold (back-testing,
 * history), while the cache loads (the first pass after a start), and for a store without a
 * row feed.
 */
export class CachedRollupSliReader implements SliReader {
  readonly sources: ReadonlyArray<SliSpec['source']>;
  private readonly sql: RollupSliReader;
  readonly cache: SliWindowCache | null;
  /** How calls were answered: from the cache, or from the database (a past time, or the cache still loading). */
  readonly answered = { cache: 0, database: 0 };

  constructor(store: SliStore, resolvers: SeriesResolver[], options: WindowCacheOptions & { cache?: SliWindowCache } = {}) {
    this.sql = new RollupSliReader(store, resolvers);
    this.sources = this.sql.sources;
    this.cache = options.cache ?? (store.rows ? new SliWindowCache(store.rows, options) : null);
  }

  resolveSeries(slos: SloDefinition[]): Promise<Map<string, SloSeries>> {
    return this.sql.resolveSeries(slos);
  }

  slosTouchedBy(slos: SloDefinition[], series: ReadonlySet<string>): Promise<SloDefinition[]> {
    return this.sql.slosTouchedBy(slos, series);
  }

  async windowCounts(slos: SloDefinition[], now: Date, windowsSeconds: number[]): Promise<Map<string, SloWindowCounts>> {
    if (!this.cache) return this.fromDatabase(slos, now, windowsSeconds);
    const seriesBySlo = await this.sql.resolveSeries(slos);
    const counters = new Set<string>();
    const needs: CacheNeeds = { counters, histograms: new Map() };
    for (const s of seriesBySlo.values()) {
      if (s.kind === 'latency') {
        for (const h of s.histogram) needs.histograms.set(h, (needs.histograms.get(h) ?? new Set()).add(s.thresholdSeconds));
      } else {
        for (const name of [...s.total, ...(s.bad ?? []), ...(s.good ?? [])]) counters.add(name);
      }
    }
    const cached = await this.cache.read(needs, now, windowsSeconds, (view) => combine(view, slos, seriesBySlo, windowsSeconds));
    if (!cached) return this.fromDatabase(slos, now, windowsSeconds);
    this.answered.cache++;
    return cached;
  }

  private fromDatabase(slos: SloDefinition[], now: Date, windowsSeconds: number[]): Promise<Map<string, SloWindowCounts>> {
    this.answered.database++;
    return this.sql.windowCounts(slos, now, windowsSeconds);
  }
}

/** Per SLO and window, good and total from the series sums, exactly as RollupSliReader combines them. */
function combine(view: CacheView, slos: SloDefinition[], seriesBySlo: Map<string, SloSeries>, windowsSeconds: number[]): Map<string, SloWindowCounts> {
  const n = windowsSeconds.length;
  // Sums of several series added up; one series (the usual case) is used as it is.
  const added = (names: string[], sums: (name: string) => Float64Array): Float64Array => {
    if (names.length === 1) return sums(names[0]);
    const out = new Float64Array(n);
    for (const name of names) {
      const s = sums(name);
      for (let i = 0; i < n; i++) out[i] += s[i];
    }
    return out;
  };
  const out = new Map<string, SloWindowCounts>();
  for (const slo of slos) {
    const series = seriesBySlo.get(slo.id);
    const windows = new Map<number, WindowCounts>();
    if (series?.kind === 'events') {
      const total = added(series.total, view.counter);
      const good = series.good ? added(series.good, view.counter) : null;
      const bad = series.bad ? added(series.bad, view.counter) : null;
      for (let i = 0; i < n; i++) {
        const t = total[i];
        const g = good ? good[i] : t - bad![i];
        windows.set(windowsSeconds[i], { total: t, good: Math.min(t, Math.max(0, g)) });
      }
    } else if (series?.kind === 'latency') {
      const threshold = series.thresholdSeconds;
      const total = added(series.histogram, view.histogramTotal);
      const good = added(series.histogram, (name) => view.histogramGood(name, threshold));
      for (let i = 0; i < n; i++) windows.set(windowsSeconds[i], { total: total[i], good: good[i] });
    }
    out.set(slo.id, { windows });
  }
  return out;
}
