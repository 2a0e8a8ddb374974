import { explicitLeBuckets } from './cumulative';
import { MinuteIncreases } from './minute-increases';

const t = Date.parse('2026-11-25T12:00:10Z');
const at = (s: number) => t + s * 1000;
const minute = new Date('2026-11-25T12:00:00Z');
const next = new Date('2026-11-25T12:01:00Z');
const byLe = (buckets: Array<{ le: number; count: number }>) => [...buckets].sort((a, b) => a.le - b.le);

describe('MinuteIncreases', () => {
  it('adds up counter increases per series and minute', () => {
    const m = new MinuteIncreases();
    expect(m.empty).toBe(true);
    m.add('a', at(0), { kind: 'sum', value: 2 });
    m.add('a', at(30), { kind: 'sum', value: 3 });
    m.add('a', at(60), { kind: 'sum', value: 1 });
    m.add('b', at(0), { kind: 'sum', value: 4 });
    expect(m.empty).toBe(false);
    expect(m.samples().counters).toEqual([
      { series: 'a', at: minute, value: 5 },
      { series: 'a', at: next, value: 1 },
      { series: 'b', at: minute, value: 4 },
    ]);
  });

  it('adds explicit buckets as arrays and gives the same le buckets as adding each point’s', () => {
    const bounds = [0.1, 0.25, 1];
    const points = [
      [0, 3, 0, 1],
      [0, 0, 2, 0],
      [0, 1, 0, 0],
    ];
    const m = new MinuteIncreases();
    // A copy of the bounds per point, as the protobuf decoder hands them out.
    for (const counts of points) m.add('h', at(5), { kind: 'histogram', bounds: [...bounds], counts });
    const expected = new Map<number, number>();
    for (const counts of points) for (const b of explicitLeBuckets(bounds, counts)) expected.set(b.le, (expected.get(b.le) ?? 0) + b.count);
    const [sample] = m.samples().histograms;
    expect(sample.at).toEqual(minute);
    expect(byLe(sample.buckets)).toEqual(byLe([...expected].map(([le, count]) => ({ le, count }))));
    expect(byLe(sample.buckets)).toEqual([
      { le: 0.1, count: 0 },
      { le: 0.25, count: 4 },
      { le: 1, count: 2 },
      { le: Infinity, count: 1 },
    ]);
    // The points' arrays are not written to.
    expect(points[0]).toEqual([0, 3, 0, 1]);
  });

  it('keeps other bounds and exponential buckets apart from the array, and minutes apart', () => {
    const m = new MinuteIncreases();
    m.add('h', at(0), { kind: 'histogram', bounds: [0.1, 1], counts: [1, 0, 0] });
    m.add('h', at(1), { kind: 'histogram', bounds: [0.5], counts: [0, 2] });
    m.add('h', at(2), { kind: 'buckets', buckets: [{ le: 0.1, count: 3 }, { le: Infinity, count: 0 }] });
    m.add('h', at(60), { kind: 'histogram', bounds: [0.1, 1], counts: [0, 1, 0] });
    const [first, second] = m.samples().histograms;
    expect(byLe(first.buckets)).toEqual([
      { le: 0.1, count: 4 },
      { le: 0.5, count: 0 },
      { le: Infinity, count: 2 },
    ]);
    expect(second).toEqual({ series: 'h', at: next, buckets: [{ le: 0.1, count: 0 }, { le: 1, count: 1 }, { le: Infinity, count: 0 }] });
  });
});
