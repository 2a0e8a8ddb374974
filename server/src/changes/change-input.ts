import { z } from 'zod';

/**
 * Changes — deploys, config pushes, experiment ramps, flag flips — as Headroom stores them, and
 * the three shapes they arrive in: Headroom's own JSON, PagerDuty's Change Events API and
 * Flagger's event webhook. Pure: each sender's payload becomes a ChangeDraft here; storing,
 * auditing and listing are in changes.service.ts.
 */

export const CHANGE_KINDS = ['deploy', 'config', 'experiment', 'feature-flag', 'other'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Where a change came from: which endpoint (or Headroom itself, for experiments it evaluates). */
export const CHANGE_SOURCES = ['api', 'pagerduty', 'flagger', 'experiments'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];

export interface ChangeDraft {
  service: string;
  kind: ChangeKind;
  summary: string;
  version: string | null;
  previousVersion: string | null;
  link: string | null;
  /** When the change happened (defaults to when it was received). */
  at: Date;
  labels: Record<string, string>;
  source: ChangeSource;
}

const serviceName = z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'must be a service name: lowercase letters, digits, dots, dashes (e.g. now-playing-ranker)');
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const link = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
/** Changes are for recent history: a time far off is a mistake (milliseconds sent as seconds, a wrong year). */
const MAX_SKEW_MS = 366 * 24 * 3600_000;
const labels = z
  .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are letters, digits and underscores'), z.string().max(500))
  .refine((l) => Object.keys(l).length <= 30, 'at most 30 labels');

/** Headroom's own change: `POST /api/integrations/changes`. */
export const genericChangeSchema = z.strictObject({
  service: serviceName,
  kind: z.enum(CHANGE_KINDS),
  summary: text(1024),
  version: text(200).optional(),
  previousVersion: text(200).optional(),
  link: link.optional(),
  at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2026-12-08T03:00:00Z' }).optional(),
  labels: labels.optional(),
});
export type GenericChange = z.infer<typeof genericChangeSchema>;

export function fromGeneric(body: GenericChange, now: Date): ChangeDraft {
  return {
    service: body.service,
    kind: body.kind,
    summary: body.summary,
    version: body.version ?? null,
    previousVersion: body.previousVersion ?? null,
    link: body.link ?? null,
    at: checkedTime(body.at ? new Date(body.at) : now, now, 'at'),
    labels: body.labels ?? {},
    source: 'api',
  };
}

/**
 * PagerDuty's Change Events API (`/v2/change/enqueue`): routing_key, payload.summary (≤ 1024),
 * optional payload.source, payload.timestamp and payload.custom_details, and links. PagerDuty
 * knows the service from the routing key; Headroom takes it from custom_details.service, else
 * from the integration key's name. custom_details' version / previous_version / kind (or
 * PagerDuty's own build fields, revision) fill the change's own fields; the rest become labels.
 */
export const pagerDutyChangeSchema = z.object({
  routing_key: z.string().min(1, 'is required'),
  payload: z.object({
    summary: text(1024),
    source: z.string().max(1024).optional(),
    timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time, e.g. 2020-07-17T08:42:58.315+0000' }).or(z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d{4}$/)).optional(),
    custom_details: z.record(z.string(), z.unknown()).optional(),
  }),
  links: z.array(z.object({ href: link, text: z.string().optional() })).max(20).optional(),
});
export type PagerDutyChange = z.infer<typeof pagerDutyChangeSchema>;

export function fromPagerDuty(event: PagerDutyChange, keyName: string, now: Date): ChangeDraft {
  const details = event.payload.custom_details ?? {};
  const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : null);
  const service = str(details.service) ?? keyName;
  const parsedService = serviceName.safeParse(service);
  if (!parsedService.success) throw new ChangeInputError('payload.custom_details.service', `${parsedService.error.issues[0].message} (without it, the integration key's name "${keyName}" is the service)`);
  const kindText = str(details.kind);
  const kind = (CHANGE_KINDS as readonly string[]).includes(kindText ?? '') ? (kindText as ChangeKind) : 'deploy';
  const taken = new Set(['service', 'kind', 'version', 'previous_version', 'revision']);
  const rest = Object.fromEntries(
    Object.entries(details)
      .filter(([k, v]) => !taken.has(k) && /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) && str(v) !== null)
      .slice(0, 25)
      .map(([k, v]) => [k, str(v)!.slice(0, 500)]),
  );
  return {
    service: parsedService.data,
    kind,
    summary: event.payload.summary,
    version: str(details.version) ?? str(details.revision),
    previousVersion: str(details.previous_version),
    link: event.links?.[0]?.href ?? null,
    at: checkedTime(event.payload.timestamp ? new Date(normaliseOffset(event.payload.timestamp)) : now, now, 'payload.timestamp'),
    labels: { ...rest, ...(event.payload.source ? { source: event.payload.source.slice(0, 500) } : {}) },
    source: 'pagerduty',
  };
}

/**
 * Flagger's event webhook: `{name, namespace, phase, metadata: {eventMessage, eventType,
 * timestamp (ms, as text)}}`, sent for every event of every canary analysis. Only a change of
 * phase is a change worth keeping (flaggerPhaseChanged decides with the last one stored).
 */
export const flaggerEventSchema = z.object({
  name: serviceName,
  namespace: z.string().max(253),
  phase: z.string().min(1).max(50),
  metadata: z.record(z.string(), z.string()).optional(),
});
export type FlaggerEvent = z.infer<typeof flaggerEventSchema>;

export function fromFlagger(event: FlaggerEvent, now: Date): ChangeDraft {
  const ms = Number(event.metadata?.timestamp);
  const message = event.metadata?.eventMessage?.trim();
  return {
    service: event.name,
    kind: 'deploy',
    summary: `Flagger ${event.phase}: ${message || `canary ${event.namespace}/${event.name}`}`.slice(0, 1024),
    version: null,
    previousVersion: null,
    link: null,
    at: checkedTime(Number.isFinite(ms) && ms > 0 ? new Date(ms) : now, now, 'metadata.timestamp'),
    labels: { namespace: event.namespace, phase: event.phase, ...(event.metadata?.eventType ? { eventType: event.metadata.eventType } : {}) },
    source: 'flagger',
  };
}

/** A Flagger event is kept when its canary's phase differs from the last one kept for it. */
export function flaggerPhaseChanged(event: FlaggerEvent, lastPhase: string | null): boolean {
  return event.phase !== lastPhase;
}

export class ChangeInputError extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
  }
}

function checkedTime(at: Date, now: Date, field: string): Date {
  if (Number.isNaN(at.getTime())) throw new ChangeInputError(field, 'is not a valid time');
  if (Math.abs(at.getTime() - now.getTime()) > MAX_SKEW_MS) throw new ChangeInputError(field, `is more than a year from now (${at.toISOString()})`);
  return at;
}

/** PagerDuty's examples write offsets as +0000, which Date does not read everywhere: make it +00:00. */
function normaliseOffset(time: string): string {
  return time.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
}
