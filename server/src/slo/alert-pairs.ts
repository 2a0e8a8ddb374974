import type { SloDefinition } from '../rules/slo-definition';
import { DEFAULT_BUDGET_SHARES, windowPairsForPeriod, type AlertWindowPair } from './burn-rate';

/**
 * The window pairs an SLO alerts on: the SRE-workbook pairs scaled to its period, or its own
 * `alerting.windows`, without the severities it turned off. Thresholds always follow
 * threshold = budget share × period / long window.
 */
export function alertPairsFor(slo: SloDefinition): AlertWindowPair[] {
  const { alerting, periodSeconds } = slo;
  const pairs: AlertWindowPair[] = alerting.windows
    ? alerting.windows.map((w) => ({
        severity: w.severity,
        long: w.long,
        short: w.short,
        burnRate: Number(((w.budgetShare * periodSeconds) / w.long).toPrecision(12)),
      }))
    : windowPairsForPeriod(periodSeconds, DEFAULT_BUDGET_SHARES);
  return pairs.filter((p) => (p.severity === 'page' ? alerting.page : alerting.ticket));
}
