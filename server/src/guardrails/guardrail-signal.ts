import type { Signal } from '../common/signals';
import type { ExperimentDefinition } from '../rules/experiment-definition';
import type { ExperimentResults, MetricResult } from './experiment-evaluation';

/** One incident per (experiment, variant, metric) while it is open. */
export function guardrailFingerprint(experiment: string, variant: string, metric: string): string {
  return `guardrail:${experiment}:${variant}:${metric}`;
}

/** The signal for a guardrail breach (or its clearing), with the evidence a responder needs. */
export function guardrailSignal(def: ExperimentDefinition, results: ExperimentResults, m: MetricResult, status: Signal['status'], at: Date): Signal {
  const control = def.variants.find((v) => v.control)!.name;
  const worse = m.direction === 'lower_is_better' ? 'raises' : 'lowers';
  return {
    fingerprint: guardrailFingerprint(def.id, m.variant, m.metric),
    status,
    source: 'guardrail',
    service: def.service,
    title: `${def.service} experiment ${def.id}: ${m.variant} ${worse} ${m.metric} beyond its margin${results.srm.trustworthy ? '' : ' (SRM: untrustworthy)'}`,
    severity: def.severity,
    runbookId: def.runbookId,
    labels: { experiment: def.id, variant: m.variant, metric: m.metric },
    evidence: {
      experiment: def.id,
      variant: m.variant,
      control,
      metric: m.metric,
      kind: m.kind,
      direction: m.direction,
      margin: m.margin,
      alpha: m.alpha,
      state: m.state,
      controlMean: m.controlMean,
      treatmentMean: m.treatmentMean,
      difference: m.difference,
      relativeDifference: m.relativeDifference,
      interval: m.interval,
      pValue: m.pValue,
      units: results.units,
      srm: results.srm,
      untrustworthy: m.untrustworthy,
      snapshotAt: results.snapshotAt,
      evaluatedAt: at.toISOString(),
    },
    at,
  };
}
