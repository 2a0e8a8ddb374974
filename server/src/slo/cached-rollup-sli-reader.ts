import type { SliSpec, SloDefinition } from '../rules/slo-definition';
import { RollupSliReader } from './rollup-sli-reader';
import { countsOfTable, tableOfCounts, type SeriesResolver, type SliReader, type SloSeries, type SloWindowCounts, type WindowCountsTable } from './sli-reader';
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
    const table = await this.cachedTable(slos, now, windowsSeconds);
    if (!table) return this.fromDatabase(slos, now, windowsSeconds);
    return new Map(slos.map((slo) => [slo.id, countsOfTable(table, slo.id)!]));
  }

  async windowTable(slos: SloDefinition[], now: Date, windowsSeconds: number[]): Promise<WindowCountsTable> {
    const table = this.cache ? await this.cachedTable(slos, now, windowsSeconds) : null;
    return table ?? tableOfCounts(await this.fromDatabase(slos, now, windowsSeconds), windowsSeconds);
  }

  private async cachedTable(slos: SloDefinition[], now: Date, windowsSeconds: number[]): Promise<WindowCountsTable | null> {
    const seriesBySlo = await this.sql.resolveSeries(slos);
    const counters = new Set<string>();
    const needs: CacheNeeds = { counters, histograms: new Map() };
    for (const s of seriesBySlo.values()) {
      if (s.kind === 'latency') {
        for (const h of s.histogram) {
          const thresholds = needs.histograms.get(h);
          if (thresholds) thresholds.add(s.thresholdSeconds);
          else needs.histograms.set(h, new Set([s.thresholdSeconds]));
        }
      } else {
        for (const name of s.total) counters.add(name);
        if (s.bad) for (const name of s.bad) counters.add(name);
        if (s.good) for (const name of s.good) counters.add(name);
      }
    }
    const cached = await this.cache!.read(needs, now, windowsSeconds, (view) => combine(view, slos, seriesBySlo, windowsSeconds));
    if (!cached) return null;
    this.answered.cache++;
    return cached;
  }

  private fromDatabase(slos: SloDefinition[], now: Date, windowsSeconds: number[]): Promise<Map<string, SloWindowCounts>> {
    this.answered.database++;
    return this.sql.windowCounts(slos, now, windowsSeconds);
  }
}

/** Per SLO and window, good and total from the series sums, exactly as RollupSliReader combines them. */
function combine(view: CacheView, slos: SloDefinition[], seriesBySlo: Map<string, SloSeries>, windowsSeconds: number[]): WindowCountsTable {
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
  const rows = new Map<string, number>();
  const good = new Float64Array(slos.length * n);
  const total = new Float64Array(slos.length * n);
  const present = new Uint8Array(slos.length * n);
  const errors = new Map<string, string>();
  for (let r = 0; r < slos.length; r++) {
    const slo = slos[r];
    rows.set(slo.id, r);
    const series = seriesBySlo.get(slo.id);
    if (series?.noData !== undefined) errors.set(slo.id, series.noData);
    const at = r * n;
    if (series?.kind === 'events') {
      const t = added(series.total, view.counter);
      const g = series.good ? added(series.good, view.counter) : null;
      const b = series.bad ? added(series.bad, view.counter) : null;
      for (let i = 0; i < n; i++) {
        const ti = t[i];
        const gi = g ? g[i] : ti - b![i];
        total[at + i] = ti;
        good[at + i] = Math.min(ti, Math.max(0, gi));
        present[at + i] = 1;
      }
    } else if (series?.kind === 'latency') {
      const threshold = series.thresholdSeconds;
      const t = added(series.histogram, view.histogramTotal);
      const g = added(series.histogram, (name) => view.histogramGood(name, threshold));
      for (let i = 0; i < n; i++) {
        total[at + i] = t[i];
        good[at + i] = g[i];
        present[at + i] = 1;
      }
    }
  }
  return { windowsSeconds, rows, good, total, present, errors };
}
