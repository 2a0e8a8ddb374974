// Multi-window, multi-burn-rate alerting (Google SRE Workbook, ch. 5) as pure functions.
//
// Vocabulary, defined once here:
// - objective: the SLO target, the fraction of events that must be good (0.999 = 99.9%).
// - error budget: the fraction of events allowed to be bad over the SLO period, 1 - objective.
// - error ratio: the fraction of events in a window that were bad, (total - good) / total.
// - burn rate: how fast a window spends the budget, error ratio / error budget; 1 means the
//   budget would be used up exactly at the end of the period, 14.4 means in 1/14.4 of it.
// - window pair: a long window that proves the burn is sustained and a short window that
//   proves it is still happening (so the alert resets soon after a fix); both must burn.

import { parseDuration } from '../common/duration';

export type AlertSeverity = 'page' | 'ticket';

/** A multi-window burn-rate condition. Windows are in seconds. */
export interface AlertWindowPair {
  severity: AlertSeverity;
  /** Long window, seconds. */
  long: number;
  /** Short window, seconds (the workbook uses 1/12 of the long window). */
  short: number;
  /** Burn-rate threshold both windows must reach. */
  burnRate: number;
}

/** Good and total event counts over one window. */
export interface WindowCounts {
  good: number;
  total: number;
}

export type BurnRateState = 'ok' | 'ticket' | 'page' | 'no-data';

export interface BurnRateInput {
  /** SLO objective in (0, 1), e.g. 0.999. */
  objective: number;
  pairs: readonly AlertWindowPair[];
  /** Counts keyed by window length in seconds; a missing key means no data for that window. */
  windows: ReadonlyMap<number, WindowCounts>;
  /**
   * Low-traffic guard: a window with fewer events than this cannot fire (its burn rate is
   * still reported). With 20 requests an hour one failure is a 5% error ratio, a 50x burn on a
   * 99.9% SLO, which is noise rather than an outage. Defaults to 0 (no guard).
   */
  minEvents?: number;
}

export interface PairEvaluation {
  pair: AlertWindowPair;
  longBurn: number | null;
  shortBurn: number | null;
  firing: boolean;
}

export interface BurnRateEvaluation {
  state: BurnRateState;
  pairs: PairEvaluation[];
  /** Burn rate per window length in seconds, for every window the pairs use; null = no data. */
  burnRates: Record<number, number | null>;
}

/** Length of the SLO period the workbook table is written for: 30 days, in seconds. */
export const SLO_PERIOD_30D_SECONDS = 30 * 86_400;

/**
 * Share of the error budget each default pair lets burn before it fires, in the order of
 * DEFAULT_WINDOW_PAIRS_30D (2% in 1h, 5% in 6h, 10% in 1d, 10% in 3d).
 */
export const DEFAULT_BUDGET_SHARES: readonly number[] = Object.freeze([0.02, 0.05, 0.1, 0.1]);

const DEFAULT_WINDOWS: ReadonlyArray<Omit<AlertWindowPair, 'burnRate'>> = [
  { severity: 'page', long: parseDuration('1h'), short: parseDuration('5m') },
  { severity: 'page', long: parseDuration('6h'), short: parseDuration('30m') },
  { severity: 'ticket', long: parseDuration('1d'), short: parseDuration('2h') },
  { severity: 'ticket', long: parseDuration('3d'), short: parseDuration('6h') },
];

const PAIRS_30D: AlertWindowPair[] = [
  { severity: 'page', long: 3_600, short: 300, burnRate: 14.4 },
  { severity: 'page', long: 21_600, short: 1_800, burnRate: 6 },
  { severity: 'ticket', long: 86_400, short: 7_200, burnRate: 3 },
  { severity: 'ticket', long: 259_200, short: 21_600, burnRate: 1 },
];

/**
 * The SRE Workbook's four pairs for a 30-day period (table 5-8): page at 14.4x over 1h/5m
 * (2% of the budget gone) or 6x over 6h/30m (5%); ticket at 3x over 1d/2h or 1x over 3d/6h
 * (10% each). Frozen because every SLO without its own pairs shares this table.
 */
export const DEFAULT_WINDOW_PAIRS_30D: ReadonlyArray<Readonly<AlertWindowPair>> = Object.freeze(
  PAIRS_30D.map((pair) => Object.freeze(pair)),
);

// Burn rates are ratios of floating-point numbers (5184 / 360000 / 0.001 is not exactly 14.4),
// so a window burning at exactly the threshold can come out a few ulps below it. Comparisons allow
// this much relative slack so that "exactly at the threshold" fires as the >= rule intends.
const THRESHOLD_RELATIVE_TOLERANCE = 1e-9;

function assertObjective(objective: number): void {
  if (!(objective > 0 && objective < 1)) {
    throw new RangeError(
      `SLO objective must be strictly between 0 and 1 (e.g. 0.999), got ${String(objective)}`,
    );
  }
}

/**
 * Fraction of events that were bad, or null when there is no data (total 0, negative or not
 * a finite number). Counters that drift (good > total) are clamped into [0, 1] rather than
 * producing a negative ratio.
 */
