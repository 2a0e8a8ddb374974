import { z } from 'zod';
import { isDuration, parseDuration } from '../common/duration';

/**
 * Rollback hooks (signed HTTP calls to a deploy system or experiment platform) and the policies
 * that bind them to triggers, declared in alerts/*.yaml under `rollbackHooks:` and
 * `rollbackPolicies:`. Strict like the rest; documented in docs/rollback.md.
 */
const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes').max(100);

/** The placeholders a hook's body may use; anything else in `{{…}}` is an error at load time. */
export const TEMPLATE_VARIABLES = [
  'incident.id', 'incident.title', 'incident.url', 'incident.severity', 'incident.source',
  'service', 'experiment', 'variant', 'metric', 'slo', 'hook', 'policy', 'execution.id', 'mode',
  // The incident's suspect change (docs/changes.md): empty when no change preceded the breach.
  'change.id', 'change.kind', 'change.service', 'change.summary', 'change.version', 'change.previousVersion', 'change.link',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export const PLACEHOLDER = /\{\{\s*([a-zA-Z.]+)\s*\}\}/g;

const duration = (example: string) => z.string().refine(isDuration, `must be a duration such as ${example}`);

/** Seconds from '10s', '1m' or '500ms'. */
export function timeoutMs(v: string): number {
  const ms = /^(\d+)ms$/.exec(v);
  return ms ? Number(ms[1]) : parseDuration(v) * 1000;
}
const isTimeout = (v: string) => /^\d+ms$/.test(v) || isDuration(v);

/** Every `{{name}}` in the strings of `value` (a string or nested YAML) names a known variable. */
function unknownPlaceholders(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(PLACEHOLDER)) if (!(TEMPLATE_VARIABLES as readonly string[]).includes(m[1])) out.push(m[1]);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

const headerName = z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name');
const RESERVED_HEADERS = ['x-headroom-timestamp', 'x-headroom-signature', 'content-length', 'host'];

export const rollbackHookSchema = z
  .strictObject({
    name: slug,
    description: z.string().max(2000).optional(),
    url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
    method: z.enum(['POST', 'PUT', 'PATCH'], { error: 'must be POST, PUT or PATCH' }).default('POST'),
    headers: z.record(headerName, z.string().max(4096)).default({}),
    /**
     * The request body: a string template (values JSON-escaped, so `"{{service}}"` stays valid
     * JSON) or a YAML mapping sent as JSON with placeholders substituted in its strings.
     * Default: a JSON object with every variable.
     */
    body: z
      .union([z.string().max(65_536), z.record(z.string(), z.unknown())])
      .superRefine((body, ctx) => {
        for (const name of unknownPlaceholders(body)) {
          ctx.addIssue({ code: 'custom', message: `unknown placeholder {{${name}}}; use one of ${TEMPLATE_VARIABLES.join(', ')}` });
        }
      })
      .optional(),
    contentType: z.string().min(1).default('application/json'),
    timeout: z.string().refine(isTimeout, 'must be a duration such as 10s or 500ms').default('10s'),
    /** Further attempts after the first on a network error, a timeout, 429 or 5xx. */
    retries: z.number().int('must be a whole number').min(0, 'must be 0 or more').max(20, 'must be at most 20').default(3),
    /** The environment variable holding the HMAC-SHA256 signing secret. */
    secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as DEPLOY_HOOK_SECRET').optional(),
  })
  .superRefine((h, ctx) => {
    for (const key of Object.keys(h.headers)) {
      if (RESERVED_HEADERS.includes(key.toLowerCase())) ctx.addIssue({ code: 'custom', path: ['headers', key], message: 'is set by Headroom' });
    }
    if (!isTimeout(h.timeout)) return;
    const t = timeoutMs(h.timeout);
    if (t <= 0 || t > 300_000) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must be between 1ms and 5m' });
  });

export const ROLLBACK_MODES = ['auto', 'approval', 'dry-run'] as const;
export type RollbackMode = (typeof ROLLBACK_MODES)[number];

const triggerSchema = z
  .strictObject({
    /** An SLO of this service reaching page level (optionally one SLO by name). */
    slo: z.strictObject({ service: slug, name: slug.optional() }).optional(),
    /** A guardrail breach on this experiment (optionally one variant and/or metric). */
    guardrail: z.strictObject({ experiment: slug, variant: z.string().min(1).optional(), metric: z.string().min(1).optional() }).optional(),
  })
  .refine((t) => Boolean(t.slo) !== Boolean(t.guardrail), 'name exactly one of slo or guardrail');

export const rollbackPolicySchema = z.strictObject({
  name: slug,
  description: z.string().max(2000).optional(),
  hook: slug,
  trigger: triggerSchema,
  mode: z.enum(ROLLBACK_MODES, { error: `must be one of ${ROLLBACK_MODES.join(', ')}` }),
  /** Evaluations in a row that must find the breach before the hook fires. */
  consecutiveEvaluations: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1000).default(1),
  /** After this policy fired, later incidents within this time are skipped. */
  cooldown: duration('30m or 1h').default('0s'),
  /** At most this many executions of this policy within any hour; more are skipped. */
  maxPerHour: z.number().int('must be a whole number').min(1, 'must be at least 1').max(1000).default(1),
  /**
   * Fire only when a change of this kind (or `any`) of the service or its dependencies precedes
   * the breach (docs/changes.md); otherwise the execution is recorded as skipped: nothing to roll back.
   */
  requireChange: z.enum(['deploy', 'config', 'experiment', 'feature-flag', 'other', 'any'], { error: 'must be deploy, config, experiment, feature-flag, other or any' }).optional(),
});

