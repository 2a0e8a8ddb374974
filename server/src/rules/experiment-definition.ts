import { z } from 'zod';

/**
 * Experiments whose guardrails Headroom watches: declared in alerts/*.yaml under `experiments:`
 * or created with POST /api/experiments (the same schema). Strict: an unknown field is an error.
 * Documented in docs/experiments.md.
 */
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes').max(100);
const metricName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, dashes and underscores').max(100);

export const EXPERIMENT_STATUSES = ['running', 'stopped', 'rolled_back'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

const variantSchema = z.strictObject({
  name: metricName,
  /** Exactly one variant is the control the treatments are compared with. */
  control: z.boolean().default(false),
  /** Intended share of the traffic, in (0, 1); the shares sum to 1. */
  share: z.number({ error: 'required: the intended traffic share, e.g. 0.5' }).gt(0, 'must be above 0').lt(1, 'must be below 1'),
});

const metricSchema = z.strictObject({
  name: metricName,
  /** proportion: a share of units (skip rate, crash rate); mean: a per-unit average (minutes, latency). */
  kind: z.enum(['proportion', 'mean'], { error: 'must be proportion or mean' }),
  direction: z.enum(['lower_is_better', 'higher_is_better'], { error: 'must be lower_is_better or higher_is_better' }),
  /** Non-inferiority margin (NIM): the degradation tolerated, as a fraction of the control mean. */
  margin: z.number().min(0, 'must be 0 or more').lt(1, 'must be a fraction of the control mean below 1').optional(),
  /** One-sided false-alarm rate over all looks together. */
  alpha: z.number().gt(0, 'must be above 0').lt(0.5, 'must be below 0.5').default(0.05),
  /** Each compared variant needs this many units before the metric can conclude anything (default: the experiment's). */
  minUnits: z.number().int('must be a whole number').min(2, 'must be at least 2').optional(),
});

export const experimentSchema = z
  .strictObject({
    name: slug,
    description: z.string().max(2000).optional(),
    service: slug,
    status: z.enum(EXPERIMENT_STATUSES, { error: `must be one of ${EXPERIMENT_STATUSES.join(', ')}` }).default('running'),
    /** When assignment started (ISO time). */
    start: z.iso.datetime({ offset: true, error: 'must be an ISO time such as 2026-11-20T09:00:00Z' }),
    variants: z.array(variantSchema).min(2, 'needs a control and at least one treatment').max(20),
    guardrails: z.array(metricSchema).min(1, 'needs at least one guardrail metric').max(50),
    success: z.array(metricSchema).max(50).default([]),
    /** Units each variant needs before SRM (and, by default, a metric) can be judged. */
    minUnitsPerVariant: z.number().int('must be a whole number').min(2, 'must be at least 2').default(100),
    severity: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
    runbook: z.string().regex(/^[\w./-]+\.md$/, 'must name a markdown file in runbooks/, e.g. ranker.md').optional(),
  })
  .superRefine((e, ctx) => {
    const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
    const controls = e.variants.filter((v) => v.control).length;
    if (controls !== 1) issue(['variants'], `exactly one variant needs control: true (found ${controls})`);
    const shares = e.variants.reduce((sum, v) => sum + v.share, 0);
    if (Math.abs(shares - 1) > 1e-6) issue(['variants'], `the shares must sum to 1 (they sum to ${Number(shares.toFixed(6))})`);
    const seen = new Set<string>();
    e.variants.forEach((v, i) => {
      if (seen.has(v.name)) issue(['variants', i, 'name'], `duplicate variant ${v.name}`);
      seen.add(v.name);
    });
    const metrics = new Set<string>();
    for (const key of ['guardrails', 'success'] as const) {
      e[key].forEach((m, i) => {
        if (metrics.has(m.name)) issue([key, i, 'name'], `duplicate metric ${m.name} (metric names are unique across guardrails and success)`);
        metrics.add(m.name);
      });
    }
  });

export const experimentsFieldSchema = z.array(experimentSchema).min(1);

export type ExperimentSpec = z.infer<typeof experimentSchema>;
export type MetricSpec = z.infer<typeof metricSchema>;

export interface ExperimentMetric {
  name: string;
  role: 'guardrail' | 'success';
  kind: 'proportion' | 'mean';
  direction: 'lower_is_better' | 'higher_is_better';
  /** Fraction of the control mean; 0 when none is declared. */
  margin: number;
  alpha: number;
  minUnits: number;
}

export interface ExperimentDefinition {
  /** The experiment's name: stable, used in URLs, fingerprints and observations. */
  id: string;
  description?: string;
  service: string;
  status: ExperimentStatus;
  start: Date;
  /** The control first, then the treatments in declared order. */
  variants: Array<{ name: string; control: boolean; share: number }>;
  metrics: ExperimentMetric[];
  minUnitsPerVariant: number;
  severity: 'critical' | 'error' | 'warning' | 'info';
  runbookId: string | null;
  /** The alerts file it came from; null when created through the API. */
  file: string | null;
  /** As declared, for storing and showing. */
  spec: ExperimentSpec;
}

export function toExperimentDefinition(spec: ExperimentSpec, file: string | null): ExperimentDefinition {
  const metric = (role: ExperimentMetric['role']) => (m: MetricSpec): ExperimentMetric => ({
    name: m.name,
    role,
    kind: m.kind,
    direction: m.direction,
    margin: m.margin ?? 0,
    alpha: m.alpha,
    minUnits: m.minUnits ?? spec.minUnitsPerVariant,
  });
  return {
    id: spec.name,
    description: spec.description,
    service: spec.service,
    status: spec.status,
    start: new Date(spec.start),
    variants: [...spec.variants.filter((v) => v.control), ...spec.variants.filter((v) => !v.control)],
    metrics: [...spec.guardrails.map(metric('guardrail')), ...spec.success.map(metric('success'))],
    minUnitsPerVariant: spec.minUnitsPerVariant,
    severity: spec.severity,
    runbookId: spec.runbook ? spec.runbook.replace(/\.md$/, '') : null,
    file,
    spec,
  };
}
