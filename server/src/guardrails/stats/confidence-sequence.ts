// Sequential harm test for experiment guardrails, built on an asymptotic confidence sequence
// (Waudby-Smith et al.), the boundary GrowthBook's and Eppo's sequential tests use. A
// confidence sequence is a sequence of intervals that covers the true effect at every sample
// size simultaneously with probability 1 - alpha, so Headroom may look after every ingest batch,
// as often as it likes, without inflating the false-alarm rate the way repeated fixed-horizon
// tests would.

export type MetricKind = 'proportion' | 'mean';
/** Which way is good for the metric: skip rate and latency are lower_is_better. */
export type MetricDirection = 'lower_is_better' | 'higher_is_better';
export type Sides = 1 | 2;

/**
 * Tuning sample size N_tune: the total units at which the boundary is tightest. 5000 is the
 * GrowthBook default; the boundary is valid for any value, it only moves where power is best.
 */
export const CS_DEFAULT_N_TUNE = 5000;

function assertAlpha(alpha: number, sides: Sides): void {
  // A one-sided sequence spends 2*alpha in the mixture, which must stay below 1.
  const upper = sides === 1 ? 0.5 : 1;
  if (!(alpha > 0 && alpha < upper)) {
    throw new Error(`alpha must be in (0, ${upper}) for a ${sides}-sided test, got ${alpha}`);
  }
}

function assertPositive(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new Error(`${name} must be a positive number, got ${value}`);
  }
}

/**
 * Mixture scale rho of the normal-mixture boundary:
 * rho^2 = (-2 ln a + ln(-2 ln a + 1)) / N_tune, with a = alpha (two-sided) or 2*alpha
 * (one-sided, which only has one tail to guard).
 */
export function csRho(alpha: number, nTune: number = CS_DEFAULT_N_TUNE, sides: Sides = 2): number {
  assertAlpha(alpha, sides);
  assertPositive('nTune', nTune);
  const a = sides === 1 ? 2 * alpha : alpha;
  const minusTwoLogA = -2 * Math.log(a);
  return Math.sqrt((minusTwoLogA + Math.log(minusTwoLogA + 1)) / nTune);
}

export interface CsHalfWidthInput {
  /** Standard error of the difference in means: sqrt(v_c/n_c + v_t/n_t). */
  se: number;
  /** Total units, control plus treatment. */
  n: number;
  alpha: number;
  sides: Sides;
  nTune?: number;
}

/**
 * Half width of the confidence sequence around the observed difference.
 * Two-sided: SE sqrt(N) sqrt( 2 (N rho^2 + 1) / (N^2 rho^2) ln( sqrt(N rho^2 + 1) / alpha ) ).
 * One-sided: the same with ln(1 + sqrt(N rho^2 + 1) / (2 alpha)), GrowthBook's one-sided
 * normal-mixture bound; it is a little wider than the two-sided formula at 2*alpha and, unlike
 * that shortcut, keeps its own tail at alpha.
 */
export function csHalfWidth(input: CsHalfWidthInput): number {
  const { se, n, alpha, sides } = input;
  const nTune = input.nTune ?? CS_DEFAULT_N_TUNE;
  if (!(Number.isFinite(se) && se >= 0)) {
    throw new Error(`se must be a non-negative number, got ${se}`);
  }
  assertPositive('n', n);
  const rho2 = csRho(alpha, nTune, sides) ** 2;
  const nRho2p1 = n * rho2 + 1;
  const scale = (2 * nRho2p1) / (n * n * rho2);
  const logTerm =
    sides === 1 ? Math.log(1 + Math.sqrt(nRho2p1) / (2 * alpha)) : Math.log(Math.sqrt(nRho2p1) / alpha);
  return se * Math.sqrt(n) * Math.sqrt(scale * logTerm);
}

export interface CsPValueInput {
  /** Observed difference divided by its standard error; for sides 1, positive = the tested tail. */
  z: number;
  /** Total units, control plus treatment. */
  n: number;
  /** The alpha the sequence is tuned for (it fixes rho; the p-value itself is alpha-free). */
  alpha: number;
  nTune?: number;
  /** 2 (default) = the mixture e-value; 1 = the one-sided sequence's exact inversion. */
  sides?: Sides;
}

