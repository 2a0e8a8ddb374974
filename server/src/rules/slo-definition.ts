import { z } from 'zod';
import { isDuration, parseDuration } from '../common/duration';
import { routesFieldSchema } from './route-definition';
import { experimentsFieldSchema } from './experiment-definition';
import { heartbeatsFieldSchema } from './heartbeat-definition';
import { dependencyLinksSchema, dependsOnSchema, inhibitRulesFieldSchema } from './inhibit-rule';
import { rollbackHooksFieldSchema, rollbackPoliciesFieldSchema } from './rollback-definition';

/**
 * The SLO file schema (alerts/*.yaml). Strict: an unknown field is an error, so a typo never
 * silently turns an alert off. Documented in docs/alerts.md, with an example per feature.
 */
const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes');
const duration = z.string().refine(isDuration, 'must be a duration such as 5m, 1h, 7d, 30d or 4w');

const latencyThreshold = z.union([
  z.number().positive(),
  z.string().regex(/^\d+(\.\d+)?(ms|s)$/, 'must be seconds (0.25) or a duration such as 250ms'),
]);

/** An OTLP metric selected by name, the resource's service.name and a subset of its attributes. */
const otlpMetricRef = z.strictObject({
  metric: z.string().min(1),
  /** Defaults to the file's `service`. */
  serviceName: z.string().min(1).optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});

const otlpBinding = z.strictObject({
  /** events: a monotonic sum counting every request… */
  total: otlpMetricRef.optional(),
  /** …and one counting the bad ones, or one counting the good ones. */
  bad: otlpMetricRef.optional(),
  good: otlpMetricRef.optional(),
  /** latency: an explicit-bucket or exponential histogram of durations in seconds. */
  histogram: otlpMetricRef.optional(),
});

const windowPlaceholder = (v: string) => v.includes('{{window}}');
/**
 * Prometheus-backed SLIs: Sloth-style error and total queries with a `{{window}}` placeholder,
 * or Pyrra-style latency from a histogram metric and a label selector.
 */
const prometheusBinding = z.strictObject({
  server: z.string().min(1).default('default'),
  errorQuery: z.string().refine(windowPlaceholder, 'must contain {{window}}').optional(),
  totalQuery: z.string().refine(windowPlaceholder, 'must contain {{window}}').optional(),
  /** Base name of a classic histogram, e.g. http_request_duration_seconds (…_bucket, …_count). */
  histogramMetric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name').optional(),
  selector: z.string().regex(/^\{.*\}$/, 'must be a label selector such as {job="ranker"}').default('{}'),
});

const sliSchema = z
  .strictObject({
    kind: z.enum(['events', 'latency']),
    source: z.enum(['simulator', 'otlp', 'prometheus']).default('simulator'),
    threshold: latencyThreshold.optional(),
    otlp: otlpBinding.optional(),
    prometheus: prometheusBinding.optional(),
  })
  .superRefine((sli, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (sli.kind === 'latency' && sli.threshold === undefined) issue(['threshold'], 'a latency SLI needs a threshold, e.g. 250ms');
    if (sli.kind === 'events' && sli.threshold !== undefined) issue(['threshold'], 'only latency SLIs take a threshold');
    if (sli.source !== 'otlp' && sli.otlp) issue(['otlp'], `only for source: otlp (source is ${sli.source})`);
    if (sli.source !== 'prometheus' && sli.prometheus) issue(['prometheus'], `only for source: prometheus (source is ${sli.source})`);
    if (sli.source === 'otlp') {
      const b = sli.otlp;
      if (!b) return issue(['otlp'], 'source: otlp needs an otlp binding (total and bad/good, or histogram)');
      if (sli.kind === 'events') {
        if (!b.total) issue(['otlp', 'total'], 'required for an events SLI');
        if (Boolean(b.bad) === Boolean(b.good)) issue(['otlp'], 'name exactly one of bad or good');
        if (b.histogram) issue(['otlp', 'histogram'], 'only for a latency SLI');
      } else {
        if (!b.histogram) issue(['otlp', 'histogram'], 'required for a latency SLI');
        if (b.total || b.bad || b.good) issue(['otlp'], 'a latency SLI takes only histogram');
      }
    }
    if (sli.source === 'prometheus') {
      const b = sli.prometheus;
      if (!b) return issue(['prometheus'], 'source: prometheus needs a prometheus binding');
      if (sli.kind === 'events') {
        if (!b.errorQuery) issue(['prometheus', 'errorQuery'], 'required for an events SLI');
        if (!b.totalQuery) issue(['prometheus', 'totalQuery'], 'required for an events SLI');
        if (b.histogramMetric) issue(['prometheus', 'histogramMetric'], 'only for a latency SLI');
      } else {
        if (!b.histogramMetric) issue(['prometheus', 'histogramMetric'], 'required for a latency SLI');
        if (b.errorQuery || b.totalQuery) issue(['prometheus'], 'a latency SLI takes histogramMetric and selector, not queries');
      }
    }
  });

