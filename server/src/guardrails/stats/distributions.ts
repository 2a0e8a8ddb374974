// The few distribution functions the guardrail statistics need, in one place so every test
// uses the same well-tested implementations (stdlib's, which are accurate far into the tails)
// and nothing in Headroom hand-rolls an incomplete gamma or inverse error function.

import gammainc from '@stdlib/math-base-special-gammainc';
import normalCdfStdlib from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileStdlib from '@stdlib/stats-base-dists-normal-quantile';

const INV_SQRT_TWO_PI = 1 / Math.sqrt(2 * Math.PI);

/** Standard normal density. */
export function normalPdf(x: number): number {
  return INV_SQRT_TWO_PI * Math.exp(-0.5 * x * x);
}

/** P(Z <= x) for a standard normal Z. */
export function normalCdf(x: number): number {
  return normalCdfStdlib(x, 0, 1);
}

/** P(Z > x) for a standard normal Z, taken from the lower tail so it stays exact for large x. */
export function normalSurvival(x: number): number {
  return normalCdfStdlib(-x, 0, 1);
}

/** The x with P(Z <= x) = p for a standard normal Z. */
export function normalQuantile(p: number): number {
  return normalQuantileStdlib(p, 0, 1);
}

/**
 * P(X > x) for X chi-square with `df` degrees of freedom: the regularized upper incomplete
 * gamma Q(df/2, x/2), computed directly rather than as 1 - CDF so small p-values keep their
 * digits.
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) {
    throw new Error(`chi-square degrees of freedom must be positive, got ${df}`);
  }
  if (x <= 0) {
    return 1;
  }
  return gammainc(x / 2, df / 2, true, true);
}
