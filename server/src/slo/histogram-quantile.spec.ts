import { loadReferenceVectors, vectorBound } from '../../../test/support/reference-vectors';
import {
  type HistogramBucket,
  countAtOrBelow,
  countsAtOrBelow,
  fractionAtOrBelow,
  histogramQuantile,
} from './histogram-quantile';

const vectors = loadReferenceVectors().histogram_quantile;
const INF = Number.POSITIVE_INFINITY;

function expectClose(actual: number, expected: number, relative = 1e-6): void {
  if (expected === 0) {
    expect(Math.abs(actual)).toBeLessThanOrEqual(1e-12);
  } else {
    expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected));
  }
}

function buckets(...pairs: Array<[number, number]>): HistogramBucket[] {
  return pairs.map(([le, count]) => ({ le, count }));
}

describe('histogramQuantile', () => {
  it('has reference cases to run', () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(12);
  });

  it.each(vectors.cases.map((c) => [JSON.stringify(c.buckets), c.q, c.want, c] as const))(
    'buckets %s, q=%d -> %p (Prometheus reference)',
    (_name, q, want, c) => {
      const input = c.buckets.map(([le, count]) => ({ le: vectorBound(le), count }));
      const got = histogramQuantile(q, input);
      if (want === 'NaN') {
        expect(got).toBeNaN();
      } else {
        expectClose(got, want);
      }
    },
  );

  const simple = buckets([0.1, 50], [0.2, 70], [1, 110], [INF, 120]);

  it('answers NaN, -Inf and +Inf for out-of-range q', () => {
    expect(histogramQuantile(Number.NaN, simple)).toBeNaN();
    expect(histogramQuantile(-0.1, simple)).toBe(-INF);
    expect(histogramQuantile(1.1, simple)).toBe(INF);
  });

  it('answers NaN without +Inf, with fewer than 2 buckets, or with no observations', () => {
    expect(histogramQuantile(0.5, [])).toBeNaN();
    expect(histogramQuantile(0.5, buckets([INF, 10]))).toBeNaN();
    // Two +Inf buckets merge into one.
    expect(histogramQuantile(0.5, buckets([INF, 10], [INF, 5]))).toBeNaN();
    expect(histogramQuantile(0.5, buckets([0.1, 5], [1, 9]))).toBeNaN();
    expect(histogramQuantile(0.5, buckets([0.1, 0], [INF, 0]))).toBeNaN();
  });

  it('sorts buckets itself and does not mutate the input', () => {
    const shuffled = buckets([1, 110], [INF, 120], [0.1, 50], [0.2, 70]);
    const copy = shuffled.map((b) => ({ ...b }));
    expectClose(histogramQuantile(0.5, shuffled), 0.15);
    expect(shuffled).toEqual(copy);
  });

  it('merges buckets with equal bounds by adding their counts', () => {
    // Two series of the same histogram that were not summed before the call.
    const split = buckets(
      [0.1, 25], [0.1, 25], [0.2, 35], [0.2, 35], [1, 55], [1, 55], [INF, 60], [INF, 60],
    );
    expectClose(histogramQuantile(0.5, split), histogramQuantile(0.5, simple));
    expectClose(histogramQuantile(0.8, split), 0.72);
  });

  it('forces monotonic counts and ignores floating-point noise', () => {
    // (0.2, 0.5] holds 7e-12 observations: float residue of summing rates, not data. Prometheus
    // treats it as empty, so a rank just past 70 moves on to (0.5, 1] instead of landing
    // half-way through (0.2, 0.5] at 0.35.
    const noisy = buckets([0.1, 50], [0.2, 70], [0.5, 70 + 7e-12], [1, 110], [INF, 120]);
    expectClose(histogramQuantile((70 + 3.5e-12) / 120, noisy), 0.5);
    expectClose(histogramQuantile(0.5, noisy), 0.15);
    const decreasing = buckets([0.1, 50], [0.2, 70], [0.5, 60], [1, 110], [INF, 120]);
    // 0.5 -> 70 (forced), so rank 84 lies in (0.5, 1]: 0.5 + 0.5 * 14/40.
    expectClose(histogramQuantile(0.7, decreasing), 0.5 + (0.5 * 14) / 40);
  });

  it('returns the highest finite bound when the quantile lands in the +Inf bucket', () => {
    expect(histogramQuantile(0.95, simple)).toBe(1);
  });

  it('returns the lowest bound when it is <= 0 and the quantile lands in it', () => {
    expect(histogramQuantile(0.1, buckets([0, 10], [1, 20], [INF, 20]))).toBe(0);
    expect(histogramQuantile(0.1, buckets([-1, 10], [1, 20], [INF, 20]))).toBe(-1);
  });
});

