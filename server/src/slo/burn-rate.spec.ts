import { parseDuration } from '../common/duration';
import { loadReferenceVectors } from '../../../test/support/reference-vectors';
import {
  type AlertWindowPair,
  type WindowCounts,
  DEFAULT_WINDOW_PAIRS_30D,
  SLO_PERIOD_30D_SECONDS,
  burnRate,
  errorBudgetRemaining,
  errorRatio,
  evaluateBurnRate,
  requiredWindows,
  windowPairsForPeriod,
} from './burn-rate';

const vectors = loadReferenceVectors().burn_rate;
const OBJECTIVE = 0.999;

function expectClose(actual: number, expected: number, relative = 1e-6): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.abs(expected));
}

describe('errorRatio / burnRate / errorBudgetRemaining', () => {
  it('computes the error ratio and treats an empty window as no data', () => {
    expect(errorRatio(990, 1000)).toBeCloseTo(0.01, 12);
    expect(errorRatio(0, 0)).toBeNull();
    expect(errorRatio(Number.NaN, 10)).toBeNull();
    expect(errorRatio(5, Number.NaN)).toBeNull();
    expect(errorRatio(5, -1)).toBeNull();
    // Counter drift must not produce a negative ratio.
    expect(errorRatio(11, 10)).toBe(0);
  });

  it('divides the error ratio by the error budget', () => {
    expectClose(burnRate(0.0144, OBJECTIVE), 14.4, 1e-12);
    expectClose(burnRate(0.001, OBJECTIVE), 1, 1e-12);
    expect(burnRate(null, OBJECTIVE)).toBeNull();
    expect(() => burnRate(0.1, 1)).toThrow(/strictly between 0 and 1/);
    expect(() => burnRate(0.1, 0)).toThrow(/strictly between 0 and 1/);
  });

  it('follows the vectors formula for the budget remaining', () => {
    expect(vectors.formulas.budget_remaining).toBe(
      '1 - bad / ((1 - objective) * total) over the SLO period',
    );
    expectClose(errorBudgetRemaining(999_500, 1_000_000, OBJECTIVE) ?? Number.NaN, 0.5, 1e-9);
    expectClose(errorBudgetRemaining(1_000_000, 1_000_000, OBJECTIVE) ?? Number.NaN, 1, 1e-12);
    // Overspent budgets go negative rather than clamping, so the console can show by how much.
    expectClose(errorBudgetRemaining(997_000, 1_000_000, OBJECTIVE) ?? Number.NaN, -2, 1e-9);
    expect(errorBudgetRemaining(0, 0, OBJECTIVE)).toBeNull();
  });
});

describe('window pairs', () => {
  const table = vectors.page_and_ticket_windows_30d;

  it('match the SRE workbook table in the reference vectors', () => {
    expect(DEFAULT_WINDOW_PAIRS_30D).toEqual(
      table.map((row) => ({
        severity: row.severity,
        long: parseDuration(row.long),
        short: parseDuration(row.short),
        burnRate: row.burn_rate,
      })),
    );
  });

  it('derive the 30-day thresholds exactly from threshold = share * period / long window', () => {
    expect(vectors.formulas.threshold_for_budget_share).toBe('share * period / long_window');
    const pairs = windowPairsForPeriod(
      SLO_PERIOD_30D_SECONDS,
      table.map((row) => row.budget_consumed),
    );
    expect(pairs).toEqual(DEFAULT_WINDOW_PAIRS_30D);
    expect(pairs.map((p) => p.burnRate)).toEqual([14.4, 6, 3, 1]);
    expect(windowPairsForPeriod(SLO_PERIOD_30D_SECONDS)).toEqual(DEFAULT_WINDOW_PAIRS_30D);
  });

  it('scale thresholds for other periods and keep the windows', () => {
    const pairs = windowPairsForPeriod(parseDuration('28d'));
    expect(pairs.map((p) => [p.long, p.short])).toEqual(
      DEFAULT_WINDOW_PAIRS_30D.map((p) => [p.long, p.short]),
    );
    expect(pairs[0].burnRate).toBe(13.44);
    expect(pairs[1].burnRate).toBe(5.6);
    expect(pairs[2].burnRate).toBe(2.8);
    expectClose(pairs[3].burnRate, 0.1 * 28 / 3, 1e-11);
    expect(windowPairsForPeriod(parseDuration('7d'), [0.05, 0.1, 0.2, 0.2])[0].burnRate).toBe(8.4);
  });

  it('reject periods shorter than a window and malformed shares', () => {
    expect(() => windowPairsForPeriod(parseDuration('2d'))).toThrow(/longer than the SLO period/);
    expect(() => windowPairsForPeriod(SLO_PERIOD_30D_SECONDS, [0.02])).toThrow(/4 budget shares/);
    expect(() => windowPairsForPeriod(SLO_PERIOD_30D_SECONDS, [0.02, 0, 0.1, 0.1])).toThrow(
      /share #2/,
    );
    expect(() => windowPairsForPeriod(0)).toThrow(/positive/);
  });

  it('list the windows the store must answer', () => {
    expect(requiredWindows(DEFAULT_WINDOW_PAIRS_30D)).toEqual([
      300, 1_800, 3_600, 7_200, 21_600, 86_400, 259_200,
    ]);
  });
});

