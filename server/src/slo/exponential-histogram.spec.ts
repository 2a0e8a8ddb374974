import {
  bucketBound,
  downscale,
  exponentialQuantile,
  relativeBucketWidth,
  STORAGE_MAX_SCALE,
  toLeBuckets,
  totalCount,
  type ExponentialHistogram,
} from './exponential-histogram';
import { histogramQuantile } from './histogram-quantile';

const empty = { offset: 0, counts: [] };
const hist = (h: Partial<ExponentialHistogram> & { scale: number }): ExponentialHistogram => ({
  zeroCount: 0,
  zeroThreshold: 0,
  positive: empty,
  negative: empty,
  ...h,
});

describe('bucketBound', () => {
  it('is base^index with base 2^(2^-scale)', () => {
    expect(bucketBound(0, 3)).toBe(8);
    expect(bucketBound(1, 1)).toBeCloseTo(Math.SQRT2, 15);
    expect(bucketBound(-1, 1)).toBe(4);
    expect(bucketBound(3, -8)).toBe(0.5);
  });

  it('gives the identical number for one boundary reached from different scales', () => {
    for (let i = -40; i < 40; i++) expect(bucketBound(4, i)).toBe(bucketBound(6, i * 4));
  });

  it('names the relative bucket width (the error bound) per scale', () => {
    expect(relativeBucketWidth(0)).toBe(1);
    expect(relativeBucketWidth(4)).toBeCloseTo(0.0443, 4);
  });
});

describe('exponentialQuantile (Prometheus native-histogram semantics)', () => {
  it('interpolates exponentially inside a positive bucket', () => {
    // One bucket (1, 2] with two observations.
    const h = hist({ scale: 0, positive: { offset: 0, counts: [2] } });
    expect(exponentialQuantile(0.5, h)).toBeCloseTo(Math.SQRT2, 12);
    expect(exponentialQuantile(0.25, h)).toBeCloseTo(Math.pow(2, 0.25), 12);
    expect(exponentialQuantile(1, h)).toBe(2);
    expect(exponentialQuantile(0, h)).toBe(1);
  });

  it('finds the bucket holding the rank, skipping empty buckets, at a positive scale', () => {
    // scale 1: (2^-1, 2^-0.5] holds 1, (2^-0.5, 1] is empty, (1, 2^0.5] holds 3.
    const h = hist({ scale: 1, positive: { offset: -2, counts: [1, 0, 3] } });
    // Median: counted from the top, rank 2 of 4 lies a third into (1, √2] on a log scale.
    expect(exponentialQuantile(0.5, h)).toBeCloseTo(Math.pow(2, 1 / 6), 12);
    expect(exponentialQuantile(0.1, h)).toBeCloseTo(Math.pow(2, -0.8), 12);
  });

  it('works at negative scales (base 4 at scale -1)', () => {
    const h = hist({ scale: -1, positive: { offset: 0, counts: [0, 2] } });
    expect(exponentialQuantile(0.5, h)).toBeCloseTo(8, 12);
  });

  it('interpolates linearly in the zero bucket, from 0 when all other observations are positive', () => {
    const h = hist({ scale: 0, zeroThreshold: 0.001, zeroCount: 2, positive: { offset: 0, counts: [2] } });
    expect(exponentialQuantile(0.25, h)).toBeCloseTo(0.0005, 15);
  });

  it('mirrors negative buckets', () => {
    // Four observations in [-2, -1): the median is -√2, the lower quartile is more negative.
    const h = hist({ scale: 0, negative: { offset: 0, counts: [4] } });
    expect(exponentialQuantile(0.5, h)).toBeCloseTo(-Math.SQRT2, 12);
    expect(exponentialQuantile(0.25, h)).toBeCloseTo(-Math.pow(2, 0.75), 12);
  });

  it('walks negative, zero and positive buckets in value order', () => {
    const h = hist({
      scale: 0,
      negative: { offset: 0, counts: [1] }, // [-2, -1)
      zeroCount: 2, // exact zeros
      positive: { offset: 1, counts: [1] }, // (2, 4]
    });
    expect(totalCount(h)).toBe(4);
    expect(exponentialQuantile(0.1, h)).toBeCloseTo(-Math.pow(2, 0.6), 12);
    expect(exponentialQuantile(0.5, h)).toBe(0);
    expect(exponentialQuantile(0.9, h)).toBeCloseTo(Math.pow(2, 1.6), 12);
  });

  it('answers the special cases like Prometheus', () => {
    const h = hist({ scale: 0, positive: { offset: 0, counts: [1] } });
    expect(exponentialQuantile(-0.1, h)).toBe(Number.NEGATIVE_INFINITY);
    expect(exponentialQuantile(1.1, h)).toBe(Number.POSITIVE_INFINITY);
    expect(exponentialQuantile(Number.NaN, h)).toBeNaN();
    expect(exponentialQuantile(0.5, hist({ scale: 3 }))).toBeNaN();
  });
});