export const rollbackHooksFieldSchema = z.array(rollbackHookSchema).min(1);
export const rollbackPoliciesFieldSchema = z.array(rollbackPolicySchema).min(1);

export type RollbackHookSpec = z.infer<typeof rollbackHookSchema>;
export type RollbackPolicySpec = z.infer<typeof rollbackPolicySchema>;

export interface RollbackHook {
  name: string;
  description?: string;
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
  headers: Record<string, string>;
  body?: string | Record<string, unknown>;
  contentType: string;
  timeoutMs: number;
  retries: number;
  secretEnv: string | null;
  file: string;
}

export type RollbackTrigger =
  | { kind: 'slo'; service: string; slo?: string }
  | { kind: 'guardrail'; experiment: string; variant?: string; metric?: string };

export interface RollbackPolicy {
  name: string;
  description?: string;
  hook: string;
  trigger: RollbackTrigger;
  mode: RollbackMode;
  consecutiveEvaluations: number;
  cooldownSeconds: number;
  maxPerHour: number;
  requireChange: string | null;
  file: string;
}

export function toRollbackHook(spec: RollbackHookSpec, file: string): RollbackHook {
  return {
    name: spec.name,
    description: spec.description,
    url: spec.url,
    method: spec.method,
    headers: spec.headers,
    body: spec.body,
    contentType: spec.contentType,
    timeoutMs: timeoutMs(spec.timeout),
    retries: spec.retries,
    secretEnv: spec.secretEnv ?? null,
    file,
  };
}

export function toRollbackPolicy(spec: RollbackPolicySpec, file: string): RollbackPolicy {
  const t = spec.trigger;
  const trigger: RollbackTrigger = t.slo
    ? { kind: 'slo', service: t.slo.service, ...(t.slo.name ? { slo: t.slo.name } : {}) }
    : { kind: 'guardrail', experiment: t.guardrail!.experiment, ...(t.guardrail!.variant ? { variant: t.guardrail!.variant } : {}), ...(t.guardrail!.metric ? { metric: t.guardrail!.metric } : {}) };
  return {
    name: spec.name,
    description: spec.description,
    hook: spec.hook,
    trigger,
    mode: spec.mode,
    consecutiveEvaluations: spec.consecutiveEvaluations,
    cooldownSeconds: parseDuration(spec.cooldown),
    maxPerHour: spec.maxPerHour,
    requireChange: spec.requireChange ?? null,
    file,
  };
}
