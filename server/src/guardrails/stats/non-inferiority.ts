// Non-inferiority test for guardrail metrics (Spotify's z-test with a relative margin). A
// guardrail does not have to improve; it has to be shown not to be worse by more than the
// non-inferiority margin (NIM): the relative degradation the team has agreed to tolerate, e.g.
// 0.02 = "skip rate may rise by at most 2% of its control value".

import type { MetricDirection } from './confidence-sequence';
import { normalCdf, normalSurvival } from './distributions';

export interface NonInferiorityInput {
  direction: MetricDirection;
  meanControl: number;
  meanTreatment: number;
  /** Per-unit variance of the metric in each arm; p(1 - p) for a proportion. */
  varianceControl: number;
  varianceTreatment: number;
  nControl: number;
  nTreatment: number;
  /** Non-inferiority margin as a fraction of the control mean. */
  nim: number;
  /** One-sided significance level. */
  alpha: number;
}

export interface NonInferiorityResult {
  z: number;
  /** One-sided p-value for "the treatment is worse by at least the margin". */
  pValue: number;
  nonInferior: boolean;
}

function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new Error(`${name} must be a finite number, got ${value}`);
  }
}

/**
 * z-test of H0 "treatment is worse than control by at least nim * mean_control".
 * Lower is better: z = (delta - NIM * mean_control) / SE, non-inferior when z < -z(1-alpha).
 * Higher is better: z = (delta + NIM * mean_control) / SE, non-inferior when z > z(1-alpha).
 * SE = sqrt(v_c/n_c + v_t/n_t); the margin is scaled by the observed control mean and treated
 * as a constant, as Spotify does.
 */
export function nonInferiorityTest(input: NonInferiorityInput): NonInferiorityResult {
  const { direction, meanControl, meanTreatment, varianceControl, varianceTreatment } = input;
  const { nControl, nTreatment, nim, alpha } = input;
  if (direction !== 'lower_is_better' && direction !== 'higher_is_better') {
    throw new Error(`direction must be 'lower_is_better' or 'higher_is_better', got ${String(direction)}`);
  }
  assertFinite('meanControl', meanControl);
  assertFinite('meanTreatment', meanTreatment);
  for (const [name, value] of [
    ['varianceControl', varianceControl],
    ['varianceTreatment', varianceTreatment],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new Error(`${name} must be a non-negative number, got ${value}`);
    }
  }
  for (const [name, value] of [
    ['nControl', nControl],
    ['nTreatment', nTreatment],
  ] as const) {
    if (!(Number.isFinite(value) && value > 0)) {
      throw new Error(`${name} must be a positive number of units, got ${value}`);
    }
  }
  if (!(Number.isFinite(nim) && nim >= 0)) {
    throw new Error(`nim must be a non-negative fraction of the control mean, got ${nim}`);
  }
  if (!(alpha > 0 && alpha < 1)) {
    throw new Error(`alpha must be in (0, 1), got ${alpha}`);
  }
  const se = Math.sqrt(varianceControl / nControl + varianceTreatment / nTreatment);
  if (!(se > 0)) {
    throw new Error(
      'varianceControl and varianceTreatment are both 0: the standard error is 0 and the ' +
        'z-test is undefined',
    );
  }
  const delta = meanTreatment - meanControl;
  const marginAbs = nim * Math.abs(meanControl);
  if (direction === 'lower_is_better') {
    const z = (delta - marginAbs) / se;
    const pValue = normalCdf(z);
    return { z, pValue, nonInferior: pValue < alpha };
  }
  const z = (delta + marginAbs) / se;
  const pValue = normalSurvival(z);
  return { z, pValue, nonInferior: pValue < alpha };
}

export interface ShipDecisionInput {
  /** `name` is optional and only used to word the reasons. */
  successMetrics: Array<{ significantImprovement: boolean; name?: string }>;
  /** null = the guardrail has no data yet, which blocks shipping like a failure does. */
  guardrails: Array<{ nonInferior: boolean | null; name?: string }>;
}

export interface ShipDecision {
  ship: boolean;
  /** Why not (empty when ship is true), in words a reviewer can act on. */
  reasons: string[];
}

/**
 * Spotify's decision rule: ship only when at least one success metric improved significantly
 * and every guardrail was shown non-inferior. Missing guardrail data is not evidence of safety.
 */
export function shipDecision(input: ShipDecisionInput): ShipDecision {
  const reasons: string[] = [];
  const { successMetrics, guardrails } = input;
  if (successMetrics.length === 0) {
    reasons.push('no success metric is defined, so no improvement can be shown');
  } else if (!successMetrics.some((metric) => metric.significantImprovement)) {
    reasons.push(`none of the ${successMetrics.length} success metrics improved significantly`);
  }
  guardrails.forEach((guardrail, i) => {
    const label = guardrail.name !== undefined ? `guardrail ${guardrail.name}` : `guardrail #${i + 1}`;
    if (guardrail.nonInferior === null) {
      reasons.push(`${label} has no data yet, so it is not shown non-inferior`);
    } else if (!guardrail.nonInferior) {
      reasons.push(`${label} is not shown non-inferior: it may be worse than its margin`);
    }
  });
  return { ship: reasons.length === 0, reasons };
}
