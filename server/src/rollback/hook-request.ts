import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from '../common/webhook-signature';
import { PLACEHOLDER, type RollbackHook, type TemplateVariable } from '../rules/rollback-definition';

/** What a hook's body template can refer to. */
export type TemplateValues = Partial<Record<TemplateVariable, string | number | null>>;

export interface HookRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

export { SIGNATURE_HEADER, TIMESTAMP_HEADER };
export const REDACTED = 'v2=(redacted)';

/** A value inside a JSON string literal: JSON-escaped, without the surrounding quotes. */
function jsonEscaped(v: string | number | null | undefined): string {
  return JSON.stringify(v === null || v === undefined ? '' : String(v)).slice(1, -1);
}

function substitute(text: string, values: TemplateValues, escape: (v: string | number | null | undefined) => string): string {
  return text.replace(PLACEHOLDER, (_, name: string) => escape(values[name as TemplateVariable]));
}

/**
 * The request body. A string template gets each `{{name}}` replaced by the value JSON-escaped
 * (a quote or newline in an incident title cannot break the JSON or inject fields); a mapping
 * gets its strings substituted and is sent as JSON. No other evaluation happens.
 */
export function renderBody(hook: Pick<RollbackHook, 'body'>, values: TemplateValues): string {
  if (hook.body === undefined) {
    return JSON.stringify({
      incident: { id: values['incident.id'] ?? null, title: values['incident.title'] ?? null, url: values['incident.url'] ?? null, severity: values['incident.severity'] ?? null, source: values['incident.source'] ?? null },
      service: values.service ?? null,
      experiment: values.experiment ?? null,
      variant: values.variant ?? null,
      metric: values.metric ?? null,
      slo: values.slo ?? null,
      hook: values.hook ?? null,
      policy: values.policy ?? null,
      execution: values['execution.id'] ?? null,
      mode: values.mode ?? null,
    });
  }
  if (typeof hook.body === 'string') return substitute(hook.body, values, jsonEscaped);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return substitute(v, values, (x) => (x === null || x === undefined ? '' : String(x)));
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return JSON.stringify(walk(hook.body));
}

/** The rollback hook's signature: the shared webhook signature with the execution id as the request's id. */
export function signature(secret: string, req: { timestamp: number; method: string; url: string; executionId: number; body: string }): string {
  return webhookSignature(secret, { ...req, id: req.executionId });
}

/**
 * The request to send: the hook's headers, the content type, the execution id as an
 * idempotency key (a send repeated after a crash carries the same one), and the signature
 * when a secret is given.
 */
export function buildRequest(hook: RollbackHook, values: TemplateValues, executionId: number, secret: string | undefined, timestamp: number): HookRequest {
  const body = renderBody(hook, values);
  const headers: Record<string, string> = {
    ...hook.headers,
    'Content-Type': hook.contentType,
    'Idempotency-Key': `headroom-rollback-${executionId}`,
    'X-Headroom-Execution': String(executionId),
    [TIMESTAMP_HEADER]: String(timestamp),
  };
  if (secret) headers[SIGNATURE_HEADER] = signature(secret, { timestamp, method: hook.method, url: hook.url, executionId, body });
  return { url: hook.url, method: hook.method, headers, body };
}

/** Headers Headroom sets itself whose values are no secret: shown as sent. */
const SHOWN_HEADERS = new Set(['content-type', 'idempotency-key', 'x-headroom-execution', TIMESTAMP_HEADER.toLowerCase()]);
export const REDACTED_VALUE = '(redacted)';

/**
 * The request as stored and shown (executions API, timeline, audit log — which viewers read):
 * the signature becomes a marker, and every header the hook declares keeps its name only (an
 * `Authorization: Bearer …` is a credential for the deploy system).
 */
export function redacted(req: HookRequest): HookRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = name === SIGNATURE_HEADER ? REDACTED : SHOWN_HEADERS.has(name.toLowerCase()) ? value : REDACTED_VALUE;
  }
  return { ...req, headers };
}

export type AttemptOutcome =
  | { kind: 'succeeded'; status: number }
  | { kind: 'retry'; status: number | null; error: string }
  | { kind: 'failed'; status: number | null; error: string };

/** 2xx succeeds; network errors, timeouts, 408, 429 and 5xx retry while attempts remain; other 4xx fail at once. */
export function classifyResponse(result: { status: number } | { error: string }, attempt: number, maxAttempts: number): AttemptOutcome {
  const left = attempt < maxAttempts;
  if ('error' in result) return left ? { kind: 'retry', status: null, error: result.error } : { kind: 'failed', status: null, error: result.error };
  const { status } = result;
  if (status >= 200 && status < 300) return { kind: 'succeeded', status };
  const error = `HTTP ${status}`;
  if (status >= 500 || status === 429 || status === 408) return left ? { kind: 'retry', status, error } : { kind: 'failed', status, error };
  return { kind: 'failed', status, error: `${error} (not retried: the receiver refused the request)` };
}

/** Exponential backoff with jitter between half and the full ceiling, capped at five minutes. */
export function backoffMs(attempt: number, baseMs = 500, random: () => number = Math.random): number {
  const ceiling = Math.min(300_000, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
