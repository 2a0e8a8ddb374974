import type { SliSpec, SloDefinition } from '../rules/slo-definition';
import type { WindowCounts } from './burn-rate';
import { RollupSliReader } from './rollup-sli-reader';
import type { SeriesResolver, SliReader, SloSeries, SloWindowCounts } from './sli-reader';
import type { SliStore } from './sli-store';
import { SliWindowCache, type CacheNeeds, type CacheView, type WindowCacheOptions } from './sli-window-cache';

/**
 * The rollup reader the live evaluator uses: the same answers as RollupSliReader, from the
 * in-memory window cache (sli-window-cache.ts) instead of summing rows in the database on every
 * pass. A `now` the cache does not hold (back-testing, history) falls back to the SQL reader,
 * as does a store without a row feed.
 */
export class CachedRollupSliReader implements SliReader {
  readonly sources: ReadonlyArray<SliSpec['source']>;
  private readonly sql: RollupSliReader;
  readonly cache: SliWindowCache | null;

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
    if (!this.cache) return this.sql.windowCounts(slos, now, windowsSeconds);
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
    return cached ?? this.sql.windowCounts(slos, now, windowsSeconds);
  }
}

/** Per SLO and window, good and total from the series sums, exactly as RollupSliReader combines them. */
function combine(view: CacheView, slos: SloDefinition[], seriesBySlo: Map<string, SloSeries>, windowsSeconds: number[]): Map<string, SloWindowCounts> {
  const sum = (sums: Float64Array[], i: number) => sums.reduce((acc, s) => acc + s[i], 0);
  const out = new Map<string, SloWindowCounts>();
  for (const slo of slos) {
    const series = seriesBySlo.get(slo.id);
    const windows = new Map<number, WindowCounts>();
    if (series?.kind === 'events') {
      const total = series.total.map((n) => view.counter(n));
      const good = series.good?.map((n) => view.counter(n));
      const bad = (series.bad ?? []).map((n) => view.counter(n));
      windowsSeconds.forEach((w, i) => {
        const t = sum(total, i);
        const g = good ? sum(good, i) : t - sum(bad, i);
        windows.set(w, { total: t, good: Math.min(t, Math.max(0, g)) });
      });
    } else if (series?.kind === 'latency') {
      const total = series.histogram.map((n) => view.histogramTotal(n));
      const good = series.histogram.map((n) => view.histogramGood(n, series.thresholdSeconds));
      windowsSeconds.forEach((w, i) => windows.set(w, { total: sum(total, i), good: sum(good, i) }));
    }
    out.set(slo.id, { windows });
  }
  return out;
}