const windowPairSchema = z.strictObject({
  severity: z.enum(['page', 'ticket']),
  long: duration,
  short: duration,
  /** Share of the period's error budget this pair lets burn before it fires. */
  budgetShare: z.number().gt(0).lte(1),
});

/** Window pairs one SLO may alert on (the SRE workbook's set is four); also the back-test's limit. */
export const MAX_WINDOW_PAIRS = 8;

/**
 * Alerting on silence: an SLO that stays `no-data` for `after` opens a "monitoring is blind"
 * incident (a ticket unless `severity: page`). `noData: false` turns it off; `noData: true` or
 * `{}` is the default.
 */
const noDataObject = z.strictObject({
  enabled: z.boolean().default(true),
  // A pass runs every 30 s by default: less than a minute of silence is a scrape hiccup, not blindness.
  after: duration.refine((v) => !isDuration(v) || parseDuration(v) >= 60, 'must be at least 1m').default('10m'),
  severity: z.enum(['ticket', 'page']).default('ticket'),
});
const noDataSchema = z.preprocess((v) => (v === false ? { enabled: false } : v === true ? {} : v), noDataObject);
const NO_DATA_DEFAULT = { enabled: true, after: '10m', severity: 'ticket' } as const;

const alertingSchema = z.strictObject({
  page: z.boolean().default(true),
  ticket: z.boolean().default(true),
  /** Replaces the SRE-workbook pairs. */
  windows: z.array(windowPairSchema).min(1).max(MAX_WINDOW_PAIRS, `must hold at most ${MAX_WINDOW_PAIRS} window pairs`).optional(),
  /** Low-traffic guard: a window with fewer events cannot fire. */
  minEvents: z.number().int().min(0).default(0),
  noData: noDataSchema.default(NO_DATA_DEFAULT),
});

const sloSchema = z.strictObject({
  name,
  description: z.string().optional(),
  objective: z.number().gt(0).lt(1, 'must be below 1 (e.g. 0.999)'),
  period: duration.default('30d'),
  sli: sliSchema,
  alerting: alertingSchema.default({ page: true, ticket: true, minEvents: 0, noData: NO_DATA_DEFAULT }),
  severity: z.enum(['critical', 'error', 'warning', 'info']).default('critical'),
  runbook: z.string().regex(/^[\w./-]+\.md$/, 'must name a markdown file in runbooks/, e.g. ranker.md'),
  labels: z.record(z.string(), z.string()).default({}),
}).superRefine((slo, ctx) => {
  // Every severity turned off, or off for every pair listed: the SLO could never fire (and a
  // burn rule needs a pair to evaluate).
  const severities = slo.alerting.windows ? new Set(slo.alerting.windows.map((w) => w.severity)) : new Set(['page', 'ticket']);
  if (![...severities].some((s) => (s === 'page' ? slo.alerting.page : slo.alerting.ticket))) {
    ctx.addIssue({ code: 'custom', path: ['alerting'], message: 'page and ticket leave no window pair to alert on: keep at least one severity of the windows on' });
  }
  if (!isDuration(slo.period)) return;
  const period = parseDuration(slo.period);
  const windows = slo.alerting.windows;
  if (!windows) {
    // The workbook's longest window is 3 days; a shorter period cannot hold it.
    if (period < 3 * 86400) ctx.addIssue({ code: 'custom', path: ['period'], message: 'must be at least 3d for the default alert windows (or set alerting.windows)' });
    return;
  }
  windows.forEach((w, i) => {
    if (!isDuration(w.long) || !isDuration(w.short)) return;
    if (parseDuration(w.short) >= parseDuration(w.long)) ctx.addIssue({ code: 'custom', path: ['alerting', 'windows', i, 'short'], message: 'must be shorter than long' });
    if (parseDuration(w.long) > period) ctx.addIssue({ code: 'custom', path: ['alerting', 'windows', i, 'long'], message: `must not exceed the period (${slo.period})` });
  });
});

