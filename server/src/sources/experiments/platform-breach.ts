import { z } from 'zod';
import type { Signal } from '../../common/signals';
import { guardrailFingerprint } from '../../guardrails/guardrail-signal';
import type { ExperimentDefinition } from '../../rules/experiment-definition';

/**
 * A guardrail breach decided by an experiment platform (GrowthBook, Eppo, Statsig, an in-house
 * one) rather than by Headroom's own statistics: pushed to POST /api/integrations/experiments or
 * pulled from the platform. It becomes the same signal as Headroom's own breach — same
 * fingerprint, so one incident per (experiment, variant, metric) whoever decided — and rollback
 * policies on the experiment apply to it alike.
 */
const name = z.string().trim().min(1, 'must not be empty').max(200);
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const platformBreachSchema = z.strictObject({
  experiment: name,
  variant: name,
  metric: name,
  /** `breach` opens (or refreshes) the incident; `cleared` records that the platform no longer sees it. */
  status: z.enum(['breach', 'cleared'], { error: 'must be breach or cleared' }).default('breach'),
  /** Needed when Headroom does not know the experiment; otherwise the experiment's service. */
  service: name.optional(),
  difference: finite.nullable().optional(),
  relativeDifference: finite.nullable().optional(),
  interval: z.strictObject({ lower: finite.nullable(), upper: finite.nullable() }).nullable().optional(),
  pValue: z.number().min(0, 'must be in [0, 1]').max(1, 'must be in [0, 1]').nullable().optional(),
  link: z.url('must be a URL').max(2000).optional(),
  summary: z.string().max(1000).optional(),
  severity: z.enum(['critical', 'error', 'warning', 'info'], { error: 'must be critical, error, warning or info' }).optional(),
  at: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time' }).optional(),
});

export type PlatformBreach = z.infer<typeof platformBreachSchema>;

/**
 * One breach, or `{ breaches: [...] }` (what a pull endpoint answers too). A single breach is
 * read as a list of one, so errors name `breaches.0.<field>`.
 */
export const platformBreachesBodySchema = z.preprocess(
  (v) => (v && typeof v === 'object' && !Array.isArray(v) && 'breaches' in v ? v : { breaches: [v] }),
  z
    .strictObject({ breaches: z.array(platformBreachSchema).min(1, 'must hold at least one breach').max(1000, 'at most 1,000 per request') })
    .transform((b) => b.breaches),
);

/** Why a breach cannot become a signal (unknown experiment without a service), or null. */
export function breachProblem(b: PlatformBreach, known: ExperimentDefinition | undefined): string | null {
  if (!known && !b.service) return `experiment ${b.experiment} is not known to Headroom: send its service`;
  return null;
}

export function platformBreachSignal(b: PlatformBreach, known: ExperimentDefinition | undefined, platform: string, receivedAt: Date): Signal {
  const at = b.at ? new Date(b.at) : receivedAt;
  const service = known?.service ?? b.service!;
  return {
    fingerprint: guardrailFingerprint(b.experiment, b.variant, b.metric),
    status: b.status === 'breach' ? 'firing' : 'resolved',
    source: 'guardrail',
    service,
    title: b.summary ?? `${service} experiment ${b.experiment}: ${b.variant} breaches guardrail ${b.metric} (decided by ${platform})`,
    severity: b.severity ?? known?.severity ?? 'error',
    runbookId: known?.runbookId ?? null,
    labels: { experiment: b.experiment, variant: b.variant, metric: b.metric },
    evidence: {
      decidedBy: platform,
      experiment: b.experiment,
      variant: b.variant,
      metric: b.metric,
      difference: b.difference ?? null,
      relativeDifference: b.relativeDifference ?? null,
      interval: b.interval ?? null,
      pValue: b.pValue ?? null,
      link: b.link ?? null,
      reportedAt: at.toISOString(),
    },
    at,
  };
}
