import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Severity } from '../../common/signals';
import type { IncomingAlert } from './incoming-alert';

/**
 * Alertmanager's webhook payload, version 4. Objects are not strict: fields a newer
 * Alertmanager adds (e.g. `notification_reason`) are tolerated, and kept in the evidence.
 */
/** Labels or annotations one alert may carry, and the longest value: bounds what one webhook can make Headroom store and match. */
export const MAX_LABELS_PER_ALERT = 64;
export const MAX_LABEL_VALUE_LENGTH = 8192;
const labelSet = z
  .record(z.string().max(256, 'label names must be at most 256 characters'), z.string({ error: 'label values must be strings' }).max(MAX_LABEL_VALUE_LENGTH, `label values must be at most ${MAX_LABEL_VALUE_LENGTH} characters`))
  .refine((l) => Object.keys(l).length <= MAX_LABELS_PER_ALERT, `must hold at most ${MAX_LABELS_PER_ALERT} entries`);
const rfc3339 = z.string().refine((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) && !Number.isNaN(Date.parse(v)), 'must be an RFC 3339 time');

export const webhookAlertSchema = z.object({
  status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }),
  labels: labelSet.refine((l) => Object.keys(l).length > 0, 'must have at least one label'),
  annotations: labelSet.default({}),
  startsAt: rfc3339,
  endsAt: rfc3339.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).max(256, 'must be at most 256 characters').optional(),
});

export const MAX_ALERTS_PER_PAYLOAD = 10_000;

export const webhookSchema = z.object({
  version: z.string().optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved'], { error: 'must be firing or resolved' }).optional(),
  receiver: z.string().optional(),
  groupLabels: labelSet.optional(),
  commonLabels: labelSet.optional(),
  commonAnnotations: labelSet.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(webhookAlertSchema, { error: 'required: the list of alerts' }).min(1, 'must hold at least one alert').max(MAX_ALERTS_PER_PAYLOAD, `must hold at most ${MAX_ALERTS_PER_PAYLOAD} alerts (set max_alerts in the webhook config)`),
});

export type WebhookPayload = z.infer<typeof webhookSchema>;
export type WebhookAlert = z.infer<typeof webhookAlertSchema>;

const SEVERITY_WORDS: Record<string, Severity> = {
  critical: 'critical', page: 'critical', high: 'critical', p1: 'critical', fatal: 'critical', emergency: 'critical',
  error: 'error', major: 'error', p2: 'error',
  warning: 'warning', warn: 'warning', minor: 'warning', low: 'warning', ticket: 'warning', p3: 'warning',
  info: 'info', none: 'info', informational: 'info', p4: 'info', p5: 'info',
};

/** Maps the common spellings of a `severity` label; null when there is none we know (the route's default applies). */
export function severityOf(label: string | undefined): Severity | null {
  return label ? SEVERITY_WORDS[label.trim().toLowerCase()] ?? null : null;
}

/** Alertmanager's own fingerprint when sent; otherwise a stable hash of the sorted label set. */
export function fingerprintOf(alert: Pick<WebhookAlert, 'fingerprint' | 'labels'>): string {
  if (alert.fingerprint) return alert.fingerprint;
  const sorted = Object.entries(alert.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}

/** Firing alerts carry Go's zero time as endsAt; only a real end counts. */
function endOf(endsAt: string | undefined): Date | null {
  if (!endsAt) return null;
  const d = new Date(endsAt);
  return d.getUTCFullYear() > 1 ? d : null;
}

/**
 * One webhook alert as an IncomingAlert. `raw` is the alert exactly as received (unknown
 * fields included); the group's context (groupKey, receiver, externalURL) is added to it.
 */
export function toIncomingAlert(
  payload: WebhookPayload,
  alert: WebhookAlert,
  raw: unknown,
  integration: { id: string; name: string },
): IncomingAlert {
  const a = alert.annotations;
  const title = (a.summary ?? a.title ?? alert.labels.alertname ?? 'Alertmanager alert').slice(0, 1024);
  return {
    source: 'alertmanager',
    // Scoped to the integration key, as PagerDuty's dedup_key is: another key cannot resolve
    // (or add to) this key's alerts by sending the same fingerprint.
    key: `${integration.id}/${fingerprintOf(alert)}`,
    action: alert.status === 'firing' ? 'trigger' : 'resolve',
    labels: alert.labels,
    annotations: a,
    title,
    severity: severityOf(alert.labels.severity),
    service: (alert.labels.service ?? alert.labels.job)?.slice(0, 200) || null,
    startsAt: new Date(alert.startsAt),
    endsAt: endOf(alert.endsAt),
    generatorUrl: alert.generatorURL || null,
    runbookUrl: a.runbook_url ?? a.runbook ?? null,
    description: a.description ?? null,
    payload: withGroupContext(typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {}, payload),
    integration,
  };
}

/**
 * The raw alert with the group's context added, as `{ ...raw, groupKey, receiver, externalURL }`
 * would make it. Copied key by key: V8 takes a slow path for that spread of a parsed object with
 * more keys after it (figures in docs/operations.md, alert ingest).
 */
function withGroupContext(raw: Record<string, unknown>, payload: WebhookPayload): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    // A "__proto__" key of the JSON is data, as the spread would keep it; never the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: raw[key], enumerable: true, writable: true, configurable: true });
    else out[key] = raw[key];
  }
  out.groupKey = payload.groupKey ?? null;
  out.receiver = payload.receiver ?? null;
  out.externalURL = payload.externalURL ?? null;
  return out;
}
