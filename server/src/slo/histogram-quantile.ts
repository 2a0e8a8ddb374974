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

/**
 * Sorts by bound, merges equal bounds by adding their counts, and removes decreases (noise is
 * absorbed, real decreases are raised to the previous count) so the counts are monotonic.
 * Returns null when the highest bound is not +Inf. Never mutates its input.
 */
function normalizeBuckets(buckets: readonly HistogramBucket[]): HistogramBucket[] | null {
  if (buckets.length === 0) {
    return null;
  }
  const sorted = buckets.map((b) => ({ le: b.le, count: b.count })).sort((a, b) => a.le - b.le);
  if (sorted[sorted.length - 1].le !== Number.POSITIVE_INFINITY) {
    return null;
  }

  const merged: HistogramBucket[] = [];
  for (const bucket of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.le === bucket.le) {
      last.count += bucket.count;
    } else {
      merged.push(bucket);
    }
  }

  // Prometheus' ensureMonotonicAndIgnoreSmallDeltas. `prev` only moves on an accepted
  // increase, so the envelope is measured against the last count that was kept.
  let prev = merged[0].count;
  for (let i = 1; i < merged.length; i++) {
    const curr = merged[i].count;
    if (curr === prev) {
      continue;
    }
    if (almostEqual(prev, curr, SMALL_DELTA_TOLERANCE) || curr < prev) {
      merged[i].count = prev;
      continue;
    }
    prev = curr;
  }
  return merged;
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
  const observations = normalized[normalized.length - 1].count;
  if (observations === 0) {
    return Number.NaN;
  }

  let rank = q * observations;
  // First finite bucket whose cumulative count reaches the rank (the +Inf bucket is excluded
  // from the search, as in Prometheus' sort.Search over len-1).
  let b = 0;
  while (b < normalized.length - 1 && !(normalized[b].count >= rank)) {
    b++;
  }
  if (b === normalized.length - 1) {
    return normalized[normalized.length - 2].le;
  }
  if (b === 0 && normalized[0].le <= 0) {
    return normalized[0].le;
  }
  let bucketStart = 0;
  const bucketEnd = normalized[b].le;
  let count = normalized[b].count;
  if (b > 0) {
    bucketStart = normalized[b - 1].le;
    count -= normalized[b - 1].count;
    rank -= normalized[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

// Cumulative count at `threshold` over normalized buckets; see countAtOrBelow.
function interpolateCount(threshold: number, normalized: readonly HistogramBucket[]): number {
  const total = normalized[normalized.length - 1].count;
  if (threshold === Number.POSITIVE_INFINITY) {
    return total;
  }
  // Prometheus treats a histogram whose lowest bound is positive as having no negative
  // observations, so the lowest bucket spans [0, le]; otherwise it starts at -Inf.
  let lowerBound = normalized[0].le <= 0 ? Number.NEGATIVE_INFINITY : 0;
  let below = 0;
  for (const bucket of normalized) {
    if (lowerBound >= threshold) {
      return below;
    }
    if (threshold < bucket.le) {
      if (lowerBound === Number.NEGATIVE_INFINITY) {
        return bucket.count;
      }
      // The +Inf bucket contributes (threshold - lower) / Infinity = 0 of its observations.
      return below + ((bucket.count - below) * (threshold - lowerBound)) / (bucket.le - lowerBound);
    }
    below = bucket.count;
    lowerBound = bucket.le;
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
 * Fraction of observations at or below `threshold` (countAtOrBelow / total), the same number
 * as Prometheus' histogram_fraction(-Inf, threshold, …). NaN when nothing was observed.
 */
export function fractionAtOrBelow(threshold: number, buckets: readonly HistogramBucket[]): number {
  const normalized = normalizeBuckets(buckets);
  if (normalized === null || Number.isNaN(threshold)) {
    return Number.NaN;
  }
  const total = normalized[normalized.length - 1].count;
  if (!(total > 0)) {
    return Number.NaN;
  }
  return interpolateCount(threshold, normalized) / total;
}
