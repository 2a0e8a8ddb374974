// The simulator's demo experiments: per-minute traffic into each variant of a running
// experiment and its metrics, added to the last cumulative snapshot. Pure and deterministic: the
// draws are seeded from (seed, experiment, variant, metric, minute), like the traffic model.
import type { MetricAggregate, VariantAggregate } from '../../guardrails/experiment-snapshot';
import type { ExperimentDefinition, ExperimentMetric } from '../../rules/experiment-definition';
import { seededDraws } from './traffic-model';

const MINUTE_MS = 60_000;

/** Units entering the whole experiment per simulated minute (split by the variants' shares). */
export const UNITS_PER_MINUTE = 240;

/**
 * A metric's behaviour in the control: a proportion's rate, or a mean with its standard
 * deviation. Picked from the metric's name so every experiment gets plausible, stable values.
 */
export function baseline(metric: ExperimentMetric): { p: number } | { mean: number; sd: number } {
  let h = 0;
  for (const ch of metric.name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const u = (h % 1000) / 1000;
  return metric.kind === 'proportion' ? { p: 0.15 + 0.4 * u } : { mean: 10 + 30 * u, sd: 5 + 10 * u };
}

/**
 * The treatment's value under a harm of `harm` (a fraction, 0..1): a guardrail moves that much
 * in its bad direction (a skip rate rises by 20% of itself at 0.2); success metrics do not move.
 */
export function harmed(metric: ExperimentMetric, value: number, harm: number): number {
  if (metric.role !== 'guardrail' || harm <= 0) return value;
  return metric.direction === 'lower_is_better' ? value * (1 + harm) : value * (1 - harm);
}

export interface AdvanceInput {
  def: ExperimentDefinition;
  /** The last snapshot's variants (cumulative), or null to start from zero. */
  previous: Record<string, VariantAggregate> | null;
  /** Minute-aligned, from inclusive, to exclusive. */
  fromMs: number;
  toMs: number;
  /** The harm injected at a minute (0 = none). */
  harmAt: (minuteMs: number) => number;
  seed: number;
}

/** The snapshot at `toMs`: `previous` plus every minute of [fromMs, toMs). */
export function advanceSnapshot(input: AdvanceInput): Record<string, VariantAggregate> {
  const { def, previous, fromMs, toMs, harmAt, seed } = input;
  const out: Record<string, VariantAggregate> = {};
  for (const v of def.variants) {
    const before = previous?.[v.name];
    out[v.name] = { units: before?.units ?? 0, metrics: Object.fromEntries(def.metrics.map((m) => [m.name, copy(before?.metrics[m.name], m)])) };
  }
  for (let minute = fromMs; minute < toMs; minute += MINUTE_MS) {
    const harm = harmAt(minute);
    for (const v of def.variants) {
      const agg = out[v.name];
      const draws = seededDraws(`${seed}|${def.id}|${v.name}`, minute, minute + MINUTE_MS);
      const units = draws.poisson(UNITS_PER_MINUTE * v.share);
      if (units === 0) continue;
      agg.units += units;
      for (const m of def.metrics) {
        const b = baseline(m);
        const h = v.control ? 0 : harm;
        const a = agg.metrics[m.name];
        if ('p' in b && 'successes' in a) {
          a.successes += draws.binomial(units, Math.min(0.99, harmed(m, b.p, h)));
        } else if ('mean' in b && 'sum' in a) {
          const mean = harmed(m, b.mean, h);
          // The minute's sum of `units` values with this mean and sd, and a sum of squares that a
          // real sample could have (never below sum² / units).
          const sum = units * mean + Math.sqrt(units) * b.sd * draws.normal();
          const spread = b.sd * b.sd * Math.max(0, units - 1) * Math.max(0.5, 1 + draws.normal() * Math.sqrt(2 / Math.max(1, units - 1)));
          a.sum += sum;
          a.sumSquares += (sum * sum) / units + spread;
        }
      }
    }
  }
  return out;
}

function copy(agg: MetricAggregate | undefined, m: ExperimentMetric): MetricAggregate {
  if (agg && 'successes' in agg) return { successes: agg.successes };
  if (agg && 'sum' in agg) return { sum: agg.sum, sumSquares: agg.sumSquares };
  return m.kind === 'proportion' ? { successes: 0 } : { sum: 0, sumSquares: 0 };
}
