import type { StreamState } from './cumulative';
import { streamStateJson, streamStateRowsJson, type StreamStateRow } from './stream-state-json';

const T = Date.parse('2026-11-25T12:00:00Z') * 1e6;
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

describe('stream state JSON', () => {
  const states: Array<StreamState | null> = [
    null,
    { kind: 'delta', startNs: T - 10e9, timeNs: T },
    { kind: 'sum', startNs: 0, timeNs: T + 0.5, value: 12.25 },
    { kind: 'histogram', startNs: T - 60e9, timeNs: T, bounds: BOUNDS, counts: BOUNDS.map((_, i) => i * 3).concat(7) },
    { kind: 'histogram', startNs: T - 60e9, timeNs: T + 10e9, bounds: BOUNDS, counts: [1e15, ...BOUNDS.map(() => 0)] },
    { kind: 'histogram', startNs: T - 30e9, timeNs: T + 20e9, bounds: [0.1, 0.5], counts: [1, 2, 3] },
    { kind: 'histogram', startNs: T - 60e9, timeNs: T + 10e9, bounds: [], counts: [4] },
    {
      kind: 'exponential_histogram', startNs: T - 60e9, timeNs: T,
      histogram: { scale: 3, zeroCount: 1, zeroThreshold: 0, positive: { offset: -2, counts: [2, 0, 1] }, negative: { offset: 0, counts: [2] } },
    },
  ];

  it('reads back as JSON.stringify does, for every kind, with bounds and timestamps repeating and changing', () => {
    // Twice over: the second pass meets remembered bounds and timestamps.
    for (const state of [...states, ...states]) expect(JSON.parse(streamStateJson(state))).toEqual(JSON.parse(JSON.stringify(state)));
  });

  it('writes the rows of the statements, with the series only where it is given and ids that need escaping', () => {
    const rows: StreamStateRow[] = states.map((state, i) => ({
      id: `otlp/checkout/"quoted"\\\u0001/${i}`,
      ...(i % 2 ? { series: `series "${i}"` } : {}),
      version: i + 1,
      state,
    }));
    expect(JSON.parse(streamStateRowsJson(rows))).toEqual(JSON.parse(JSON.stringify(rows)));
    expect(JSON.parse(streamStateRowsJson([]))).toEqual([]);
  });
});
