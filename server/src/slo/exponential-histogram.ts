// Exponential histograms: OpenTelemetry's ExponentialHistogram data points, which have the same
// buckets as Prometheus native histograms.
//
// At scale s the base is 2^(2^-s): every bucket is `base` times wider than the one below it, so
// the relative error of any value read from a bucket is bounded by base - 1 whatever the range.
// Bucket index i holds the observations v with base^i < |v| <= base^(i+1): the positive range for
// v > 0, the negative range (mirrored) for v < 0. The zero bucket holds |v| <= zeroThreshold.
// (Prometheus numbers a bucket by its upper bound, so OTel index i is Prometheus index i + 1; the
// bounds are identical.) Scales run from -10 to 20; a lower scale has wider buckets, and halving
// the resolution (scale - 1) merges buckets 2i and 2i + 1 exactly, because the bounds nest.

import type { HistogramBucket } from './histogram-quantile';

export interface ExponentialBuckets {
  /** Index of the first count. */
  offset: number;
  counts: readonly number[];
}

export interface ExponentialHistogram {
  scale: number;
  zeroCount: number;
  /** Width of the zero bucket, [-zeroThreshold, zeroThreshold]; 0 when only exact zeros count. */
  zeroThreshold: number;
  positive: ExponentialBuckets;
  negative: ExponentialBuckets;
}

export const MIN_SCALE = -10;
export const MAX_SCALE = 20;

/**
 * The finest scale kept when an exponential histogram is stored as `le` buckets. At scale 4 a
 * bucket spans a factor 2^(1/16) ≈ 1.0443, so a quantile or threshold count read from the
 * stored buckets is off by at most 4.43% of the value (the estimate and the true value lie in
 * the same bucket). Histograms exported at a coarser scale keep their own, coarser, bounds.
 */
export const STORAGE_MAX_SCALE = 4;

/** base^index at this scale: the lower bound of positive bucket `index` (upper bound of index - 1). */
export function bucketBound(scale: number, index: number): number {
  // index * 2^-scale is exact in binary floating point, so the same boundary reached from
  // different scales (bucket 2i at scale s + 1 and bucket i at scale s) gives the same number.
  return Math.pow(2, index * Math.pow(2, -scale));
}

/** Relative width of one bucket at this scale (base - 1): the error bound of a value read from it. */
export function relativeBucketWidth(scale: number): number {
  return Math.pow(2, Math.pow(2, -scale)) - 1;
}

export function totalCount(h: ExponentialHistogram): number {
  let n = h.zeroCount;
  for (const c of h.positive.counts) n += c;
  for (const c of h.negative.counts) n += c;
  return n;
}

function downscaleBuckets(b: ExponentialBuckets, shift: number): ExponentialBuckets {
  if (shift === 0 || b.counts.length === 0) return { offset: b.offset, counts: [...b.counts] };
  const factor = Math.pow(2, shift);
  const offset = Math.floor(b.offset / factor);
  const counts: number[] = [];
  b.counts.forEach((c, k) => {
    const j = Math.floor((b.offset + k) / factor) - offset;
    counts[j] = (counts[j] ?? 0) + c;
  });
  for (let j = 0; j < counts.length; j++) counts[j] ??= 0;
  return { offset, counts };
}

/** The same histogram at a lower (coarser) scale: exact, since buckets merge whole. */
export function downscale(h: ExponentialHistogram, scale: number): ExponentialHistogram {
  if (scale > h.scale) throw new RangeError(`cannot downscale from scale ${h.scale} to the finer scale ${scale}`);
  const shift = h.scale - scale;
  return { ...h, scale, positive: downscaleBuckets(h.positive, shift), negative: downscaleBuckets(h.negative, shift) };
}

interface Bucket {
  lower: number;
  upper: number;
  count: number;
}

/** Every bucket from the lowest value to the highest: negative (most negative first), zero, positive. */
function ascendingBuckets(h: ExponentialHistogram): Bucket[] {
  const out: Bucket[] = [];
  const neg = h.negative;
  for (let k = neg.counts.length - 1; k >= 0; k--) {
    const i = neg.offset + k;
    out.push({ lower: -bucketBound(h.scale, i + 1), upper: -bucketBound(h.scale, i), count: neg.counts[k] });
  }
  out.push({ lower: -h.zeroThreshold, upper: h.zeroThreshold, count: h.zeroCount });
  const pos = h.positive;
  pos.counts.forEach((count, k) => {
    const i = pos.offset + k;
    out.push({ lower: bucketBound(h.scale, i), upper: bucketBound(h.scale, i + 1), count });
  });
  return out;
}

