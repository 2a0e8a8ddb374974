import type { ExperimentDefinition } from '../rules/experiment-definition';

/**
 * One cumulative snapshot of an experiment: per variant, the units assigned so far and per
 * metric the successes (proportion) or the sum and sum of squares (mean) over those units.
 */
export type MetricAggregate = { successes: number } | { sum: number; sumSquares: number };

export interface VariantAggregate {
  units: number;
  metrics: Record<string, MetricAggregate>;
}

export interface ExperimentSnapshot {
  at: Date;
  variants: Record<string, VariantAggregate>;
}

export interface SnapshotIssue {
  field: string;
  message: string;
}

// Sums arrive as floating-point aggregates, so a constant metric's sumSquares may sit a few
// ulps below sum^2/units; only a shortfall beyond that is an impossible variance.
const VARIANCE_ROUNDING = 1e-9;

/**
 * Checks a snapshot against its experiment: every variant present and known, counts that can
 * be, variances that are not negative. Returns every problem, each naming its field.
 */
export function snapshotIssues(def: ExperimentDefinition, variants: Record<string, VariantAggregate>): SnapshotIssue[] {
  const issues: SnapshotIssue[] = [];
  const known = new Map(def.variants.map((v) => [v.name, v]));
  const metrics = new Map(def.metrics.map((m) => [m.name, m]));
  for (const name of Object.keys(variants)) {
    if (!known.has(name)) issues.push({ field: `variants.${name}`, message: `unknown variant; ${def.id} has ${[...known.keys()].join(', ')}` });
  }
  for (const name of known.keys()) {
    if (!(name in variants)) issues.push({ field: `variants.${name}`, message: 'missing: a snapshot gives every variant, cumulative since the start' });
  }
  for (const [variant, agg] of Object.entries(variants)) {
    if (!known.has(variant)) continue;
    const base = `variants.${variant}`;
    const units = agg.units;
    if (!Number.isSafeInteger(units) || units < 0) {
      issues.push({ field: `${base}.units`, message: `must be a non-negative whole number, got ${units}` });
      continue;
    }
    for (const [metric, value] of Object.entries(agg.metrics)) {
      const field = `${base}.metrics.${metric}`;
      const spec = metrics.get(metric);
      if (!spec) {
        issues.push({ field, message: `unknown metric; ${def.id} has ${[...metrics.keys()].join(', ')}` });
        continue;
      }
      if (spec.kind === 'proportion') {
        if (!('successes' in value)) {
          issues.push({ field, message: `${metric} is a proportion metric: send {"successes": n}` });
          continue;
        }
        const s = value.successes;
        if (!Number.isSafeInteger(s) || s < 0) issues.push({ field: `${field}.successes`, message: `must be a non-negative whole number, got ${s}` });
        else if (s > units) issues.push({ field: `${field}.successes`, message: `${s} is more than the variant's ${units} units` });
        continue;
      }
      if (!('sum' in value)) {
        issues.push({ field, message: `${metric} is a mean metric: send {"sum": x, "sumSquares": y}` });
        continue;
      }
      const { sum, sumSquares } = value;
      if (!Number.isFinite(sum)) issues.push({ field: `${field}.sum`, message: `must be a finite number, got ${sum}` });
      if (!Number.isFinite(sumSquares) || sumSquares < 0) {
        issues.push({ field: `${field}.sumSquares`, message: `must be a non-negative number, got ${sumSquares}` });
        continue;
      }
      if (!Number.isFinite(sum)) continue;
      if (units === 0) {
        if (sum !== 0 || sumSquares !== 0) issues.push({ field: `${field}.sum`, message: 'sum and sumSquares must be 0 while the variant has 0 units' });
        continue;
      }
      const floor = (sum * sum) / units;
      if (sumSquares - floor < -VARIANCE_ROUNDING * Math.max(sumSquares, 1)) {
        issues.push({ field: `${field}.sumSquares`, message: `${sumSquares} is below sum^2/units = ${floor}: that would be a negative variance` });
      }
    }
  }
  return issues;
}
