import { advance, explicitLeBuckets, FIRST_POINT_MAX_SPAN_NS, leBucketsOf, type StreamState } from './cumulative';
import type { OtlpPoint, PointData } from './otlp-points';

const T0 = 1_764_000_000_000 * 1e6;
const S = 1e9;
const pt = (data: PointData, over: Partial<OtlpPoint> = {}): OtlpPoint => ({
  seriesId: 'otlp/svc/m/x',
  streamId: 's1',
  service: 'svc',
  metric: 'm',
  unit: '',
  attributes: {},
  temporality: 'cumulative',
  startNs: T0,
  timeNs: T0 + 10 * S,
  data,
  ...over,
});
const sum = (value: number, over: Partial<OtlpPoint> = {}) => pt({ kind: 'sum', value }, over);

/** Runs points through advance() like the ingest does, collecting increases. */
function run(points: OtlpPoint[], state: StreamState | null = null) {
  const increases: unknown[] = [];
  const outcomes: string[] = [];
  for (const p of points) {
    const step = advance(state, p);
    outcomes.push(step.outcome);
    if (step.next) state = step.next;
    increases.push(step.increase && (step.increase.kind === 'sum' ? step.increase.value : leBucketsOf(step.increase)));
  }
  return { increases, outcomes, state };
}

describe('cumulative sums', () => {
  it('turns totals into increases', () => {
    const r = run([sum(10), sum(15, { timeNs: T0 + 20 * S }), sum(15, { timeNs: T0 + 30 * S }), sum(40, { timeNs: T0 + 40 * S })]);
    expect(r.increases).toEqual([10, 5, null, 25]);
    expect(r.outcomes).toEqual(['stored', 'stored', 'stored', 'stored']);
  });

  it('takes an old first total as the baseline, not as a spike', () => {
    const old = sum(1_000_000, { startNs: T0 - FIRST_POINT_MAX_SPAN_NS - 60 * S, timeNs: T0 });
    const r = run([old, sum(1_000_050, { startNs: old.startNs, timeNs: T0 + 10 * S })]);
    expect(r.increases).toEqual([null, 50]);
    expect(r.outcomes).toEqual(['baseline', 'stored']);
    expect(run([sum(7, { startNs: 0 })]).outcomes).toEqual(['baseline']);
  });

  it('detects a counter reset by a drop, and by a new start time', () => {
    const r = run([
      sum(100),
      sum(130, { timeNs: T0 + 20 * S }),
      sum(4, { timeNs: T0 + 30 * S }), // dropped: the process restarted, start time unchanged
      sum(9, { timeNs: T0 + 40 * S }),
      sum(200, { startNs: T0 + 45 * S, timeNs: T0 + 50 * S }), // a new start time
    ]);
    expect(r.increases).toEqual([100, 30, 4, 5, 200]);
    expect(r.outcomes).toEqual(['stored', 'stored', 'reset', 'stored', 'reset']);
  });

  it('ignores repeated and out-of-order points', () => {
    const r = run([sum(10, { timeNs: T0 + 20 * S }), sum(10, { timeNs: T0 + 20 * S }), sum(5, { timeNs: T0 + 10 * S }), sum(12, { timeNs: T0 + 30 * S })]);
    expect(r.increases).toEqual([10, null, null, 2]);
    expect(r.outcomes).toEqual(['stored', 'duplicate', 'duplicate', 'stored']);
  });
});

describe('delta points', () => {
  it('are increases already; an exact repeat (a retried request) is dropped, a late one is kept', () => {
    const d = (value: number, from: number, to: number) => sum(value, { temporality: 'delta', startNs: T0 + from * S, timeNs: T0 + to * S });
    const r = run([d(3, 0, 10), d(4, 10, 20), d(4, 10, 20), d(2, 20, 30), d(0, 30, 40)]);
    expect(r.increases).toEqual([3, 4, null, 2, null]);
    expect(r.outcomes).toEqual(['stored', 'stored', 'duplicate', 'stored', 'stored']);
    const late = advance(r.state, d(6, 5, 8));
    expect(late.increase).toEqual({ kind: 'sum', value: 6 });
    expect(late.next).toBeNull();
  });
});

