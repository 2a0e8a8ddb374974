import type { ExperimentDefinition, ExperimentMetric } from '../rules/experiment-definition';
import type { ExperimentSnapshot, MetricAggregate } from './experiment-snapshot';
import { sequentialHarmTest, type ArmSummary } from './stats/confidence-sequence';
import { nonInferiorityTest, shipDecision, type ShipDecision } from './stats/non-inferiority';
import { sampleRatioMismatch } from './stats/srm';

/**
 * The pure guardrail evaluation of one experiment at one snapshot: sample-ratio mismatch, the
 * anytime-valid harm test per guardrail and treatment, and the end-of-experiment ship decision.
 * No data and too few units are states of their own: never a breach, never a pass.
 */
export type MetricState = 'no-data' | 'insufficient-units' | 'ok' | 'breach';
export type SrmResultState = 'no-data' | 'insufficient-units' | 'ok' | 'mismatch';

export interface SrmResult {
  state: SrmResultState;
  chi2: number | null;
  pValue: number | null;
  /** False while a mismatch is flagged: assignment or logging is broken, so every comparison is suspect. */
  trustworthy: boolean;
  message: string;
}

export interface MetricResult {
  metric: string;
  role: ExperimentMetric['role'];
  variant: string;
  kind: ExperimentMetric['kind'];
  direction: ExperimentMetric['direction'];
  margin: number;
  alpha: number;
  /** For a guardrail: the harm test's verdict. For a success metric: ok once it can be judged. */
  state: MetricState;
  controlMean: number | null;
  treatmentMean: number | null;
  /** Treatment mean minus control mean. */
  difference: number | null;
  relativeDifference: number | null;
  /** One-sided confidence-sequence bound on the harmful side; null stands for an unbounded end. */
  interval: { lower: number | null; upper: number | null } | null;
  /** Anytime-valid one-sided p-value for harm beyond the margin (guardrails). */
  pValue: number | null;
  units: { control: number; treatment: number };
  /** Fixed-horizon z-test for the ship decision: non-inferiority (guardrail) or improvement (success). */
  zTest: { z: number; pValue: number; passed: boolean } | null;
  /** Set when SRM is flagged: the numbers are shown but should not be believed. */
  untrustworthy: boolean;
}

export interface ExperimentResults {
  snapshotAt: string | null;
  units: Record<string, number>;
  srm: SrmResult;
  metrics: MetricResult[];
  /** Per treatment; `final` once the experiment is no longer running. */
  ship: Record<string, ShipDecision & { final: boolean }>;
}

function arm(kind: ExperimentMetric['kind'], units: number, agg: MetricAggregate | undefined): ArmSummary | null {
  if (!agg) return null;
  if ('successes' in agg) return kind === 'proportion' ? { units, sum: agg.successes, sumSquares: agg.successes } : null;
  return kind === 'mean' ? { units, sum: agg.sum, sumSquares: agg.sumSquares } : null;
}