/**
 * Anytime-valid p-value: the smallest alpha at which the sequence would exclude zero.
 * Two-sided: the normal-mixture e-value E = exp(rho^2 N z^2 / (2 (N rho^2 + 1))) /
 * sqrt(N rho^2 + 1) and p = min(1, 1/E) (Ville's inequality makes 1/E a valid p-value).
 * One-sided: solving the one-sided half width for alpha with rho held fixed gives
 * p = sqrt(N rho^2 + 1) / (2 (exp(rho^2 N z^2 / (2 (N rho^2 + 1))) - 1)), so p < alpha exactly
 * when the one-sided bound excludes zero; a z on the other tail gets p = 1.
 */
export function csPValue(input: CsPValueInput): number {
  const { z, n, alpha } = input;
  const nTune = input.nTune ?? CS_DEFAULT_N_TUNE;
  const sides = input.sides ?? 2;
  if (Number.isNaN(z)) {
    throw new Error('z must be a number, got NaN');
  }
  assertPositive('n', n);
  const rho2 = csRho(alpha, nTune, sides) ** 2;
  const nRho2p1 = n * rho2 + 1;
  const exponent = (rho2 * n * z * z) / (2 * nRho2p1);
  if (sides === 2) {
    const eValue = Math.exp(exponent) / Math.sqrt(nRho2p1);
    return Math.min(1, 1 / eValue);
  }
  if (z <= 0) {
    return 1;
  }
  // expm1 keeps the small-z end accurate; there p is clamped to 1 anyway.
  return Math.min(1, Math.sqrt(nRho2p1) / (2 * Math.expm1(exponent)));
}

// ---------------------------------------------------------------------------------------------
// The guardrail harm test

/** Per-arm sufficient statistics: units, sum of the metric and sum of its squares. */
export interface ArmSummary {
  units: number;
  /** For a proportion: the number of successes (units with value 1). */
  sum: number;
  /** For a proportion: equal to `sum`, since 1^2 = 1. */
  sumSquares: number;
}

export interface SequentialHarmTestInput {
  kind: MetricKind;
  direction: MetricDirection;
  control: ArmSummary;
  treatment: ArmSummary;
  /** One-sided false-harm rate the sequence guarantees over all looks together. */
  alpha: number;
  /**
   * Non-inferiority margin (NIM) as a fraction of the control mean: the degradation the team
   * accepts as "no real harm". Harm is declared only when the treatment is worse by more than
   * this. Default 0.
   */
  margin?: number;
  /** Each arm needs this many units before the test may conclude anything. Default 100. */
  minUnits?: number;
  nTune?: number;
}

export type HarmState = 'harm' | 'no-harm-detected' | 'insufficient-data';

export interface SequentialHarmTestResult {
  state: HarmState;
  /** Treatment mean minus control mean; null while an arm has no units. */
  difference: number | null;
  /** difference / control mean; null when the control mean is 0 or unknown. */
  relativeDifference: number | null;
  /**
   * One-sided confidence-sequence bound for the difference on the harmful side:
   * [lower, +Infinity] for lower_is_better, [-Infinity, upper] for higher_is_better.
   * Null while it cannot be computed (an arm below 2 units, or zero variance).
   */
  interval: [number, number] | null;
  /** Anytime-valid one-sided p-value for "harm beyond the margin"; null when interval is. */
  pValue: number | null;
  units: { control: number; treatment: number };
}

export const HARM_DEFAULT_MIN_UNITS = 100;

// Sums arrive as floating-point aggregates from a database, so sumSquares can sit a few ulps
// below sum^2/units for a constant metric; only a shortfall beyond that is an impossible input.
const VARIANCE_ROUNDING = 1e-9;

interface ArmMoments {
  mean: number;
  /** Sample variance (n - 1 denominator); NaN below 2 units. */
  variance: number;
}

function armMoments(arm: ArmSummary, name: string, kind: MetricKind): ArmMoments {
  const { units, sum, sumSquares } = arm;
  if (!Number.isInteger(units) || units < 0) {
    throw new Error(`${name}.units must be a non-negative integer, got ${units}`);
  }
  if (!Number.isFinite(sum)) {
    throw new Error(`${name}.sum must be a finite number, got ${sum}`);
  }
  if (!Number.isFinite(sumSquares) || sumSquares < 0) {
    throw new Error(`${name}.sumSquares must be a non-negative number, got ${sumSquares}`);
  }
  if (kind === 'proportion') {
    if (!Number.isInteger(sum) || sum < 0) {
      throw new Error(`${name}.sum (successes) must be a non-negative integer, got ${sum}`);
    }
    if (sum > units) {
      throw new Error(`${name}.sum (successes) ${sum} exceeds ${name}.units ${units}`);
    }
    if (sumSquares !== sum) {
      throw new Error(
        `${name}.sumSquares must equal ${name}.sum for a proportion metric (0/1 values), ` +
          `got ${sumSquares} and ${sum}`,
      );
    }
  }
  if (units === 0) {
    if (sum !== 0 || sumSquares !== 0) {
      throw new Error(`${name}.sum and ${name}.sumSquares must be 0 when ${name}.units is 0`);
    }
    return { mean: Number.NaN, variance: Number.NaN };
  }
  const mean = sum / units;
  // sum * mean rather than sum^2 / units: the same value, one rounding fewer.
  const centred = sumSquares - sum * mean;
  if (centred < -VARIANCE_ROUNDING * Math.max(sumSquares, 1)) {
    throw new Error(
      `${name}.sumSquares ${sumSquares} is below ${name}.sum^2/${name}.units ` +
        `${sum * mean}: that would be a negative variance`,
    );
  }
  const variance = units >= 2 ? Math.max(centred, 0) / (units - 1) : Number.NaN;
  return { mean, variance };
}

