import type { SloDefinition } from '../rules/slo-definition';

/**
 * Names of the series an SLO reads. Sources write under these names; evaluation reads them.
 * Kept here (upstream of both) so neither has to know the other.
 */
export const simulatorSeries = {
  requests: (service: string) => `simulator/${service}/requests`,
  errors: (service: string) => `simulator/${service}/errors`,
  latency: (service: string) => `simulator/${service}/latency_seconds`,
};

export type SloSeries =
  | { kind: 'events'; total: string; bad: string }
  | { kind: 'latency'; histogram: string; thresholdSeconds: number };

export function seriesForSlo(slo: SloDefinition): SloSeries {
  if (slo.sli.kind === 'latency') {
    return { kind: 'latency', histogram: simulatorSeries.latency(slo.service), thresholdSeconds: slo.sli.thresholdSeconds };
  }
  return { kind: 'events', total: simulatorSeries.requests(slo.service), bad: simulatorSeries.errors(slo.service) };
}