const anyCount = (b: ExponentialBuckets) => b.counts.some((c) => c > 0);

/**
 * The q-quantile of an exponential histogram with Prometheus' native-histogram semantics
 * (histogram_quantile over a native histogram):
 * - q < 0 → -Inf, q > 1 → +Inf, q NaN or no observations → NaN;
 * - inside an exponential bucket the observations are assumed to fill it evenly on a log scale
 *   (exponential interpolation), so the half-way rank of (1, 2] is √2, not 1.5;
 * - inside the zero bucket interpolation is linear, from 0 when there are only positive
 *   observations (to 0 when there are only negative ones);
 * - ranks are counted from the top for q >= 0.5, as Prometheus does, for the same rounding.
 */
export function exponentialQuantile(q: number, h: ExponentialHistogram): number {
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const total = totalCount(h);
  if (Number.isNaN(q) || !(total > 0)) return Number.NaN;

  const ascending = ascendingBuckets(h);
  const fromTop = q >= 0.5;
  const order = fromTop ? ascending.reverse() : ascending;
  let rank = fromTop ? (1 - q) * total : q * total;
  let count = 0;
  let bucket: Bucket = order[0];
  for (const b of order) {
    if (b.count === 0) continue;
    bucket = b;
    count += b.count;
    if (count >= rank) break;
  }
  let { lower, upper } = bucket;
  if (lower < 0 && upper > 0) {
    const negatives = anyCount(h.negative);
    const positives = anyCount(h.positive);
    if (!negatives && positives) lower = 0;
    else if (negatives && !positives) upper = 0;
  }
  count = Math.min(count, total);
  if (count < rank) return upper;
  rank = fromTop ? count - rank : rank - (count - bucket.count);
  const fraction = rank / bucket.count;
  if (lower <= 0 && upper >= 0) return lower + (upper - lower) * fraction;
  const logLower = Math.log2(Math.abs(lower));
  const logUpper = Math.log2(Math.abs(upper));
  if (lower > 0) return Math.pow(2, logLower + (logUpper - logLower) * fraction);
  return -Math.pow(2, logUpper + (logLower - logUpper) * (1 - fraction));
}

/**
 * Classic `le` buckets (per-bucket counts, not cumulative, sorted by le, +Inf last) holding the
 * same observations, for the minute rollups that latency SLOs and quantiles read. The histogram
 * is first brought down to at most `maxScale` (exact merging); every non-empty bucket becomes
 * the count at its upper bound, and its lower bound is written too (count 0) when no other bucket
 * ends there, so classic linear interpolation happens inside the real bucket, not from the
 * previous non-empty one. Only non-empty buckets and their edges are kept (the rollups stay
 * small). Negative buckets become negative bounds; the zero bucket becomes `le = zeroThreshold`
 * (with `-zeroThreshold` as its lower edge only when there are negative observations, matching
 * the native rule that the zero bucket starts at 0 otherwise). Returns [] when nothing was observed.
 */
export function toLeBuckets(h: ExponentialHistogram, maxScale: number = STORAGE_MAX_SCALE): HistogramBucket[] {
  const d = h.scale > maxScale ? downscale(h, maxScale) : h;
  const counts = new Map<number, number>();
  const add = (le: number, c: number) => counts.set(le, (counts.get(le) ?? 0) + c);
  const edge = (le: number) => {
    if (!counts.has(le)) counts.set(le, 0);
  };
  const zt = d.zeroThreshold;
  const negatives = anyCount(d.negative);
  d.negative.counts.forEach((c, k) => {
    if (c <= 0) return;
    const i = d.negative.offset + k;
    add(-bucketBound(d.scale, i), c);
    const lowerEdge = -bucketBound(d.scale, i + 1);
    if (Number.isFinite(lowerEdge)) edge(lowerEdge);
  });
  if (d.zeroCount > 0) {
    add(zt, d.zeroCount);
    if (negatives && zt > 0) edge(-zt);
  }
  d.positive.counts.forEach((c, k) => {
    if (c <= 0) return;
    const i = d.positive.offset + k;
    add(bucketBound(d.scale, i + 1), c);
    const lowerEdge = bucketBound(d.scale, i);
    // Below the zero threshold the zero bucket's edge is the real lower edge.
    if (lowerEdge > zt) edge(lowerEdge);
    else if (zt > 0) edge(zt);
  });
  if (counts.size === 0 || ![...counts.values()].some((c) => c > 0)) return [];
  edge(Number.POSITIVE_INFINITY);
  return [...counts.entries()].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}