/** Per-unit variance for the z-tests: p(1 - p) for a proportion (Spotify's convention), the sample variance for a mean. */
function variance(kind: ExperimentMetric['kind'], a: ArmSummary): number {
  const mean = a.sum / a.units;
  if (kind === 'proportion') return mean * (1 - mean);
  return a.units > 1 ? Math.max(a.sumSquares - a.sum * mean, 0) / (a.units - 1) : 0;
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

function evaluateSrm(def: ExperimentDefinition, snapshot: ExperimentSnapshot | null): SrmResult {
  if (!snapshot) return { state: 'no-data', chi2: null, pValue: null, trustworthy: true, message: 'no observations yet' };
  const observed = def.variants.map((v) => snapshot.variants[v.name]?.units ?? 0);
  const srm = sampleRatioMismatch({ observed, expectedShares: def.variants.map((v) => v.share), minUnitsPerVariant: def.minUnitsPerVariant });
  if (srm.state === 'insufficient-data') {
    return { state: 'insufficient-units', chi2: srm.chi2, pValue: srm.pValue, trustworthy: true, message: `every variant needs ${def.minUnitsPerVariant} units before SRM is judged` };
  }
  if (srm.state === 'mismatch') {
    return {
      state: 'mismatch', chi2: srm.chi2, pValue: srm.pValue, trustworthy: false,
      message: `sample-ratio mismatch (p = ${srm.pValue.toPrecision(3)} < 0.001): the split differs from the intended shares, so every result of this experiment is untrustworthy`,
    };
  }
  return { state: 'ok', chi2: srm.chi2, pValue: srm.pValue, trustworthy: true, message: 'the split matches the intended shares' };
}

function evaluateMetric(metric: ExperimentMetric, control: string, variant: string, snapshot: ExperimentSnapshot | null, untrustworthy: boolean): MetricResult {
  const c = snapshot?.variants[control];
  const t = snapshot?.variants[variant];
  const base: MetricResult = {
    metric: metric.name, role: metric.role, variant, kind: metric.kind, direction: metric.direction, margin: metric.margin, alpha: metric.alpha,
    state: 'no-data', controlMean: null, treatmentMean: null, difference: null, relativeDifference: null, interval: null, pValue: null,
    units: { control: c?.units ?? 0, treatment: t?.units ?? 0 }, zTest: null, untrustworthy,
  };
  const ca = c ? arm(metric.kind, c.units, c.metrics[metric.name]) : null;
  const ta = t ? arm(metric.kind, t.units, t.metrics[metric.name]) : null;
  if (!ca || !ta || ca.units === 0 || ta.units === 0) return base;
  const controlMean = ca.sum / ca.units;
  const treatmentMean = ta.sum / ta.units;
  const result: MetricResult = { ...base, controlMean, treatmentMean, difference: treatmentMean - controlMean, relativeDifference: controlMean !== 0 ? (treatmentMean - controlMean) / controlMean : null };

  if (metric.role === 'guardrail') {
    const harm = sequentialHarmTest({
      kind: metric.kind, direction: metric.direction, control: ca, treatment: ta, alpha: metric.alpha, margin: metric.margin, minUnits: metric.minUnits,
    });
    result.interval = harm.interval ? { lower: finiteOrNull(harm.interval[0]), upper: finiteOrNull(harm.interval[1]) } : null;
    result.pValue = harm.pValue;
    result.state = harm.state === 'harm' ? 'breach' : harm.state === 'no-harm-detected' ? 'ok' : 'insufficient-units';
  } else {
    result.state = ca.units >= metric.minUnits && ta.units >= metric.minUnits ? 'ok' : 'insufficient-units';
  }
  if (result.state === 'ok' || result.state === 'breach') result.zTest = zTest(metric, ca, ta, controlMean, treatmentMean);
  return result;
}

/**
 * Guardrail: non-inferiority with the metric's margin. Success metric: improvement, which is
 * the same test with a margin of 0 (the treatment is better than the control at alpha).
 */
function zTest(metric: ExperimentMetric, ca: ArmSummary, ta: ArmSummary, meanControl: number, meanTreatment: number): MetricResult['zTest'] {
  const varianceControl = variance(metric.kind, ca);
  const varianceTreatment = variance(metric.kind, ta);
  if (!(varianceControl + varianceTreatment > 0)) return null;
  const r = nonInferiorityTest({
    direction: metric.direction, meanControl, meanTreatment, varianceControl, varianceTreatment,
    nControl: ca.units, nTreatment: ta.units, nim: metric.role === 'guardrail' ? metric.margin : 0, alpha: metric.alpha,
  });
  return { z: r.z, pValue: r.pValue, passed: r.nonInferior };
}

export function evaluateExperiment(def: ExperimentDefinition, snapshot: ExperimentSnapshot | null): ExperimentResults {
  const srm = evaluateSrm(def, snapshot);
  const control = def.variants.find((v) => v.control)!.name;
  const treatments = def.variants.filter((v) => !v.control).map((v) => v.name);
  const metrics = treatments.flatMap((variant) => def.metrics.map((m) => evaluateMetric(m, control, variant, snapshot, !srm.trustworthy)));
  const ship: ExperimentResults['ship'] = {};
  for (const variant of treatments) {
    const mine = metrics.filter((m) => m.variant === variant);
    const decision = shipDecision({
      successMetrics: mine.filter((m) => m.role === 'success').map((m) => ({ name: m.metric, significantImprovement: m.zTest?.passed ?? false })),
      guardrails: mine.filter((m) => m.role === 'guardrail').map((m) => ({ name: m.metric, nonInferior: m.zTest ? m.zTest.passed : null })),
    });
    if (!srm.trustworthy) decision.reasons.unshift(srm.message);
    ship[variant] = { ship: decision.ship && srm.trustworthy, reasons: decision.reasons, final: def.status !== 'running' };
  }
  return {
    snapshotAt: snapshot ? snapshot.at.toISOString() : null,
    units: Object.fromEntries(def.variants.map((v) => [v.name, snapshot?.variants[v.name]?.units ?? 0])),
    srm,
    metrics,
    ship,
  };
}

/** The breaches to page for: guardrails whose harm test concluded harm. */
export function breaches(results: ExperimentResults): MetricResult[] {
  return results.metrics.filter((m) => m.role === 'guardrail' && m.state === 'breach');
}
