import { backtest, backtestYielding, type MinuteCounts } from './backtest';
import { DEFAULT_WINDOW_PAIRS_30D } from './burn-rate';

const MIN = 60_000;
const start = Date.UTC(2026, 10, 1);

/** 1000 requests a minute; `bad(i)` of them fail in minute i. */
function history(minutes: number, bad: (i: number) => number): MinuteCounts[] {
  return Array.from({ length: minutes }, (_, i) => ({ at: start + i * MIN, total: 1000, good: 1000 - bad(i) }));
}

describe('backtest', () => {
  const pairs = DEFAULT_WINDOW_PAIRS_30D.map((p) => ({ ...p }));
  const day = 24 * 60;

  it('finds nothing in healthy history', () => {
    const minutes = history(4 * day, () => 0);
    const r = backtest({ objective: 0.999, pairs, minutes, from: start + 3 * day * MIN, to: start + 4 * day * MIN - MIN });
    expect(r.alerts).toEqual([]);
    expect(r.breaches).toEqual([]);
    expect(r.evaluations).toBe(day);
  });

  it('pages on a 20-minute full outage, detects it within two minutes, and pages once', () => {
    const outageStart = 3 * day + 600;
    const minutes = history(4 * day, (i) => (i >= outageStart && i < outageStart + 20 ? 1000 : 0));
    const progress: number[] = [];
    const r = backtest({ objective: 0.999, pairs, minutes, from: start + 3 * day * MIN, to: start + 4 * day * MIN - MIN, onProgress: (d) => progress.push(d) });
    const pages = r.alerts.filter((a) => a.severity === 'page');
    expect(pages).toHaveLength(1);
    expect(pages[0].start).toBe(new Date(start + (outageStart + 1) * MIN).toISOString());
    expect(r.breaches).toHaveLength(1);
    expect(r.breaches[0]).toMatchObject({ durationSeconds: 20 * 60, detectionSeconds: 60 });
    // The page lasts while the 6h/30m pair still sees the outage in its short window.
    expect(pages[0].durationSeconds).toBeGreaterThan(20 * 60);
    expect(r.summary).toMatchObject({ pages: 1, breaches: 1, undetected: 0 });
    expect(progress[progress.length - 1]).toBe(day);
  });

  it('an edited copy of the rules changes the outcome: without page pairs nothing pages', () => {
    const outageStart = 3 * day + 600;
    const minutes = history(4 * day, (i) => (i >= outageStart && i < outageStart + 20 ? 1000 : 0));
    const r = backtest({ objective: 0.999, pairs: pairs.filter((p) => p.severity === 'ticket'), minutes, from: start + 3 * day * MIN, to: start + 4 * day * MIN - MIN });
    expect(r.alerts.every((a) => a.severity === 'ticket')).toBe(true);
    expect(r.alerts.length).toBeGreaterThan(0);
  });

  it('the low-traffic guard keeps a tiny burst from paging', () => {
    const minutes = Array.from({ length: 4 * day }, (_, i) => ({ at: start + i * MIN, total: i % 60 === 0 ? 2 : 0, good: i === 3 * day + 120 ? 0 : i % 60 === 0 ? 2 : 0 }));
    const guarded = backtest({ objective: 0.999, pairs, minutes, from: start + 3 * day * MIN, to: start + 4 * day * MIN - MIN, minEvents: 100 });
    expect(guarded.alerts).toEqual([]);
    const unguarded = backtest({ objective: 0.999, pairs, minutes, from: start + 3 * day * MIN, to: start + 4 * day * MIN - MIN });
    expect(unguarded.alerts.some((a) => a.severity === 'page')).toBe(true);
  });

  it('backtestYielding gives the event loop a turn every 500 steps and finds what backtest finds', async () => {
    const outageStart = 3 * day + 600;
    const minutes = history(4 * day, (i) => (i >= outageStart && i < outageStart + 20 ? 1000 : 0));
    const input = { objective: 0.999, pairs, minutes, from: start + 3 * day * MIN, to: start + 4 * day * MIN - MIN };
    let pauses = 0;
    const yielded = await backtestYielding(input, async () => void pauses++);
    expect(yielded).toEqual(backtest(input));
    expect(pauses).toBe(Math.ceil(day / 500) + 1);
  });
});