describe('downscale', () => {
  it('merges buckets whole, positive and negative', () => {
    const h = hist({ scale: 2, positive: { offset: 3, counts: [1, 2, 3, 4, 5] }, negative: { offset: -3, counts: [1, 1, 1, 1] } });
    const d = downscale(h, 0);
    expect(d.positive).toEqual({ offset: 0, counts: [1, 14] });
    expect(downscale(h, 1).negative).toEqual({ offset: -2, counts: [1, 2, 1] });
    expect(totalCount(d)).toBe(totalCount(h));
  });

  it('refuses to invent resolution', () => {
    expect(() => downscale(hist({ scale: 1 }), 2)).toThrow(RangeError);
  });
});

describe('toLeBuckets', () => {
  it('writes each non-empty bucket at its upper bound, with its lower edge and +Inf', () => {
    const h = hist({ scale: 0, positive: { offset: 0, counts: [2, 0, 1] } });
    expect(toLeBuckets(h)).toEqual([
      { le: 1, count: 0 },
      { le: 2, count: 2 },
      { le: 4, count: 0 },
      { le: 8, count: 1 },
      { le: Infinity, count: 0 },
    ]);
  });

  it(`brings fine scales down to scale ${STORAGE_MAX_SCALE} exactly`, () => {
    const h = hist({ scale: 6, positive: { offset: 0, counts: [1, 1, 1, 1, 1] } });
    expect(toLeBuckets(h)).toEqual([
      { le: 1, count: 0 },
      { le: bucketBound(4, 1), count: 4 },
      { le: bucketBound(4, 2), count: 1 },
      { le: Infinity, count: 0 },
    ]);
  });

  it('keeps negative buckets, the zero bucket and its edges', () => {
    const h = hist({
      scale: 0,
      zeroThreshold: 0.5,
      zeroCount: 3,
      negative: { offset: 0, counts: [2] },
      positive: { offset: 0, counts: [1] },
    });
    expect(toLeBuckets(h)).toEqual([
      { le: -2, count: 0 },
      { le: -1, count: 2 },
      { le: -0.5, count: 0 },
      { le: 0.5, count: 3 },
      { le: 1, count: 0 },
      { le: 2, count: 1 },
      { le: Infinity, count: 0 },
    ]);
  });

  it('is empty when nothing was observed', () => {
    expect(toLeBuckets(hist({ scale: 2, positive: { offset: 5, counts: [0, 0] } }))).toEqual([]);
  });

  it('keeps classic quantiles within one stored bucket width of the native quantile', () => {
    // A seeded pseudo-random walk over many shapes and scales.
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 200; trial++) {
      const scale = Math.floor(rand() * 9) - 1; // -1 … 7
      const counts = Array.from({ length: 1 + Math.floor(rand() * 40) }, () => (rand() < 0.3 ? 0 : Math.floor(rand() * 100)));
      counts[0] = Math.max(1, counts[0]);
      const h = hist({ scale, positive: { offset: Math.floor(rand() * 60) - 30, counts } });
      let running = 0;
      const cumulative = toLeBuckets(h).map((b) => ({ le: b.le, count: (running += b.count) }));
      const bound = relativeBucketWidth(Math.min(scale, STORAGE_MAX_SCALE));
      for (const q of [0.01, 0.25, 0.5, 0.9, 0.99, 1]) {
        const native = exponentialQuantile(q, h);
        const classic = histogramQuantile(q, cumulative);
        expect(Math.abs(classic - native) / native).toBeLessThanOrEqual(bound + 1e-12);
      }
    }
  });
});