describe('evaluateBurnRate', () => {
  const pairs = DEFAULT_WINDOW_PAIRS_30D;
  const uniform = (ratio: number, total = 1_000_000): Map<number, WindowCounts> =>
    new Map(requiredWindows(pairs).map((w) => [w, { good: total * (1 - ratio), total }]));

  it('is ok when the budget burns slower than every threshold', () => {
    const result = evaluateBurnRate({
      objective: OBJECTIVE,
      pairs: DEFAULT_WINDOW_PAIRS_30D,
      windows: uniform(0.0005),
    });
    expect(result.state).toBe('ok');
    expect(result.pairs.every((p) => !p.firing)).toBe(true);
    expectClose(result.burnRates[3_600] ?? Number.NaN, 0.5, 1e-9);
  });

  it('opens a ticket for a slow burn that no page pair catches', () => {
    const result = evaluateBurnRate({
      objective: OBJECTIVE,
      pairs: DEFAULT_WINDOW_PAIRS_30D,
      windows: uniform(0.002),
    });
    expect(result.state).toBe('ticket');
    expect(result.pairs.map((p) => p.firing)).toEqual([false, false, false, true]);
  });

  it('pages when a page pair fires, even if tickets fire too', () => {
    const result = evaluateBurnRate({
      objective: OBJECTIVE,
      pairs: DEFAULT_WINDOW_PAIRS_30D,
      windows: uniform(0.02),
    });
    expect(result.state).toBe('page');
    expect(result.pairs.map((p) => p.firing)).toEqual([true, true, true, true]);
  });

  it('reports no-data when no window has events, and ok when only some windows lack data', () => {
    expect(evaluateBurnRate({ objective: OBJECTIVE, pairs, windows: new Map() }).state).toBe(
      'no-data',
    );
    const empty = evaluateBurnRate({
      objective: OBJECTIVE,
      pairs: DEFAULT_WINDOW_PAIRS_30D,
      windows: uniform(0, 0),
    });
    expect(empty.state).toBe('no-data');
    expect(Object.values(empty.burnRates).every((b) => b === null)).toBe(true);

    const partial = evaluateBurnRate({
      objective: OBJECTIVE,
      pairs: DEFAULT_WINDOW_PAIRS_30D,
      windows: new Map([[3_600, { good: 0, total: 100 }]]),
    });
    expect(partial.state).toBe('ok');
    expect(partial.pairs[0]).toMatchObject({ longBurn: 1000, shortBurn: null, firing: false });
  });

  it('does not let a low-traffic window fire (minEvents guard)', () => {
    // 20 requests in 5 minutes with 10 failures is a 500x burn, but proves little.
    const windows = new Map<number, WindowCounts>([
      [300, { good: 10, total: 20 }],
      [3_600, { good: 200, total: 240 }],
    ]);
    expect(evaluateBurnRate({ objective: OBJECTIVE, pairs, windows }).state).toBe('page');
    const guarded = evaluateBurnRate({ objective: OBJECTIVE, pairs, windows, minEvents: 100 });
    expect(guarded.state).toBe('ok');
    expect(guarded.pairs[0].firing).toBe(false);
    // The burn rate is still reported so the console can show it.
    expectClose(guarded.burnRates[300] ?? Number.NaN, 500, 1e-9);
    expect(evaluateBurnRate({ objective: OBJECTIVE, pairs, windows, minEvents: 20 }).state).toBe(
      'page',
    );
  });

  it('rejects configurations that cannot be evaluated', () => {
    const windows = uniform(0);
    expect(() => evaluateBurnRate({ objective: 99.9, pairs, windows })).toThrow(
      /strictly between 0 and 1/,
    );
    expect(() => evaluateBurnRate({ objective: OBJECTIVE, pairs: [], windows })).toThrow(
      /at least one window pair/,
    );
    expect(() => evaluateBurnRate({ objective: OBJECTIVE, pairs, windows, minEvents: -1 })).toThrow(
      /minEvents/,
    );
  });
});