describe('countAtOrBelow / fractionAtOrBelow', () => {
  const latency = buckets([0.1, 50], [0.2, 70], [1, 110], [INF, 120]);

  it('interpolates linearly inside a bucket, as histogram_fraction does', () => {
    // 0.15 is half-way through (0.1, 0.2], which holds 20 observations.
    expectClose(countAtOrBelow(0.15, latency), 60);
    expectClose(fractionAtOrBelow(0.15, latency), 0.5);
    // The lowest bucket interpolates from 0.
    expectClose(countAtOrBelow(0.05, latency), 25);
  });

  it('counts whole buckets at their (inclusive) bounds', () => {
    expect(countAtOrBelow(0.1, latency)).toBe(50);
    expect(countAtOrBelow(0.2, latency)).toBe(70);
    expect(countAtOrBelow(1, latency)).toBe(110);
  });

  it('is the inverse of histogramQuantile inside the finite buckets', () => {
    for (const q of [0.05, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9]) {
      expectClose(fractionAtOrBelow(histogramQuantile(q, latency), latency), q, 1e-12);
    }
  });

  it('never counts observations of the +Inf bucket below +Inf', () => {
    expect(countAtOrBelow(5, latency)).toBe(110);
    expect(countAtOrBelow(1e300, latency)).toBe(110);
    expect(countAtOrBelow(INF, latency)).toBe(120);
    expect(fractionAtOrBelow(INF, latency)).toBe(1);
  });

  it('handles thresholds below the lowest bucket', () => {
    expect(countAtOrBelow(0, latency)).toBe(0);
    expect(countAtOrBelow(-1, latency)).toBe(0);
    expect(countAtOrBelow(-INF, latency)).toBe(0);
    // With a non-positive lowest bound there is no edge to interpolate from: it counts whole.
    const signed = buckets([-0.2, 10], [-0.1, 20], [0.3, 20], [INF, 30]);
    expect(countAtOrBelow(-0.5, signed)).toBe(10);
    expectClose(countAtOrBelow(-0.15, signed), 15);
  });

  it('uses the same clean-up as histogramQuantile (sorting, merging, monotonic)', () => {
    const messy = buckets(
      [1, 55], [INF, 60], [0.1, 25], [0.2, 35], [0.1, 25], [0.2, 35], [1, 55], [INF, 60], [0.5, 1],
    );
    expectClose(countAtOrBelow(0.15, messy), 60);
    const input = messy.map((b) => ({ ...b }));
    countAtOrBelow(0.15, messy);
    expect(messy).toEqual(input);
  });

  it('answers NaN for bad input and 0 / NaN when nothing was observed', () => {
    expect(countAtOrBelow(Number.NaN, latency)).toBeNaN();
    expect(countAtOrBelow(0.1, buckets([0.1, 5], [1, 9]))).toBeNaN();
    expect(countAtOrBelow(0.1, [])).toBeNaN();
    const empty = buckets([0.1, 0], [1, 0], [INF, 0]);
    expect(countAtOrBelow(0.5, empty)).toBe(0);
    expect(fractionAtOrBelow(0.5, empty)).toBeNaN();
  });

  it('gives the good-event count of a latency SLO', () => {
    // Requests served within 250 ms, with the simulator's bucket layout.
    const served = buckets(
      [0.005, 0], [0.01, 0], [0.025, 100], [0.05, 400], [0.1, 800], [0.25, 980], [0.5, 995],
      [1, 999], [2.5, 1000], [5, 1000], [10, 1000], [INF, 1000],
    );
    expect(countAtOrBelow(0.25, served)).toBe(980);
    // A 300 ms threshold interpolates 20% into (0.25, 0.5]: 980 + 0.2 * 15.
    expectClose(countAtOrBelow(0.3, served), 983);
  });
});

describe('countsAtOrBelow (per-bucket counts, several thresholds)', () => {
  it('gives exactly countAtOrBelow of the cumulative buckets, sorted or not', () => {
    let seed = 7;
    const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    const thresholds = [0, 0.05, 0.1, 0.3, 0.7, 2.5, 100, Infinity, Number.NaN, -1];
    const layouts = [
      [0.05, 0.1, 0.25, 0.5, 1, Infinity],
      [-1, 0, 1, Infinity],
      [0.1, 0.5, 1],
      [1, 0.1, Infinity, 0.5],
      [0.1, 0.1, 0.5, Infinity],
      [Infinity],
    ];
    for (let round = 0; round < 200; round++) {
      const les = layouts[round % layouts.length];
      // Counts with zeros, fractions, and negative noise that the monotonic clean-up must absorb.
      const perBucket = les.map(() => (next() < 0.2 ? 0 : next() < 0.1 ? -1e-13 : Math.floor(next() * 1000) + (next() < 0.3 ? next() : 0)));
      let running = 0;
      const cumulative = les.map((le, i) => ({ le, count: (running += perBucket[i]) }));
      const out = new Float64Array(thresholds.length);
      countsAtOrBelow(thresholds, les, perBucket, out);
      thresholds.forEach((t, k) => expect(out[k]).toBe(countAtOrBelow(t, cumulative)));
    }
  });
});