export function errorRatio(good: number, total: number): number | null {
  if (!Number.isFinite(good) || !Number.isFinite(total) || total <= 0) {
    return null;
  }
  const bad = Math.min(total, Math.max(0, total - good));
  return bad / total;
}

const budgets = new Map<number, number>();

/** Error budget of an objective: the fraction of events allowed to fail, 1 - objective. */
export function errorBudget(objective: number): number {
  const known = budgets.get(objective);
  if (known !== undefined) return known;
  assertObjective(objective);
  // 1 - 0.999 is 0.0010000000000000009 in binary floating point, which would make every burn
  // rate a few ulps low (999.9999999999991 instead of 1000). Objectives are written as short
  // decimals, so 12 significant digits recover the budget the user meant.
  const budget = Number((1 - objective).toPrecision(12));
  // Remembered: an evaluation pass asks for the same few objectives tens of thousands of times.
  if (budgets.size < 10_000) budgets.set(objective, budget);
  return budget;
}

/** Burn rate = error ratio / (1 - objective). A null ratio (no data) stays null. */
export function burnRate(errorRatio: number, objective: number): number;
export function burnRate(errorRatio: number | null, objective: number): number | null;
export function burnRate(errorRatio: number | null, objective: number): number | null {
  const budget = errorBudget(objective);
  return errorRatio === null ? null : errorRatio / budget;
}

/**
 * Fraction of the period's error budget still unspent: 1 - bad / ((1 - objective) * total),
 * over counts for the whole SLO period. Negative once the budget is overspent; null with no
 * data.
 */
export function errorBudgetRemaining(
  good: number,
  total: number,
  objective: number,
): number | null {
  const ratio = errorRatio(good, total);
  return ratio === null ? null : 1 - ratio / errorBudget(objective);
}

/**
 * The default four pairs with thresholds scaled to another SLO period:
 * threshold = budget share * period / long window. The windows stay the same, so a 30-day
 * period gives exactly 14.4 / 6 / 3 / 1 and a 28-day one 13.44 / 5.6 / 2.8 / 0.9333….
 */
export function windowPairsForPeriod(
  periodSeconds: number,
  budgetShares: readonly number[] = DEFAULT_BUDGET_SHARES,
): AlertWindowPair[] {
  if (!Number.isFinite(periodSeconds) || periodSeconds <= 0) {
    throw new RangeError(`SLO period must be a positive number of seconds, got ${periodSeconds}`);
  }
  if (budgetShares.length !== DEFAULT_WINDOWS.length) {
    throw new RangeError(
      `Expected ${DEFAULT_WINDOWS.length} budget shares (one per default window pair: ` +
        `1h/5m, 6h/30m, 1d/2h, 3d/6h), got ${budgetShares.length}`,
    );
  }
  return DEFAULT_WINDOWS.map((windows, i) => {
    const share = budgetShares[i];
    if (!(share > 0 && share <= 1)) {
      throw new RangeError(`Budget share #${i + 1} must be in (0, 1], got ${String(share)}`);
    }
    if (windows.long > periodSeconds) {
      throw new RangeError(
        `Window ${windows.long}s is longer than the SLO period ${periodSeconds}s; ` +
          'use a longer period or custom window pairs',
      );
    }
    // share * period / long is 14.400000000000002 in floating point for the first pair;
    // 12 significant digits is far beyond any meaningful threshold and gives the clean
    // table values back.
    const threshold = Number(((share * periodSeconds) / windows.long).toPrecision(12));
    return { ...windows, burnRate: threshold };
  });
}

/** Distinct window lengths (seconds, ascending) the SLI store must answer for these pairs. */
export function requiredWindows(pairs: readonly AlertWindowPair[]): number[] {
  // Callers pass the same (frozen-in-practice) pairs array on every pass; remember its answer.
  const known = windowsOfPairs.get(pairs);
  if (known) return known;
  const windows = new Set<number>();
  for (const pair of pairs) {
    windows.add(pair.long);
    windows.add(pair.short);
  }
  const sorted = [...windows].sort((a, b) => a - b);
  windowsOfPairs.set(pairs, sorted);
  return sorted;
}
const windowsOfPairs = new WeakMap<readonly AlertWindowPair[], number[]>();

function reaches(burn: number | null, threshold: number): boolean {
  // >= rather than >: the reference detection times (e.g. 51.84 s = 14.4 x 0.001 x 1 h for a
  // full outage) are the instant the long window's burn *reaches* the threshold, so with
  // per-request data the alert fires on that very request; > would fire one request later.
  return burn !== null && burn >= threshold * (1 - THRESHOLD_RELATIVE_TOLERANCE);
}

/**
 * An SLO's pairs prepared once for evaluating them pass after pass (the rules change only on a
 * reload): the distinct windows they read, and each pair's long and short window as a position
 * in that list. Validates what evaluateBurnRate validates, with the same errors.
 */
