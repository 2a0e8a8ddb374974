import type { SloDefinition } from '../rules/slo-definition';
import type { SeriesResolver, SloSeries } from './sli-reader';

/**
 * Names of the series the simulator writes and its SLOs read. Kept here (upstream of both)
 * so neither the simulator nor the evaluator has to know the other.
 */
export const simulatorSeries = {
  requests: (service: string) => `simulator/${service}/requests`,
  errors: (service: string) => `simulator/${service}/errors`,
  latency: (service: string) => `simulator/${service}/latency_seconds`,
};

export function simulatorSeriesForSlo(slo: SloDefinition): SloSeries {
  if (slo.sli.kind === 'latency') {
    return { kind: 'latency', histogram: [simulatorSeries.latency(slo.service)], thresholdSeconds: slo.sli.thresholdSeconds };
  }
  return { kind: 'events', total: [simulatorSeries.requests(slo.service)], bad: [simulatorSeries.errors(slo.service)] };
}

// Keyed by the definition object (a reload makes new ones): every pass resolves every SLO.
const simulatorResolved = new WeakMap<SloDefinition, SloSeries>();

export class SimulatorSeriesResolver implements SeriesResolver {
  readonly source = 'simulator' as const;
  async resolve(slos: SloDefinition[]): Promise<Map<string, SloSeries>> {
    const out = new Map<string, SloSeries>();
    for (const slo of slos) {
      let series = simulatorResolved.get(slo);
      if (!series) simulatorResolved.set(slo, (series = simulatorSeriesForSlo(slo)));
      out.set(slo.id, series);
    }
    return out;
  }
}

/** Every series an SLO reads, to match against the series an ingest batch touched. */
export function allSeries(s: SloSeries): string[] {
  return s.kind === 'latency' ? s.histogram : [...s.total, ...(s.bad ?? []), ...(s.good ?? [])];
}