// A simulated service: constant traffic of one request every 10 ms (100 rps), healthy for a
// full 3 days before t = 0 (so even the 3-day window is full), then a full outage (every
// request fails) during [outageStart, outageEnd). Window sums are computed analytically over
// continuous time with sliding windows (t - w, t].
describe('detection and reset times (simulated constant traffic)', () => {
  const RATE_PER_SECOND = 100;
  const HISTORY_START = -parseDuration('3d');

  function countsAt(
    t: number,
    window: number,
    outageStart: number,
    outageEnd: number,
  ): WindowCounts {
    const from = Math.max(t - window, HISTORY_START);
    const inOutage = Math.max(0, Math.min(t, outageEnd) - Math.max(from, outageStart));
    const total = RATE_PER_SECOND * (t - from);
    const bad = RATE_PER_SECOND * inOutage;
    return { good: total - bad, total };
  }

  function firingAt(
    pair: AlertWindowPair,
    t: number,
    outageStart = 0,
    outageEnd = Number.POSITIVE_INFINITY,
    // Whole requests: exact counts on the 10 ms grid, free of floating-point residue.
    discrete = false,
  ): boolean {
    const windows = new Map<number, WindowCounts>();
    for (const w of [pair.long, pair.short]) {
      const c = countsAt(t, w, outageStart, outageEnd);
      windows.set(w, discrete ? { good: Math.round(c.good), total: Math.round(c.total) } : c);
    }
    const result = evaluateBurnRate({ objective: OBJECTIVE, pairs: [pair], windows });
    expect(result.state).not.toBe('no-data');
    return result.state === pair.severity;
  }

  // Finds the time where `predicate` switches from its value at `lo` to its value at `hi`.
  function bisect(lo: number, hi: number, predicate: (t: number) => boolean): number {
    const atLo = predicate(lo);
    expect(predicate(hi)).toBe(!atLo);
    for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); i++) {
      const mid = (lo + hi) / 2;
      if (predicate(mid) === atLo) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }

  function pairNamed(name: string): AlertWindowPair {
    const match = /^([\d.]+)x (\w+)\/(\w+)$/.exec(name);
    if (match === null) {
      throw new Error(`unexpected vector key ${name}`);
    }
    const pair = DEFAULT_WINDOW_PAIRS_30D.find(
      (p) =>
        p.burnRate === Number(match[1]) &&
        p.long === parseDuration(match[2]) &&
        p.short === parseDuration(match[3]),
    );
    if (pair === undefined) {
      throw new Error(`no default pair for ${name}`);
    }
    return pair;
  }

  const detection = Object.entries(
    vectors.detection_seconds_full_outage_objective_0_999_constant_traffic,
  );

  it('has the three detection vectors', () => {
    expect(detection.map(([name]) => name)).toEqual(['14.4x 1h/5m', '6x 6h/30m', '1x 3d/6h']);
  });

  it.each(detection)('detects a full outage with %s after %d s', (name, seconds) => {
    const pair = pairNamed(name);
    const detectedAt = bisect(0, 3_600, (t) => firingAt(pair, t));
    expectClose(detectedAt, seconds);
  });

  it('fires on the very request that brings the burn to the threshold (>=, not >)', () => {
    // On the 10 ms grid window counts are whole requests: at 51.84 s, 5184 of the last hour's
    // 360000 requests failed, an error ratio of exactly 0.0144 = 14.4 x 0.001.
    const pair = pairNamed('14.4x 1h/5m');
    expect(firingAt(pair, 51.83, 0, Number.POSITIVE_INFINITY, true)).toBe(false);
    expect(firingAt(pair, 51.84, 0, Number.POSITIVE_INFINITY, true)).toBe(true);
  });

  it('resets the 14.4x page the reference number of seconds after a long outage ends', () => {
    const pair = pairNamed('14.4x 1h/5m');
    const outageEnd = parseDuration('2h');
    const expected = vectors.reset_seconds_after_full_outage_ends_14_4x_1h_5m;
    expect(firingAt(pair, outageEnd, 0, outageEnd)).toBe(true);
    const resetAfter = bisect(0, 1_800, (s) => firingAt(pair, outageEnd + s, 0, outageEnd));
    expectClose(resetAfter, expected);
    // With >=, the last firing request is the one at exactly 295.68 s (burn exactly 14.4 in the
    // 5-minute window), and the next one 10 ms later resets.
    expect(firingAt(pair, outageEnd + 295.68, 0, outageEnd, true)).toBe(true);
    expect(firingAt(pair, outageEnd + 295.69, 0, outageEnd, true)).toBe(false);
  });

  it('ignores a short spike that only the short window sees', () => {
    // A 30 s full outage: the 5-minute window burns at 100x, the hour at only 8.3x.
    const windows = new Map<number, WindowCounts>(
      requiredWindows(DEFAULT_WINDOW_PAIRS_30D).map((w) => [w, countsAt(30, w, 0, 30)]),
    );
    const result = evaluateBurnRate({
      objective: OBJECTIVE,
      pairs: DEFAULT_WINDOW_PAIRS_30D,
      windows,
    });
    expect(result.state).toBe('ok');
    const fast = result.pairs[0];
    expectClose(fast.shortBurn ?? Number.NaN, 100, 1e-9);
    expectClose(fast.longBurn ?? Number.NaN, 30 / 3.6, 1e-9);
    expect(fast.shortBurn ?? 0).toBeGreaterThanOrEqual(fast.pair.burnRate);
    expect(fast.firing).toBe(false);
  });
});
