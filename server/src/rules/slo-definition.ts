import { z } from 'zod';
import { parseDuration } from '../common/duration';

/**
 * The SLO file schema (alerts/*.yaml). Strict: an unknown field is an error, so a typo never
 * silently turns an alert off. Documented in docs/alerts.md.
 */
const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes');
const duration = z.string().refine((v) => {
  try {
    parseDuration(v);
    return true;
  } catch {
    return false;
  }
}, 'must be a duration such as 7d, 28d, 30d or 4w');

const latencyThreshold = z.union([
  z.number().positive(),
  z.string().regex(/^\d+(\.\d+)?(ms|s)$/, 'must be seconds (0.25) or a duration such as 250ms'),
]);

const sliSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('events'), source: z.literal('simulator') }),
  z.strictObject({ kind: z.literal('latency'), source: z.literal('simulator'), threshold: latencyThreshold }),
]);

const sloSchema = z.strictObject({
  name,
  description: z.string().optional(),
  objective: z.number().gt(0).lt(1, 'must be below 1 (e.g. 0.999)'),
  // The longest alert window is 3 days; a shorter period could not hold it.
  period: duration.default('30d').refine((v) => parseDuration(v) >= 3 * 86400, 'must be at least 3d (the longest alert window)'),
  sli: sliSchema,
  severity: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
  runbook: z.string().regex(/^[\w./-]+\.md$/, 'must name a markdown file in runbooks/, e.g. ranker.md'),
  labels: z.record(z.string(), z.string()).default({}),
});

export const alertFileSchema = z.strictObject({
  service: name,
  slos: z.array(sloSchema).min(1),
});

export type AlertFile = z.infer<typeof alertFileSchema>;

export type SliSpec =
  | { kind: 'events'; source: 'simulator' }
  | { kind: 'latency'; source: 'simulator'; thresholdSeconds: number };

export interface SloDefinition {
  /** `<service>.<name>`, stable across reloads; used in URLs and fingerprints. */
  id: string;
  service: string;
  name: string;
  description?: string;
  objective: number;
  periodSeconds: number;
  sli: SliSpec;
  severity: 'critical' | 'error' | 'warning' | 'info';
  runbookId: string;
  labels: Record<string, string>;
  /** Where it was defined, for error messages and the console. */
  file: string;
}

export function thresholdSeconds(v: number | string): number {
  if (typeof v === 'number') return v;
  return v.endsWith('ms') ? Number(v.slice(0, -2)) / 1000 : Number(v.slice(0, -1));
}