export interface CompiledBurnRules {
  objective: number;
  pairs: readonly AlertWindowPair[];
  minEvents: number;
  /** requiredWindows(pairs): seconds, ascending. */
  windows: readonly number[];
  long: Int32Array;
  short: Int32Array;
}

export function compileBurnRules(objective: number, pairs: readonly AlertWindowPair[], minEvents = 0): CompiledBurnRules {
  assertObjective(objective);
  if (pairs.length === 0) {
    throw new RangeError('evaluateBurnRate needs at least one window pair');
  }
  if (!(minEvents >= 0)) {
    throw new RangeError(`minEvents must be a non-negative number, got ${String(minEvents)}`);
  }
  const windows = requiredWindows(pairs);
  return {
    objective,
    pairs,
    minEvents,
    windows,
    long: Int32Array.from(pairs, (p) => windows.indexOf(p.long)),
    short: Int32Array.from(pairs, (p) => windows.indexOf(p.short)),
  };
}

/**
 * Where evaluateCompiled reads its counts: for window i of rules.windows, good[offset +
 * column[i]] and total[offset + column[i]] when present[…] is 1 (0 means no data for that
 * window).
 */
export interface CountColumns {
  good: ArrayLike<number>;
  total: ArrayLike<number>;
  present: ArrayLike<number>;
  offset: number;
  column: ArrayLike<number>;
}

/**
 * Where evaluateCompiled writes: the burn rate of window i of rules.windows at burn[burnAt + i]
 * (NaN for no data, which a burn rate never is otherwise) and whether pair p fires at
 * firing[firingAt + p].
 */
export interface BurnOutput {
  burn: Float64Array;
  burnAt: number;
  firing: Uint8Array;
  firingAt: number;
}

/**
 * evaluateBurnRate without an object per window or pair, for passes over thousands of SLOs;
 * returns the state. evaluateBurnRate is this function, so both give the same numbers.
 */
export function evaluateCompiled(rules: CompiledBurnRules, counts: CountColumns, out: BurnOutput): BurnRateState {
  const { objective, minEvents, windows, pairs } = rules;
  const { good, total, present, offset, column } = counts;
  const { burn, burnAt, firing, firingAt } = out;
  const budget = errorBudget(objective);
  let anyData = false;
  for (let i = 0; i < windows.length; i++) {
    const c = offset + column[i];
    const ratio = present[c] === 1 ? errorRatio(good[c], total[c]) : null;
    if (ratio === null) {
      burn[burnAt + i] = Number.NaN;
    } else {
      burn[burnAt + i] = ratio / budget;
      anyData = true;
    }
  }
  let page = false;
  let ticket = false;
  for (let p = 0; p < pairs.length; p++) {
    const pair = pairs[p];
    const longBurn = burn[burnAt + rules.long[p]];
    const shortBurn = burn[burnAt + rules.short[p]];
    // Eligible: a burn rate (so data) and at least minEvents events in both windows.
    const fires =
      !Number.isNaN(longBurn) &&
      !Number.isNaN(shortBurn) &&
      total[offset + column[rules.long[p]]] >= minEvents &&
      total[offset + column[rules.short[p]]] >= minEvents &&
      reaches(longBurn, pair.burnRate) &&
      reaches(shortBurn, pair.burnRate);
    firing[firingAt + p] = fires ? 1 : 0;
    if (fires) {
      if (pair.severity === 'page') page = true;
      else ticket = true;
    }
  }
  return !anyData ? 'no-data' : page ? 'page' : ticket ? 'ticket' : 'ok';
}

/**
 * Evaluates multi-window burn-rate conditions. A pair fires when both its long and short
 * window burn at or above its threshold (and both have at least minEvents events); a severity
 * fires when any of its pairs fires; page beats ticket; no data in every window is 'no-data'.
 */
export function evaluateBurnRate(input: BurnRateInput): BurnRateEvaluation {
  const rules = compileBurnRules(input.objective, input.pairs, input.minEvents ?? 0);
  const n = rules.windows.length;
  const good = new Float64Array(n);
  const total = new Float64Array(n);
  const present = new Uint8Array(n);
  rules.windows.forEach((window, i) => {
    const counts = input.windows.get(window);
    if (counts === undefined) return;
    good[i] = counts.good;
    total[i] = counts.total;
    present[i] = 1;
  });
  const burn = new Float64Array(n);
  const firing = new Uint8Array(rules.pairs.length);
  const column = Int32Array.from(rules.windows, (_, i) => i);
  const state = evaluateCompiled(rules, { good, total, present, offset: 0, column }, { burn, burnAt: 0, firing, firingAt: 0 });
  const burnRates: Record<number, number | null> = {};
  rules.windows.forEach((window, i) => {
    burnRates[window] = Number.isNaN(burn[i]) ? null : burn[i];
  });
  const pairs: PairEvaluation[] = rules.pairs.map((pair, p) => ({
    pair,
    longBurn: burnRates[pair.long],
    shortBurn: burnRates[pair.short],
    firing: firing[p] === 1,
  }));
  return { state, pairs, burnRates };
}
