import type { SloDefinition } from '../rules/slo-definition';
import type { WindowCounts } from './burn-rate';
import { countAtOrBelow } from './histogram-quantile';
import type { SeriesResolver, SliReader, SloSeries, SloWindowCounts } from './sli-reader';
import { allSeries } from './series';
import type { SliStore } from './sli-store';

/**
 * Answers window counts from Headroom's own rollups (simulator, OTLP push, Prometheus pull):
 * resolves each SLO to its series, then reads every window of every series in two queries.
 */
export class RollupSliReader implements SliReader {
  readonly sources;

  constructor(
    private readonly store: SliStore,
    private readonly resolvers: SeriesResolver[],
  ) {
    this.sources = resolvers.map((r) => r.source);
  }

  async resolveSeries(slos: SloDefinition[]): Promise<Map<string, SloSeries>> {
    const out = new Map<string, SloSeries>();
    for (const resolver of this.resolvers) {
      const mine = slos.filter((s) => s.sli.source === resolver.source);
      if (mine.length) for (const [id, series] of await resolver.resolve(mine)) out.set(id, series);
    }
    return out;
  }

  async slosTouchedBy(slos: SloDefinition[], series: ReadonlySet<string>): Promise<SloDefinition[]> {
    const resolved = await this.resolveSeries(slos);
    return slos.filter((slo) => {
      const s = resolved.get(slo.id);
      return s ? allSeries(s).some((name) => series.has(name)) : false;
    });
  }

  async windowCounts(slos: SloDefinition[], now: Date, windowsSeconds: number[]): Promise<Map<string, SloWindowCounts>> {
    const seriesBySlo = await this.resolveSeries(slos);
    const counterSeries = new Set<string>();
    const histogramSeries = new Set<string>();
    for (const s of seriesBySlo.values()) {
      if (s.kind === 'latency') s.histogram.forEach((x) => histogramSeries.add(x));
      else [...s.total, ...(s.bad ?? []), ...(s.good ?? [])].forEach((x) => counterSeries.add(x));
    }
    const [counters, histograms] = await Promise.all([
      this.store.counterSums({ series: [...counterSeries], now, windowsSeconds }),
      this.store.histogramSums({ series: [...histogramSeries], now, windowsSeconds }),
    ]);
    const sum = (names: string[] | undefined, w: number) => (names ?? []).reduce((acc, n) => acc + (counters.get(n)?.get(w) ?? 0), 0);
    const out = new Map<string, SloWindowCounts>();
    for (const slo of slos) {
      const series = seriesBySlo.get(slo.id);
      const windows = new Map<number, WindowCounts>();
      if (series) {
        for (const w of windowsSeconds) {
          if (series.kind === 'events') {
            const total = sum(series.total, w);
            const good = series.good ? sum(series.good, w) : total - sum(series.bad, w);
            windows.set(w, { total, good: Math.min(total, Math.max(0, good)) });
          } else {
            const buckets = mergeCumulative(series.histogram.map((h) => histograms.get(h)?.get(w) ?? []));
            const total = buckets.length ? buckets[buckets.length - 1].count : 0;
            const good = total > 0 ? countAtOrBelow(series.thresholdSeconds, buckets) : 0;
            windows.set(w, { total, good: Number.isFinite(good) ? good : 0 });
          }
        }
      }
      out.set(slo.id, series?.noData === undefined ? { windows } : { windows, error: series.noData });
    }
    return out;
  }
}

/** Adds cumulative bucket lists of several series bound by bound (bounds may differ). */
export function mergeCumulative(lists: Array<Array<{ le: number; count: number }>>): Array<{ le: number; count: number }> {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? [];
  const bounds = [...new Set(nonEmpty.flatMap((l) => l.map((b) => b.le)))].sort((a, b) => a - b);
  // A series without a given bound contributes its cumulative count at the next lower bound.
  return bounds.map((le) => ({
    le,
    count: nonEmpty.reduce((acc, l) => {
      let c = 0;
      for (const b of l) if (b.le <= le) c = b.count;
      return acc + c;
    }, 0),
  }));
}
