// Quantiles and threshold counts from classic (Prometheus-style) histograms, computed exactly
// the way Prometheus' histogram_quantile does (promql/quantile.go BucketQuantile), so a p99
// shown in the console matches the one an engineer gets from PromQL for the same buckets.
//
// A classic histogram is a list of cumulative buckets: `count` is the number of observations
// less than or equal to the upper bound `le`; the last bucket's bound is +Inf and its count is
// the total. Inside a bucket observations are assumed to be spread evenly (linear
// interpolation), which is the only assumption a bucket count allows.

export interface HistogramBucket {
  /** Inclusive upper bound; the highest bucket must be +Inf. */
  le: number;
  /** Cumulative count of observations <= le. */
  count: number;
}

// Bucket counts that differ by less than this relative amount are floating-point noise (for
// example from rate() over several series), not a real decrease; Prometheus uses the same.
const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

// Prometheus' util/almost.Equal: relative comparison that degrades to absolute near zero.
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a === b) {
    return true;
  }
  const diff = Math.abs(a - b);
  const absSum = Math.abs(a) + Math.abs(b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) {
    return diff < epsilon * MIN_NORMAL;
  }
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** Normalized buckets as two arrays: bounds strictly increasing, the last +Inf; counts monotonic. */
interface Normalized {
  le: ArrayLike<number>;
  count: ArrayLike<number>;
  length: number;
}

/**
 * Sorts by bound, merges equal bounds by adding their counts, and removes decreases (noise is
 * absorbed, real decreases are raised to the previous count) so the counts are monotonic.
 * Returns null when the highest bound is not +Inf. Never mutates its input.
 */
function normalizeBuckets(buckets: readonly HistogramBucket[]): Normalized | null {
  if (buckets.length === 0) {
    return null;
  }
  const sorted = buckets.map((b) => ({ le: b.le, count: b.count })).sort((a, b) => a.le - b.le);
  if (sorted[sorted.length - 1].le !== Number.POSITIVE_INFINITY) {
    return null;
  }
  const le: number[] = [];
  const count: number[] = [];
  for (const bucket of sorted) {
    if (le.length > 0 && le[le.length - 1] === bucket.le) {
      count[count.length - 1] += bucket.count;
    } else {
      le.push(bucket.le);
      count.push(bucket.count);
    }
  }
  ensureMonotonic(count);
  return { le, count, length: le.length };
}

// Prometheus' ensureMonotonicAndIgnoreSmallDeltas. `prev` only moves on an accepted increase,
// so the envelope is measured against the last count that was kept.
function ensureMonotonic(count: { [i: number]: number; length: number }): void {
  let prev = count[0];
  for (let i = 1; i < count.length; i++) {
    const curr = count[i];
    if (curr === prev) {
      continue;
    }
    if (almostEqual(prev, curr, SMALL_DELTA_TOLERANCE) || curr < prev) {
      count[i] = prev;
      continue;
    }
    prev = curr;
  }
}

/**
 * The q-quantile (0 <= q <= 1) of a classic histogram, exactly like Prometheus'
 * histogram_quantile:
 * - q NaN -> NaN; q < 0 -> -Inf; q > 1 -> +Inf;
 * - highest bound not +Inf, fewer than 2 buckets (after merging equal bounds), or no
 *   observations -> NaN;
 * - a quantile that falls in the +Inf bucket returns the highest finite bound;
 * - a quantile in the lowest bucket interpolates from 0, unless that bucket's bound is <= 0,
 *   in which case the bound itself is returned.
 */
