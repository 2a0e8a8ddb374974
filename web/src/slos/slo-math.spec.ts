import { describe, expect, it } from '@jest/globals';
import {
  budgetSeries,
  burnRateSeries,
  clampForLog,
  defaultBacktestRange,
  formatDuration,
  formatLatency,
  fromLocalInput,
  hasBurnRateLine,
  histogramBars,
  latestKnownTime,
  niceCeil,
  quantileLabel,
  quantilesFor,
  toLocalInput,
  windowSeconds,
} from './slo-math';

describe('burn-rate history for the chart', () => {
  it('sorts windows by length, not by name, and keeps nulls as gaps', () => {
    const { windows, rows } = burnRateSeries([
      { at: '2026-11-25T10:00:00.000Z', '6h': 0.5, '1h': null, '30m': 2, '5m': 14.5 },
      { at: '2026-11-25T10:15:00.000Z', '6h': 0.6, '1h': 1, '30m': 'x', '5m': 0 },
    ]);
    expect(windows).toEqual(['5m', '30m', '1h', '6h']);
    expect(rows).toEqual([
      { t: Date.parse('2026-11-25T10:00:00.000Z'), '5m': 14.5, '30m': 2, '1h': null, '6h': 0.5 },
      { t: Date.parse('2026-11-25T10:15:00.000Z'), '5m': 0, '30m': null, '1h': 1, '6h': 0.6 },
    ]);
  });

  it('tells whether any window has a line to draw', () => {
    const { windows, rows } = burnRateSeries([
      { at: '2026-11-25T10:00:00.000Z', '5m': null, '1h': 1 },
      { at: '2026-11-25T10:15:00.000Z', '5m': 3, '1h': null },
    ]);
    expect(hasBurnRateLine(rows, windows)).toBe(false);
    expect(hasBurnRateLine([...rows, { t: 3, '5m': 4, '1h': null }], windows)).toBe(true);
  });

  it('draws a zero burn rate at the floor of a log axis', () => {
    expect(clampForLog([{ t: 1, '5m': 0, '1h': null, '6h': 20 }], ['5m', '1h', '6h'], 0.01)).toEqual([{ t: 1, '5m': 0.01, '1h': null, '6h': 20 }]);
  });

  it('parses window names', () => {
    expect(windowSeconds('5m')).toBe(300);
    expect(windowSeconds('1d')).toBe(86400);
    expect(windowSeconds('weird')).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('latency histogram', () => {
  const buckets = [
    { le: 0.05, count: 10 },
    { le: 0.025, count: 4 },
    { le: '+Inf' as const, count: 31 },
    { le: 0.25, count: 25 },
    { le: 1, count: 30 },
  ];

  it('turns cumulative counts into per-bucket counts split at the threshold', () => {
    expect(histogramBars(buckets, 0.25)).toEqual([
      { label: '≤ 25 ms', le: 0.025, within: 4, over: 0 },
      { label: '≤ 50 ms', le: 0.05, within: 6, over: 0 },
      { label: '≤ 250 ms', le: 0.25, within: 15, over: 0 },
      { label: '≤ 1 s', le: 1, within: 0, over: 5 },
      { label: '> 1 s', le: Number.POSITIVE_INFINITY, within: 0, over: 1 },
    ]);
  });

  it('sums back to the total, and never draws a negative bar', () => {
    const bars = histogramBars(buckets, null);
    expect(bars.reduce((n, b) => n + b.within + b.over, 0)).toBe(31);
    const broken = histogramBars([{ le: 0.1, count: 5 }, { le: 0.2, count: 3 }, { le: '+Inf', count: 6 }], null);
    expect(broken.map((b) => b.within)).toEqual([5, 0, 1]);
  });

  it('formats latencies and quantiles', () => {
    expect(formatLatency(0.065275)).toBe('65.3 ms');
    expect(formatLatency(0.25)).toBe('250 ms');
    expect(formatLatency(1.2345)).toBe('1.23 s');
    expect(formatLatency(null)).toBe('—');
    expect(quantileLabel(0.5)).toBe('p50');
    expect(quantileLabel(0.999)).toBe('p99.9');
    expect(quantileLabel(0.9999)).toBe('p99.99');
  });

  it('asks for the objective quantile too, once', () => {
    expect(quantilesFor(0.999)).toEqual([0.5, 0.9, 0.99, 0.999]);
    expect(quantilesFor(0.99)).toEqual([0.5, 0.9, 0.99]);
    expect(quantilesFor(null)).toEqual([0.5, 0.9, 0.99]);
  });
});

describe('budget burn-down', () => {
  it('keeps missing points as null', () => {
    expect(budgetSeries([{ at: '2026-11-01T00:00:00Z', remaining: null }, { at: '2026-11-02T00:00:00Z', remaining: -0.25 }])).toEqual([
      { t: Date.parse('2026-11-01T00:00:00Z'), remaining: null },
      { t: Date.parse('2026-11-02T00:00:00Z'), remaining: -0.25 },
    ]);
  });
});

describe('durations', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(3725)).toBe('1h 2m');
    expect(formatDuration(86400 + 300)).toBe('1d 5m');
    expect(formatDuration(7200)).toBe('2h');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('back-test range', () => {
  it('round-trips datetime-local values in the local time zone', () => {
    const ms = Date.parse('2026-11-25T19:53:00Z');
    const local = toLocalInput(ms);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromLocalInput(local)).toBe('2026-11-25T19:53:00.000Z');
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('yesterday')).toBeNull();
  });

  it('covers the last 24 h up to the newest data, whichever clock is ahead', () => {
    const browserNow = Date.parse('2026-11-25T19:53:10Z');
    const slo = { evaluatedAt: '2026-11-25T23:10:30Z', history: { burnRates: [{ at: '2026-11-25T23:00:00Z' }], budget: [] } };
    const latest = latestKnownTime(slo, browserNow);
    expect(latest).toBe(Date.parse('2026-11-25T23:10:30Z'));
    expect(latestKnownTime({ evaluatedAt: null, history: { burnRates: [], budget: [] } }, browserNow)).toBe(browserNow);
    const range = defaultBacktestRange(latest);
    expect(fromLocalInput(range.to)).toBe('2026-11-25T23:11:00.000Z');
    expect(fromLocalInput(range.from)).toBe('2026-11-24T23:11:00.000Z');
  });
});

describe('axis tops', () => {
  it('rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceCeil(16.56)).toBe(20);
    expect(niceCeil(14.4)).toBe(20);
    expect(niceCeil(20)).toBe(20);
    expect(niceCeil(2.1)).toBe(2.5);
    expect(niceCeil(0.07)).toBe(0.1);
    expect(niceCeil(420)).toBe(500);
    expect(niceCeil(0)).toBe(1);
  });
});
