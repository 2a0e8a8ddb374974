import { z } from 'zod';
import type { IncomingAlert } from './incoming-alert';

/**
 * PagerDuty Events API v2 (alert events), validated the way PagerDuty does: routing_key and
 * event_action always; payload.summary (≤ 1024 characters), payload.source and payload.severity
 * for a trigger; dedup_key (≤ 255 characters) for acknowledge and resolve. Fields PagerDuty
 * ignores are ignored here too.
 */
export const MAX_EVENT_BYTES = 512 * 1024;
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

const timestamp = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 timestamp');
const text = (what: string) => z.string({ error: `is missing or not a string` }).trim().min(1, `${what} must not be blank`);

export const eventSchema = z
  .object({
    routing_key: text('routing_key'),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve'], { error: 'must be trigger, acknowledge or resolve' }),
    dedup_key: z.string({ error: 'must be a string' }).min(1, 'must not be blank').max(255, 'must be at most 255 characters').optional(),
    payload: z
      .object({
        summary: text('summary').pipe(z.string().max(1024, 'must be at most 1024 characters')),
        source: text('source'),
        severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }),
        timestamp: timestamp.optional(),
        component: z.string().optional(),
        group: z.string().optional(),
        class: z.string().optional(),
        custom_details: z.unknown().optional(),
      }, { error: 'must be an object' })
      .optional(),
    images: z.array(z.object({ src: z.string().min(1, 'is required'), href: z.string().optional(), alt: z.string().optional() }), { error: 'must be a list of {src, href, alt}' }).optional(),
    links: z.array(z.object({ href: z.string().min(1, 'is required'), text: z.string().optional() }), { error: 'must be a list of {href, text}' }).optional(),
    client: z.string().optional(),
    client_url: z.string().optional(),
  }, { error: 'the event must be a JSON object' })
  .superRefine((e, ctx) => {
    if (e.event_action === 'trigger' && !e.payload) ctx.addIssue({ code: 'custom', path: ['payload'], message: 'is required for a trigger event' });
    if (e.event_action !== 'trigger' && !e.dedup_key) ctx.addIssue({ code: 'custom', path: ['dedup_key'], message: `is required for an ${e.event_action} event` });
  });

export type PagerDutyEvent = z.infer<typeof eventSchema>;

/** PagerDuty's error body: `{status, message, errors}`; each error names the field. */
export function eventErrors(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string[] {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(event)'}: ${i.message}`);
}

/** The event as an alert. Dedup keys are scoped to the routing key's integration, as at PagerDuty. */
export function toIncomingAlert(event: PagerDutyEvent, dedupKey: string, integration: { id: string; name: string }, now: Date): IncomingAlert {
  const p = event.payload;
  const { routing_key: _secret, ...kept } = event;
  void _secret; // never stored: it is the integration's credential
  const labels: Record<string, string> = { dedup_key: dedupKey };
  if (p) {
    labels.alertname = (p.class ?? p.summary).slice(0, 200);
    labels.service = (p.component ?? p.group ?? p.source).slice(0, 200);
    labels.source = p.source;
    labels.severity = p.severity;
    if (p.component) labels.component = p.component;
    if (p.group) labels.group = p.group;
    if (p.class) labels.class = p.class;
  }
  const details = p?.custom_details;
  const description = details && typeof details === 'object' && typeof (details as Record<string, unknown>).description === 'string'
    ? String((details as Record<string, unknown>).description)
    : null;
  return {
    source: 'pagerduty',
    key: `${integration.id}/${dedupKey}`,
    action: event.event_action,
    labels,
    annotations: p ? { summary: p.summary } : {},
    title: p?.summary ?? `PagerDuty ${event.event_action} for ${dedupKey}`,
    severity: p?.severity ?? null,
    service: p ? labels.service : null,
    startsAt: p?.timestamp ? new Date(p.timestamp) : now,
    endsAt: event.event_action === 'resolve' ? now : null,
    generatorUrl: event.client_url ?? null,
    runbookUrl: event.links?.find((l) => /runbook|playbook/i.test(`${l.text ?? ''} ${l.href}`))?.href ?? null,
    description,
    payload: { ...kept, dedup_key: dedupKey },
    integration,
  };
}