/** A Prometheus server that Prometheus-backed SLOs query (HTTP API v1). */
const prometheusServerSchema = z.strictObject({
  name: z.string().min(1),
  url: z.url(),
  bearerToken: z.string().min(1).optional(),
  /** Read at each query, like Prometheus' own credentials_file. */
  bearerTokenFile: z.string().min(1).optional(),
  basicAuth: z.strictObject({ username: z.string(), password: z.string().optional(), passwordFile: z.string().optional() }).optional(),
  timeout: duration.default('10s'),
  /**
   * How far back the per-minute rates Headroom pulls look: at least twice the scrape interval
   * of the series its SLOs read (rate() needs two samples in the window), 1m at the least.
   */
  rateWindow: duration.refine((v) => !isDuration(v) || parseDuration(v) >= 60, 'must be at least 1m').default('2m'),
});

/** A file holds the SLOs of one service, and/or the Prometheus servers SLOs can query. */
export const alertFileSchema = z
  .strictObject({
    service: name.optional(),
    /** The services this file's service calls: an incident of theirs explains one of its (inhibit-rule.ts). */
    dependsOn: dependsOnSchema.optional(),
    slos: z.array(sloSchema).min(1).optional(),
    prometheus: z.array(prometheusServerSchema).min(1).optional(),
    /** Alert routing (grouping, auto-resolve) for Alertmanager and PagerDuty alerts; read by routing/routes-loader.ts. */
    routes: routesFieldSchema.optional(),
    /** Alertmanager's inhibit_rules, for alerts and SLO/guardrail incidents alike (inhibit-rule.ts). */
    inhibitRules: inhibitRulesFieldSchema.optional(),
    /** How dependsOn links behave (window, burn ratio); once per alerts folder. */
    dependencyLinks: dependencyLinksSchema.optional(),
    /** Experiments whose guardrails are watched (experiment-definition.ts). */
    experiments: experimentsFieldSchema.optional(),
    /** Signed HTTP calls to a deploy system, and the policies that fire them (rollback-definition.ts). */
    rollbackHooks: rollbackHooksFieldSchema.optional(),
    rollbackPolicies: rollbackPoliciesFieldSchema.optional(),
    /** Dead man's switches: beats expected from outside (heartbeat-definition.ts). */
    heartbeats: heartbeatsFieldSchema.optional(),
    /** On-call schedules and escalation policies: validated by oncall/oncall-loader.ts (a later stage). */
    schedules: z.array(z.unknown()).optional(),
    escalationPolicies: z.array(z.unknown()).optional(),
  })
  .superRefine((f, ctx) => {
    if (f.slos && !f.service) ctx.addIssue({ code: 'custom', path: ['service'], message: 'required when the file has slos' });
    if (f.dependsOn && !f.service) ctx.addIssue({ code: 'custom', path: ['service'], message: 'required when the file has dependsOn' });
    if (f.dependsOn && f.service && f.dependsOn.includes(f.service)) ctx.addIssue({ code: 'custom', path: ['dependsOn'], message: `${f.service} cannot depend on itself` });
    if (!f.slos && !f.dependsOn && !f.inhibitRules && !f.dependencyLinks && !f.prometheus && !f.routes && !f.experiments && !f.rollbackHooks && !f.rollbackPolicies && !f.heartbeats && !f.schedules && !f.escalationPolicies) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a file needs service and slos (or dependsOn, prometheus servers, routes, inhibitRules, dependencyLinks, experiments, rollbackHooks, rollbackPolicies, heartbeats, schedules or escalationPolicies)' });
    }
  });

