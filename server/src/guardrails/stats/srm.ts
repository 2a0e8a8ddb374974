// Sample-ratio mismatch (SRM): the variants of an experiment received a split of units that
// differs from the configured split by more than chance allows, which means assignment or
// logging is broken and every metric comparison in that experiment is suspect.

import { chiSquareSurvival } from './distributions';

export type SrmState = 'ok' | 'mismatch' | 'insufficient-data';

export interface SampleRatioMismatchInput {
  /** Units assigned to each variant, in the same order as `expectedShares`. */
  observed: number[];
  /** Configured traffic share of each variant; must sum to 1. */
  expectedShares: number[];
  /** Every variant needs at least this many units before a mismatch can be flagged. */
  minUnitsPerVariant?: number;
  /** Flag when the p-value is below this (GrowthBook and Eppo use 0.001). */
  threshold?: number;
}

export interface SampleRatioMismatchResult {
  state: SrmState;
  /** Pearson's statistic: sum over variants of (observed - expected)^2 / expected. */
  chi2: number;
  pValue: number;
  /** Degrees of freedom: variants - 1. */
  df: number;
}

export const SRM_DEFAULT_MIN_UNITS_PER_VARIANT = 100;
// Strict on purpose: SRM is checked over and over as data arrives, on every experiment, so a
// lenient threshold would cry wolf; a real assignment bug quickly drives p far below 0.001.
export const SRM_DEFAULT_THRESHOLD = 0.001;

const SHARE_SUM_TOLERANCE = 1e-9;

function validate(input: SampleRatioMismatchInput, minUnits: number, threshold: number): void {
  const { observed, expectedShares } = input;
  if (observed.length !== expectedShares.length) {
    throw new Error(
      `observed has ${observed.length} variants but expectedShares has ` +
        `${expectedShares.length}: give one expected share per observed count`,
    );
  }
  if (observed.length < 2) {
    throw new Error(`observed needs at least 2 variants, got ${observed.length}`);
  }
  observed.forEach((count, i) => {
    if (!Number.isInteger(count) || count < 0) {
      throw new Error(`observed[${i}] must be a non-negative integer count, got ${count}`);
    }
  });
  expectedShares.forEach((share, i) => {
    // A zero share would make the expected count 0 and the statistic undefined; a variant that
    // is meant to get no traffic does not belong in the test.
    if (!Number.isFinite(share) || share <= 0 || share >= 1) {
      throw new Error(`expectedShares[${i}] must be in (0, 1), got ${share}`);
    }
  });
  const shareSum = expectedShares.reduce((a, b) => a + b, 0);
  if (Math.abs(shareSum - 1) > SHARE_SUM_TOLERANCE) {
    throw new Error(`expectedShares must sum to 1 (within ${SHARE_SUM_TOLERANCE}), got ${shareSum}`);
  }
  if (!Number.isFinite(minUnits) || minUnits < 0) {
    throw new Error(`minUnitsPerVariant must be a non-negative number, got ${minUnits}`);
  }
  if (!(threshold > 0 && threshold < 1)) {
    throw new Error(`threshold must be in (0, 1), got ${threshold}`);
  }
}

/**
 * Pearson chi-square goodness-of-fit of the assignment counts against the configured split.
 * Flags `mismatch` only when p < threshold and every variant has reached the minimum units: on
 * a handful of units the chi-square approximation is poor, and a page then would be noise.
 */
export function sampleRatioMismatch(input: SampleRatioMismatchInput): SampleRatioMismatchResult {
  const minUnits = input.minUnitsPerVariant ?? SRM_DEFAULT_MIN_UNITS_PER_VARIANT;
  const threshold = input.threshold ?? SRM_DEFAULT_THRESHOLD;
  validate(input, minUnits, threshold);

  const { observed, expectedShares } = input;
  const df = observed.length - 1;
  const total = observed.reduce((a, b) => a + b, 0);
  let chi2 = 0;
  if (total > 0) {
    for (let i = 0; i < observed.length; i++) {
      const expected = total * expectedShares[i];
      const deviation = observed[i] - expected;
      chi2 += (deviation * deviation) / expected;
    }
  }
  const pValue = chiSquareSurvival(chi2, df);
  const enoughData = observed.every((count) => count >= minUnits);
  let state: SrmState;
  if (!enoughData) {
    state = 'insufficient-data';
  } else {
    state = pValue < threshold ? 'mismatch' : 'ok';
  }
  return { state, chi2, pValue, df };
}
