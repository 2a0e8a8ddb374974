import { z } from 'zod';
import { isDuration, parseDuration } from '../common/duration';

const duration = (min: number, minText: string) =>
  z
    .string()
    .refine(isDuration, 'must be a duration such as 30s, 5m, 1h or 1d')
    .refine((v) => !isDuration(v) || parseDuration(v) >= min, `must be at least ${minText}`);

export const HEARTBEAT_SEVERITIES = ['page', 'ticket'] as const;

/**
 * A heartbeat (a dead man's switch): something outside Headroom says "still alive" by calling
 * `POST /api/integrations/heartbeat/<name>` at least every `interval`; when no beat arrives within
 * interval + grace, an incident opens, and the next beat resolves it. Declared under
 * `heartbeats:` in alerts/*.yaml or through `POST /api/heartbeats` (the same schema).
 */
export const heartbeatSchema = z.strictObject({
  name: z.string().max(100).regex(/^[a-z0-9][a-z0-9._-]*$/, 'must be lowercase letters, digits, dots, dashes and underscores'),
  description: z.string().max(500).optional(),
  /** The longest expected gap between two beats. */
  interval: duration(10, '10s'),
  /** Extra time after the interval before the beat counts as missed (delivery delays, a slow job). */
  grace: duration(0, '0s').default('1m'),
  /** The service the incident is filed under; default the heartbeat's name. */
  service: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes').optional(),
  /** Page (default: a dead alert pipeline is urgent) or ticket (an incident nobody is paged for). */
  severity: z.enum(HEARTBEAT_SEVERITIES).default('page'),
  runbook: z.string().regex(/^[\w./-]+\.md$/, 'must name a markdown file in runbooks/, e.g. alertmanager.md').optional(),
});

export const heartbeatsFieldSchema = z.array(heartbeatSchema).min(1);

export type HeartbeatSpec = z.infer<typeof heartbeatSchema>;

export interface HeartbeatDefinition {
  name: string;
  description: string | null;
  intervalSeconds: number;
  graceSeconds: number;
  service: string;
  severity: (typeof HEARTBEAT_SEVERITIES)[number];
  runbookId: string | null;
  /** The alerts file that declares it; null for one declared through the API. */
  file: string | null;
}

/** The engine's definition of a validated declaration. */
export function toHeartbeatDefinition(spec: HeartbeatSpec, file: string | null): HeartbeatDefinition {
  return {
    name: spec.name,
    description: spec.description ?? null,
    intervalSeconds: parseDuration(spec.interval),
    graceSeconds: parseDuration(spec.grace),
    service: spec.service ?? spec.name.replace(/[._]/g, '-'),
    severity: spec.severity,
    runbookId: spec.runbook ? spec.runbook.replace(/\.md$/, '') : null,
    file,
  };
}