/**
 * Has the treatment harmed the metric by more than the margin? One-sided test on the difference
 * in means with the confidence sequence, so it may be re-run at every look.
 *
 * The margin is scaled by the observed control mean and treated as a constant, the same
 * convention as the non-inferiority z-test (Spotify's); with the default margin of 0 the test
 * is exact.
 *
 * Too little data is its own state: below minUnits per arm, or with zero variance, the result
 * is neither harm nor a pass, so a rollout is not blessed by a test that could not have failed.
 */
export function sequentialHarmTest(input: SequentialHarmTestInput): SequentialHarmTestResult {
  const { kind, direction, alpha } = input;
  const margin = input.margin ?? 0;
  const minUnits = input.minUnits ?? HARM_DEFAULT_MIN_UNITS;
  const nTune = input.nTune ?? CS_DEFAULT_N_TUNE;
  if (kind !== 'proportion' && kind !== 'mean') {
    throw new Error(`kind must be 'proportion' or 'mean', got ${String(kind)}`);
  }
  if (direction !== 'lower_is_better' && direction !== 'higher_is_better') {
    throw new Error(`direction must be 'lower_is_better' or 'higher_is_better', got ${String(direction)}`);
  }
  assertAlpha(alpha, 1);
  if (!(Number.isFinite(margin) && margin >= 0)) {
    throw new Error(`margin must be a non-negative fraction of the control mean, got ${margin}`);
  }
  if (!(Number.isFinite(minUnits) && minUnits >= 0)) {
    throw new Error(`minUnits must be a non-negative number, got ${minUnits}`);
  }
  assertPositive('nTune', nTune);
  const control = armMoments(input.control, 'control', kind);
  const treatment = armMoments(input.treatment, 'treatment', kind);

  const nControl = input.control.units;
  const nTreatment = input.treatment.units;
  const units = { control: nControl, treatment: nTreatment };
  const difference = nControl > 0 && nTreatment > 0 ? treatment.mean - control.mean : null;
  const relativeDifference =
    difference !== null && control.mean !== 0 ? difference / control.mean : null;

  const se = Math.sqrt(control.variance / nControl + treatment.variance / nTreatment);
  if (difference === null || !(se > 0)) {
    return { state: 'insufficient-data', difference, relativeDifference, interval: null, pValue: null, units };
  }

  const n = nControl + nTreatment;
  const halfWidth = csHalfWidth({ se, n, alpha, sides: 1, nTune });
  const marginAbs = margin * Math.abs(control.mean);
  // Orient everything so that "positive = worse": harm is an increase for lower_is_better
  // metrics and a decrease for higher_is_better ones.
  const harmSign = direction === 'lower_is_better' ? 1 : -1;
  const harmfulShift = harmSign * difference - marginAbs;
  const interval: [number, number] =
    direction === 'lower_is_better'
      ? [difference - halfWidth, Number.POSITIVE_INFINITY]
      : [Number.NEGATIVE_INFINITY, difference + halfWidth];
  const pValue = csPValue({ z: harmfulShift / se, n, alpha, nTune, sides: 1 });

  const enoughUnits = nControl >= Math.max(minUnits, 2) && nTreatment >= Math.max(minUnits, 2);
  let state: HarmState;
  if (!enoughUnits) {
    state = 'insufficient-data';
  } else {
    // The bound on the harmful side lies beyond the margin: "no harm beyond the margin" is
    // outside the sequence.
    state = harmfulShift > halfWidth ? 'harm' : 'no-harm-detected';
  }
  return { state, difference, relativeDifference, interval, pValue, units };
}