export function histogramQuantile(q: number, buckets: readonly HistogramBucket[]): number {
  if (Number.isNaN(q)) {
    return Number.NaN;
  }
  if (q < 0) {
    return Number.NEGATIVE_INFINITY;
  }
  if (q > 1) {
    return Number.POSITIVE_INFINITY;
  }
  const normalized = normalizeBuckets(buckets);
  if (normalized === null || normalized.length < 2) {
    return Number.NaN;
  }
  const { le, count: counts } = normalized;
  const observations = counts[normalized.length - 1];
  if (observations === 0) {
    return Number.NaN;
  }

  let rank = q * observations;
  // First finite bucket whose cumulative count reaches the rank (the +Inf bucket is excluded
  // from the search, as in Prometheus' sort.Search over len-1).
  let b = 0;
  while (b < normalized.length - 1 && !(counts[b] >= rank)) {
    b++;
  }
  if (b === normalized.length - 1) {
    return le[normalized.length - 2];
  }
  if (b === 0 && le[0] <= 0) {
    return le[0];
  }
  let bucketStart = 0;
  const bucketEnd = le[b];
  let count = counts[b];
  if (b > 0) {
    bucketStart = le[b - 1];
    count -= counts[b - 1];
    rank -= counts[b - 1];
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

// Cumulative count at `threshold` over normalized buckets; see countAtOrBelow.
function interpolateCount(threshold: number, normalized: Normalized): number {
  const { le, count } = normalized;
  const total = count[normalized.length - 1];
  if (threshold === Number.POSITIVE_INFINITY) {
    return total;
  }
  // Prometheus treats a histogram whose lowest bound is positive as having no negative
  // observations, so the lowest bucket spans [0, le]; otherwise it starts at -Inf.
  let lowerBound = le[0] <= 0 ? Number.NEGATIVE_INFINITY : 0;
  let below = 0;
  for (let i = 0; i < normalized.length; i++) {
    if (lowerBound >= threshold) {
      return below;
    }
    if (threshold < le[i]) {
      if (lowerBound === Number.NEGATIVE_INFINITY) {
        return count[i];
      }
      // The +Inf bucket contributes (threshold - lower) / Infinity = 0 of its observations.
      return below + ((count[i] - below) * (threshold - lowerBound)) / (le[i] - lowerBound);
    }
    below = count[i];
    lowerBound = le[i];
  }
  return total;
}

/**
 * Estimated number of observations at or below `threshold`, interpolated linearly inside the
 * bucket that contains it, the way Prometheus' histogram_fraction does for classic buckets
 * (after the same sorting, merging and monotonic clean-up as histogramQuantile).
 * This is the "good" count of a latency SLO ("requests served within 250 ms").
 * - A threshold on a bucket bound counts that whole bucket (bounds are inclusive).
 * - Below the lowest bucket: interpolated from 0 when its bound is positive, otherwise the
 *   lowest bucket counts whole (it has no finite lower edge to interpolate from).
 * - At or above the highest finite bound, and below +Inf, only observations up to that bound
 *   count: where inside the +Inf bucket an observation fell is unknown, so it counts as bad.
 * Returns NaN for a NaN threshold or buckets without a +Inf bound; 0 when nothing was observed.
 */
export function countAtOrBelow(threshold: number, buckets: readonly HistogramBucket[]): number {
  const normalized = normalizeBuckets(buckets);
  if (normalized === null || Number.isNaN(threshold)) {
    return Number.NaN;
  }
  return interpolateCount(threshold, normalized);
}

/**
 * countAtOrBelow for several thresholds of one histogram given as per-bucket (not cumulative)
 * counts by bound, written into `out`: the window cache derives every threshold its SLOs use
 * from each stored bucket, millions of them on a load, so bounds already strictly increasing
 * are taken as they are, without building bucket objects (the same arithmetic).
 */
export function countsAtOrBelow(thresholds: ArrayLike<number>, les: ArrayLike<number>, perBucket: ArrayLike<number>, out: Float64Array): void {
  const n = les.length;
  let increasing = n > 0;
  for (let i = 1; i < n && increasing; i++) increasing = les[i - 1] < les[i];
  let normalized: Normalized | null;
  if (increasing) {
    const count = new Float64Array(n);
    let running = 0;
    for (let i = 0; i < n; i++) count[i] = running += perBucket[i];
    ensureMonotonic(count);
    normalized = les[n - 1] === Number.POSITIVE_INFINITY ? { le: les, count, length: n } : null;
  } else {
    let running = 0;
    normalized = normalizeBuckets(Array.from(les, (le, i) => ({ le, count: (running += perBucket[i]) })));
  }
  for (let t = 0; t < thresholds.length; t++) {
    out[t] = normalized === null || Number.isNaN(thresholds[t]) ? Number.NaN : interpolateCount(thresholds[t], normalized);
  }
}

/**
 * Fraction of observations at or below `threshold` (countAtOrBelow / total), the same number
 * as Prometheus' histogram_fraction(-Inf, threshold, …). NaN when nothing was observed.
 */
export function fractionAtOrBelow(threshold: number, buckets: readonly HistogramBucket[]): number {
  const normalized = normalizeBuckets(buckets);
  if (normalized === null || Number.isNaN(threshold)) {
    return Number.NaN;
  }
  const total = normalized.count[normalized.length - 1];
  if (!(total > 0)) {
    return Number.NaN;
  }
  return interpolateCount(threshold, normalized) / total;
}