export type AlertFile = z.infer<typeof alertFileSchema>;
export type OtlpMetricRef = { metric: string; serviceName: string; attributes: Record<string, string | number | boolean> };
export type PrometheusServer = z.infer<typeof prometheusServerSchema> & { timeoutSeconds: number; rateWindowSeconds: number };

export type SliSpec =
  | { kind: 'events'; source: 'simulator' }
  | { kind: 'latency'; source: 'simulator'; thresholdSeconds: number }
  | { kind: 'events'; source: 'otlp'; total: OtlpMetricRef; bad?: OtlpMetricRef; good?: OtlpMetricRef }
  | { kind: 'latency'; source: 'otlp'; thresholdSeconds: number; histogram: OtlpMetricRef }
  | { kind: 'events'; source: 'prometheus'; server: string; errorQuery: string; totalQuery: string }
  | { kind: 'latency'; source: 'prometheus'; thresholdSeconds: number; server: string; histogramMetric: string; selector: string };

export interface AlertingSpec {
  page: boolean;
  ticket: boolean;
  /** Seconds; null = the SRE-workbook pairs scaled to the period. */
  windows: Array<{ severity: 'page' | 'ticket'; long: number; short: number; budgetShare: number }> | null;
  minEvents: number;
  /** The blind-monitoring alert: after how many seconds of `no-data`, and its urgency; null when off. */
  noData: NoDataAlerting | null;
}

export interface NoDataAlerting {
  afterSeconds: number;
  severity: 'ticket' | 'page';
}

export interface SloDefinition {
  /** `<service>.<name>`, stable across reloads; used in URLs and fingerprints. */
  id: string;
  service: string;
  name: string;
  description?: string;
  objective: number;
  periodSeconds: number;
  sli: SliSpec;
  alerting: AlertingSpec;
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

type ParsedSlo = z.infer<typeof sloSchema>;

/** Turns a validated file entry into the definition the engine uses. */
export function toSloDefinition(service: string, slo: ParsedSlo, file: string): SloDefinition {
  const s = slo.sli;
  const ref = (r: z.infer<typeof otlpMetricRef>): OtlpMetricRef => ({ metric: r.metric, serviceName: r.serviceName ?? service, attributes: r.attributes });
  let sli: SliSpec;
  const threshold = s.threshold === undefined ? 0 : thresholdSeconds(s.threshold);
  if (s.source === 'otlp') {
    sli = s.kind === 'latency'
      ? { kind: 'latency', source: 'otlp', thresholdSeconds: threshold, histogram: ref(s.otlp!.histogram!) }
      : { kind: 'events', source: 'otlp', total: ref(s.otlp!.total!), bad: s.otlp!.bad && ref(s.otlp!.bad), good: s.otlp!.good && ref(s.otlp!.good) };
  } else if (s.source === 'prometheus') {
    const p = s.prometheus!;
    sli = s.kind === 'latency'
      ? { kind: 'latency', source: 'prometheus', thresholdSeconds: threshold, server: p.server, histogramMetric: p.histogramMetric!, selector: p.selector }
      : { kind: 'events', source: 'prometheus', server: p.server, errorQuery: p.errorQuery!, totalQuery: p.totalQuery! };
  } else {
    sli = s.kind === 'latency' ? { kind: 'latency', source: 'simulator', thresholdSeconds: threshold } : { kind: 'events', source: 'simulator' };
  }
  return {
    id: `${service}.${slo.name}`,
    service,
    name: slo.name,
    description: slo.description,
    objective: slo.objective,
    periodSeconds: parseDuration(slo.period),
    sli,
    alerting: {
      page: slo.alerting.page,
      ticket: slo.alerting.ticket,
      windows: slo.alerting.windows?.map((w) => ({ severity: w.severity, long: parseDuration(w.long), short: parseDuration(w.short), budgetShare: w.budgetShare })) ?? null,
      minEvents: slo.alerting.minEvents,
      noData: slo.alerting.noData.enabled ? { afterSeconds: parseDuration(slo.alerting.noData.after), severity: slo.alerting.noData.severity } : null,
    },
    severity: slo.severity,
    runbookId: slo.runbook.replace(/\.md$/, ''),
    labels: slo.labels,
    file,
  };
}
