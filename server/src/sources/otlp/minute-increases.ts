import type { HistogramBucket } from '../../slo/histogram-quantile';
import type { CounterSample, HistogramSample } from '../../slo/sli-store';
import { explicitLeBuckets, type Increase } from './cumulative';
import { sameBounds } from './otlp-points';

const MINUTE_MS = 60_000;

/** One series' histogram increases within one minute. */
interface HistogramMinute {
  /** Explicit-bucket increases added up over one set of bounds (the usual case: a series keeps its bounds). */
  bounds: readonly number[] | null;
  counts: number[] | null;
  /** Everything else (exponential histograms, a second set of bounds) as counts by `le`. */
  byLe: Map<number, number> | null;
}

function addByLe(row: HistogramMinute, buckets: readonly HistogramBucket[]): void {
  const byLe = (row.byLe ??= new Map());
  for (const b of buckets) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count);
}

/**
 * Adds up the increases of a batch per series and minute (the pods of a service exporting the
 * same series), so the store has one sample per rollup row to upsert instead of one per pod.
 * Explicit histograms are added bucket by bucket as arrays and turned into `le` buckets once per
 * series and minute, not once per point (that was most of the ingest's garbage). The result is
 * the same as adding the points' `le` buckets: a lower edge with count 0 is kept exactly where
 * every point had that bucket empty.
 */
export class MinuteIncreases {
  private readonly sums = new Map<string, Map<number, number>>();
  private readonly histograms = new Map<string, Map<number, HistogramMinute>>();

  add(series: string, atMs: number, inc: Increase): void {
    const minute = Math.floor(atMs / MINUTE_MS) * MINUTE_MS;
    if (inc.kind === 'sum') {
      let minutes = this.sums.get(series);
      if (!minutes) this.sums.set(series, (minutes = new Map()));
      minutes.set(minute, (minutes.get(minute) ?? 0) + inc.value);
      return;
    }
    let minutes = this.histograms.get(series);
    if (!minutes) this.histograms.set(series, (minutes = new Map()));
    let row = minutes.get(minute);
    if (!row) minutes.set(minute, (row = { bounds: null, counts: null, byLe: null }));
    if (inc.kind === 'buckets') return addByLe(row, inc.buckets);
    if (!row.counts || !row.bounds) {
      row.bounds = inc.bounds;
      row.counts = Array.from(inc.counts);
    } else if (sameBounds(row.bounds, inc.bounds)) {
      for (let i = 0; i < row.counts.length; i++) row.counts[i] += inc.counts[i];
    } else {
      addByLe(row, explicitLeBuckets(inc.bounds, inc.counts));
    }
  }

  get empty(): boolean {
    return this.sums.size === 0 && this.histograms.size === 0;
  }

  samples(): { counters: CounterSample[]; histograms: HistogramSample[] } {
    const counters: CounterSample[] = [];
    for (const [series, minutes] of this.sums) for (const [minute, value] of minutes) counters.push({ series, at: new Date(minute), value });
    const histograms: HistogramSample[] = [];
    for (const [series, minutes] of this.histograms) {
      for (const [minute, row] of minutes) {
        let buckets = row.counts && row.bounds ? explicitLeBuckets(row.bounds, row.counts) : [];
        if (row.byLe) {
          const all = new Map(row.byLe);
          for (const b of buckets) all.set(b.le, (all.get(b.le) ?? 0) + b.count);
          buckets = [...all].map(([le, count]) => ({ le, count }));
        }
        if (buckets.length > 0) histograms.push({ series, at: new Date(minute), buckets });
      }
    }
    return { counters, histograms };
  }
}