describe('explicit histograms', () => {
  const h = (counts: number[], over: Partial<OtlpPoint> = {}) => pt({ kind: 'histogram', bounds: [0.1, 0.25, 1], counts }, over);

  it('writes per-bucket increases keyed by le, with lower edges and +Inf', () => {
    expect(explicitLeBuckets([0.1, 0.25, 1], [0, 3, 0, 1])).toEqual([
      { le: 0.1, count: 0 },
      { le: 0.25, count: 3 },
      { le: 1, count: 0 },
      { le: Infinity, count: 1 },
    ]);
    expect(explicitLeBuckets([0.1, 0.25, 1], [2, 0, 0, 0])).toEqual([{ le: 0.1, count: 2 }, { le: Infinity, count: 0 }]);
    expect(explicitLeBuckets([0.1], [0, 0])).toEqual([]);
  });

  it('differences cumulative buckets, and restarts when a bucket drops or the bounds change', () => {
    const r = run([
      h([1, 2, 0, 0]),
      h([1, 5, 1, 0], { timeNs: T0 + 20 * S }),
      h([0, 1, 0, 0], { timeNs: T0 + 30 * S }),
      pt({ kind: 'histogram', bounds: [0.5], counts: [2, 0] }, { timeNs: T0 + 40 * S }),
    ]);
    expect(r.outcomes).toEqual(['stored', 'stored', 'reset', 'reset']);
    expect(r.increases).toEqual([
      [{ le: 0.1, count: 1 }, { le: 0.25, count: 2 }, { le: Infinity, count: 0 }],
      [{ le: 0.1, count: 0 }, { le: 0.25, count: 3 }, { le: 1, count: 1 }, { le: Infinity, count: 0 }],
      [{ le: 0.1, count: 0 }, { le: 0.25, count: 1 }, { le: Infinity, count: 0 }],
      [{ le: 0.5, count: 2 }, { le: Infinity, count: 0 }],
    ]);
  });
});

describe('exponential histograms', () => {
  const e = (scale: number, offset: number, counts: number[], zeroCount = 0, over: Partial<OtlpPoint> = {}) =>
    pt({ kind: 'exponential_histogram', histogram: { scale, zeroCount, zeroThreshold: 0, positive: { offset, counts }, negative: { offset: 0, counts: [] } } }, over);

  it('differences at the coarser scale when the exporter lowers its scale', () => {
    // scale 2: (1, 2^0.25] ×2; later scale 1 with the range grown: (1, √2] ×3, (2, 2√2] ×1.
    const r = run([e(2, 0, [2]), e(1, 0, [3, 0, 1], 1, { timeNs: T0 + 20 * S })]);
    expect(r.outcomes).toEqual(['stored', 'stored']);
    expect(r.increases[1]).toEqual([
      { le: 0, count: 1 },
      { le: 1, count: 0 },
      { le: Math.SQRT2, count: 1 },
      { le: 2, count: 0 },
      { le: Math.pow(2, 1.5), count: 1 },
      { le: Infinity, count: 0 },
    ]);
    expect(r.state).toMatchObject({ kind: 'exponential_histogram', histogram: { scale: 1 } });
  });

  it('restarts when a bucket drops', () => {
    const r = run([e(0, 0, [5]), e(0, 0, [2], 0, { timeNs: T0 + 20 * S })]);
    expect(r.outcomes).toEqual(['stored', 'reset']);
    expect(r.increases[1]).toEqual([{ le: 1, count: 0 }, { le: 2, count: 2 }, { le: Infinity, count: 0 }]);
  });

  it('keeps at most the storage scale in its state', () => {
    expect(run([e(8, 0, [1, 1])]).state).toMatchObject({ histogram: { scale: 4, positive: { offset: 0, counts: [2] } } });
  });
});
