import { mergeByMinute } from './otlp-stream-writer';

describe('mergeByMinute', () => {
  it('adds up the samples of one series within one minute, bucket by bucket', () => {
    const t = Date.parse('2026-11-25T12:00:10Z');
    const at = (s: number) => new Date(t + s * 1000);
    const merged = mergeByMinute(
      [
        { series: 'a', at: at(0), value: 2 },
        { series: 'a', at: at(30), value: 3 },
        { series: 'a', at: at(60), value: 1 },
        { series: 'b', at: at(0), value: 4 },
      ],
      [
        { series: 'h', at: at(0), buckets: [{ le: 0.1, count: 1 }, { le: Infinity, count: 0 }] },
        { series: 'h', at: at(5), buckets: [{ le: 0.1, count: 2 }, { le: 1, count: 1 }, { le: Infinity, count: 0 }] },
      ],
    );
    const minute = new Date('2026-11-25T12:00:00Z');
    expect(merged.counters).toEqual([
      { series: 'a', at: minute, value: 5 },
      { series: 'a', at: new Date('2026-11-25T12:01:00Z'), value: 1 },
      { series: 'b', at: minute, value: 4 },
    ]);
    expect(merged.histograms).toEqual([{ series: 'h', at: minute, buckets: [{ le: 0.1, count: 3 }, { le: Infinity, count: 0 }, { le: 1, count: 1 }] }]);
  });
});
