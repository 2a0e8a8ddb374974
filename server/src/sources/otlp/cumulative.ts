import { downscale, STORAGE_MAX_SCALE, toLeBuckets, type ExponentialBuckets, type ExponentialHistogram } from '../../slo/exponential-histogram';
import type { HistogramBucket } from '../../slo/histogram-quantile';
import { sameBounds, type OtlpPoint, type PointData } from './otlp-points';

/**
 * Turns each stream's points into increases, the only thing the SLI store keeps: a delta point
 * is an increase already; a cumulative point is the total since `start_time`, and its increase
 * is the difference from the stream's previous point. Pure: the previous point comes in as
 * `StreamState` (kept in PostgreSQL by the caller) and the next state goes out.
 *
 * Counter resets: a new start_time (the process restarted), or any value going down (a total,
 * a bucket), means the counter started over, so the whole new value is the increase.
 * The very first point of a cumulative stream is its increase only when it covers at most
 * FIRST_POINT_MAX_SPAN since its start (a process that just started); an older total is taken
 * as the baseline, or the first export of a long-running service would land as one huge spike
 * (the OpenTelemetry Collector's cumulativetodelta processor does the same).
 */

export const FIRST_POINT_MAX_SPAN_NS = 5 * 60 * 1e9;

/** What is kept per stream between points. Histograms at scale ≤ STORAGE_MAX_SCALE. */
export type StreamState = { startNs: number; timeNs: number } & (
  | { kind: 'delta' }
  | { kind: 'sum'; value: number }
  | { kind: 'histogram'; bounds: number[]; counts: number[] }
  | { kind: 'exponential_histogram'; histogram: ExponentialHistogram }
);

/**
 * What a point adds. Explicit histograms stay as per-bucket counts over their bounds (the
 * writer adds up a minute of them before turning the total into `le` buckets, once);
 * exponential ones are turned into `le` buckets at once (their bounds move with the scale).
 */
export type Increase =
  | { kind: 'sum'; value: number }
  | { kind: 'histogram'; bounds: readonly number[]; counts: readonly number[] }
  | { kind: 'buckets'; buckets: HistogramBucket[] };

export type Outcome = 'stored' | 'baseline' | 'reset' | 'duplicate';

export interface Step {
  /** Null when nothing is to be stored (baseline, duplicate, or an increase of zero). */
  increase: Increase | null;
  /** Null when the state does not change. */
  next: StreamState | null;
  outcome: Outcome;
}

/**
 * Explicit buckets → per-bucket `le` counts: each non-empty bucket at its upper bound (+Inf for
 * the last), with the bound below it (count 0) so interpolation stays inside the real bucket,
 * and +Inf always present. Empty when every count is zero.
 */
export function explicitLeBuckets(bounds: readonly number[], counts: readonly number[]): HistogramBucket[] {
  const out: HistogramBucket[] = [];
  const le = (i: number) => (i < bounds.length ? bounds[i] : Number.POSITIVE_INFINITY);
  let any = false;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      any = true;
      if (i > 0 && !(counts[i - 1] > 0)) out.push({ le: le(i - 1), count: 0 });
      out.push({ le: le(i), count: counts[i] });
    }
  }
  if (!any) return [];
  if (out[out.length - 1].le !== Number.POSITIVE_INFINITY) out.push({ le: Number.POSITIVE_INFINITY, count: 0 });
  return out;
}

function increaseOf(data: PointData): Increase | null {
  if (data.kind === 'sum') return data.value > 0 ? { kind: 'sum', value: data.value } : null;
  if (data.kind === 'histogram') return data.counts.some((c) => c > 0) ? { kind: 'histogram', bounds: data.bounds, counts: data.counts } : null;
  const buckets = toLeBuckets(data.histogram, STORAGE_MAX_SCALE);
  return buckets.length ? { kind: 'buckets', buckets } : null;
}

/** A histogram increase as the `le` buckets the SLI store keeps. */
export function leBucketsOf(inc: Exclude<Increase, { kind: 'sum' }>): HistogramBucket[] {
  return inc.kind === 'histogram' ? explicitLeBuckets(inc.bounds, inc.counts) : inc.buckets;
}

function capScale(h: ExponentialHistogram): ExponentialHistogram {
  return h.scale > STORAGE_MAX_SCALE ? downscale(h, STORAGE_MAX_SCALE) : h;
}

