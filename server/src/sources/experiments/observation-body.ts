import { z } from 'zod';

/**
 * POST /api/experiments/:id/observations: a cumulative snapshot, per variant the units so far
 * and per metric `{successes}` (proportion) or `{sum, sumSquares}` (mean). The shape is checked
 * here; counts against the experiment's definition in guardrails/experiment-snapshot.ts.
 */
const aggregate = z
  .strictObject({
    successes: z.number().optional(),
    sum: z.number().optional(),
    sumSquares: z.number().optional(),
  })
  .superRefine((a, ctx) => {
    const proportion = a.successes !== undefined;
    const mean = a.sum !== undefined || a.sumSquares !== undefined;
    if (proportion === mean) ctx.addIssue({ code: 'custom', message: 'give {"successes": n} for a proportion metric or {"sum": x, "sumSquares": y} for a mean metric' });
    else if (mean && (a.sum === undefined || a.sumSquares === undefined)) ctx.addIssue({ code: 'custom', path: [a.sum === undefined ? 'sum' : 'sumSquares'], message: 'required with the other for a mean metric' });
  })
  .transform((a) => (a.successes !== undefined ? { successes: a.successes } : { sum: a.sum!, sumSquares: a.sumSquares! }));

export const observationBodySchema = z.strictObject({
  /** The snapshot time: the aggregates cover the experiment from its start up to this time. */
  at: z.iso.datetime({ offset: true, error: 'required: the snapshot time, an ISO time such as 2026-11-25T10:00:00Z' }),
  variants: z.record(
    z.string().min(1).max(100),
    z.strictObject({
      units: z.number({ error: 'required: the units assigned to this variant so far' }),
      metrics: z.record(z.string().min(1).max(100), aggregate).default({}),
    }),
  ),
});

export type ObservationBody = z.infer<typeof observationBodySchema>;