function stateOf(p: OtlpPoint): StreamState {
  const { startNs, timeNs } = p;
  if (p.temporality === 'delta') return { kind: 'delta', startNs, timeNs };
  switch (p.data.kind) {
    case 'sum':
      return { kind: 'sum', startNs, timeNs, value: p.data.value };
    case 'histogram':
      return { kind: 'histogram', startNs, timeNs, bounds: p.data.bounds, counts: p.data.counts };
    case 'exponential_histogram':
      return { kind: 'exponential_histogram', startNs, timeNs, histogram: capScale(p.data.histogram) };
  }
}

/** b - a bucket by bucket (same scale), or null when any bucket went down. */
function subtractBuckets(cur: ExponentialBuckets, prev: ExponentialBuckets): ExponentialBuckets | null {
  if (cur.counts.length === 0 && prev.counts.length === 0) return { offset: 0, counts: [] };
  const lo = Math.min(cur.counts.length ? cur.offset : Infinity, prev.counts.length ? prev.offset : Infinity);
  const hi = Math.max(cur.offset + cur.counts.length, prev.offset + prev.counts.length);
  const counts: number[] = [];
  for (let i = lo; i < hi; i++) {
    const c = cur.counts[i - cur.offset] ?? 0;
    const p = prev.counts[i - prev.offset] ?? 0;
    if (c < p) return null;
    counts.push(c - p);
  }
  return { offset: lo, counts };
}

function exponentialDifference(cur: ExponentialHistogram, prev: ExponentialHistogram): ExponentialHistogram | null {
  if (cur.zeroThreshold !== prev.zeroThreshold) return null;
  // Exporters lower the scale when the range grows; compare at the coarser of the two (exact).
  const scale = Math.min(cur.scale, prev.scale);
  const c = downscale(cur, scale);
  const p = downscale(prev, scale);
  if (c.zeroCount < p.zeroCount) return null;
  const positive = subtractBuckets(c.positive, p.positive);
  const negative = subtractBuckets(c.negative, p.negative);
  if (!positive || !negative) return null;
  return { scale, zeroThreshold: c.zeroThreshold, zeroCount: c.zeroCount - p.zeroCount, positive, negative };
}

/** The increase since `prev` of a cumulative point of the same kind and start, or null on a reset. */
function cumulativeIncrease(prev: StreamState, cur: StreamState): Increase | null | 'reset' {
  if (prev.kind === 'sum' && cur.kind === 'sum') {
    return cur.value < prev.value ? 'reset' : increaseOf({ kind: 'sum', value: cur.value - prev.value });
  }
  if (prev.kind === 'histogram' && cur.kind === 'histogram') {
    if (!sameBounds(prev.bounds, cur.bounds)) return 'reset';
    const diff = new Array<number>(cur.counts.length);
    for (let i = 0; i < diff.length; i++) {
      diff[i] = cur.counts[i] - prev.counts[i];
      if (diff[i] < 0) return 'reset';
    }
    return increaseOf({ kind: 'histogram', bounds: cur.bounds, counts: diff });
  }
  if (prev.kind === 'exponential_histogram' && cur.kind === 'exponential_histogram') {
    const diff = exponentialDifference(cur.histogram, prev.histogram);
    return diff ? increaseOf({ kind: 'exponential_histogram', histogram: diff }) : 'reset';
  }
  return 'reset';
}

/** One point of a stream against the stream's previous state. */
export function advance(prev: StreamState | null, p: OtlpPoint): Step {
  const next = stateOf(p);
  if (p.temporality === 'delta') {
    // An exact repeat of the last point is a retried request whose answer was lost.
    if (prev && prev.kind === 'delta' && prev.timeNs === p.timeNs && prev.startNs === p.startNs) return { increase: null, next: null, outcome: 'duplicate' };
    const keep = prev && prev.kind === 'delta' && prev.timeNs > p.timeNs ? null : next;
    return { increase: increaseOf(p.data), next: keep, outcome: 'stored' };
  }
  if (!prev || prev.kind === 'delta' || prev.kind !== next.kind) {
    const fresh = p.startNs > 0 && p.timeNs - p.startNs <= FIRST_POINT_MAX_SPAN_NS;
    return fresh ? { increase: increaseOf(p.data), next, outcome: 'stored' } : { increase: null, next, outcome: 'baseline' };
  }
  // Older than what we have (a late retry, or a point of a previous process): already covered.
  if (p.timeNs <= prev.timeNs) return { increase: null, next: null, outcome: 'duplicate' };
  if (p.startNs !== prev.startNs) return { increase: increaseOf(p.data), next, outcome: 'reset' };
  const inc = cumulativeIncrease(prev, next);
  if (inc === 'reset') return { increase: increaseOf(p.data), next, outcome: 'reset' };
  return { increase: inc, next, outcome: 'stored' };
}
