import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isDuration, parseDuration } from '../common/duration';
import type { Severity, Urgency } from '../common/signals';
import { isLabelName, matchesAll, parseMatcher, type LabelMatcher } from './label-matcher';

/**
 * Routes decide how outside alerts become incidents: which labels group alerts into one
 * incident, whether the source resolving its alerts resolves the incident, the default severity
 * and the runbook. They live in alerts/*.yaml under `routes:`; the first route that matches an
 * alert applies, and alerts no route matches use DEFAULT_ROUTE.
 */
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
const SOURCES = ['alertmanager', 'pagerduty'] as const;

const matcherText = z.string().superRefine((text, ctx) => {
  try {
    parseMatcher(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** `...` groups by every label, so each distinct alert gets its own incident (Alertmanager's spelling). */
const groupLabel = z.string().refine((l) => l === '...' || isLabelName(l), 'must be a label name or ...');

export const routeSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes'),
  /** Alertmanager-style matchers, all of which must match: `service="ranker"`, `severity=~"critical|error"`. */
  match: z.array(matcherText).default([]),
  /** Only alerts from these sources; default all. */
  source: z.array(z.enum(SOURCES)).min(1).optional(),
  groupBy: z.array(groupLabel).min(1).default(['service', 'alertname']),
  /**
   * Resolve the incident when every alert in it has resolved at the source (the default, as
   * Grafana OnCall's and PagerDuty's Alertmanager integrations do); false: a person resolves.
   */
  autoResolve: z.boolean().default(true),
  /**
   * Alerts that would open another incident on this route less than this long after one opened
   * join that incident instead (it pages once, with several alerts); `0s` opens one per group.
   */
  groupWait: z
    .string()
    .refine(isDuration, 'must be a duration such as 0s, 30s or 2m')
    .refine((v) => !isDuration(v) || parseDuration(v) <= 3600, 'must be at most 1h (a longer wait joins unrelated alerts)')
    .default('30s'),
  /** Severity for alerts that carry none Headroom understands. */
  severity: z.enum(SEVERITIES).default('error'),
  runbook: z.string().regex(/^[\w./-]+\.md$/, 'must name a markdown file in runbooks/, e.g. ranker.md').optional(),
  /** The escalation policy (escalationPolicies:) its incidents follow; copied into each incident when it opens. */
  escalationPolicy: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must name an escalation policy').optional(),
  /** The Slack channel its pages go to (an id such as C012AB3CD is best); default SLACK_CHANNEL. */
  slackChannel: slackChannelText('#ranker-oncall').optional(),
  /**
   * Where its tickets (incidents of urgency ticket: slow burns, blind monitoring) are posted,
   * once, and edited as they end; without it a ticket shows in the console only. Tickets never
   * escalate and never page.
   */
  ticketChannel: slackChannelText('#ranker-tickets').optional(),
});

function slackChannelText(example: string) {
  return z.string().regex(/^(#?[a-z0-9][a-z0-9._-]*|[CG][A-Z0-9]{2,})$/, `must be a Slack channel name such as ${example} or an id such as C012AB3CD`);
}

export const routesFieldSchema = z.array(routeSchema).min(1);

export type RouteSpec = z.infer<typeof routeSchema>;

export interface Route {
  name: string;
  matchers: LabelMatcher[];
  sources: readonly string[] | null;
  groupBy: string[];
  autoResolve: boolean;
  groupWaitSeconds: number;
  severity: Severity;
  runbookId: string | null;
  escalationPolicy: string | null;
  slackChannel: string | null;
  ticketChannel: string | null;
  /** Where it was defined ('' for the built-in default). */
  file: string;
}

export const DEFAULT_ROUTE: Route = {
  name: 'default',
  matchers: [],
  sources: null,
  groupBy: ['service', 'alertname'],
  autoResolve: true,
  groupWaitSeconds: 30,
  severity: 'error',
  runbookId: null,
  escalationPolicy: null,
  slackChannel: null,
  ticketChannel: null,
  file: '',
};

export function toRoute(spec: RouteSpec, file: string): Route {
  return {
    name: spec.name,
    matchers: spec.match.map(parseMatcher),
    sources: spec.source ?? null,
    groupBy: spec.groupBy,
    autoResolve: spec.autoResolve,
    groupWaitSeconds: parseDuration(spec.groupWait),
    severity: spec.severity,
    runbookId: spec.runbook ? spec.runbook.replace(/\.md$/, '') : null,
    escalationPolicy: spec.escalationPolicy ?? null,
    slackChannel: spec.slackChannel ?? null,
    ticketChannel: spec.ticketChannel ?? null,
    file,
  };
}

/**
 * How an incident that opens (or is unmuted while triggered) notifies, by its urgency and route:
 * a page goes to the page channel and starts the escalation; a ticket is posted once to the
 * route's ticket channel, or, on a route without one, shown in the console only. A ticket never
 * takes the page path, whatever the route says.
 */
export type OpeningNotice = { kind: 'page' } | { kind: 'ticket'; channel: string } | { kind: 'console-ticket' };

export function openingNotice(urgency: Urgency, route: Pick<Route, 'ticketChannel'>): OpeningNotice {
  if (urgency === 'page') return { kind: 'page' };
  return route.ticketChannel ? { kind: 'ticket', channel: route.ticketChannel } : { kind: 'console-ticket' };
}

/** What a route looks at: an outside alert's, or an incident's, labels, service, severity and source. */
export interface RoutedAlert {
  labels: Record<string, string>;
  service: string | null;
  severity: string | null;
  source: string;
}

export function matchLabels(alert: Omit<RoutedAlert, 'source'>): Record<string, string> {
  const labels = { ...alert.labels };
  if (alert.service && labels.service === undefined) labels.service = alert.service;
  if (alert.severity && labels.severity === undefined) labels.severity = alert.severity;
  return labels;
}

export function selectRoute(routes: readonly Route[], alert: RoutedAlert): Route {
  const labels = matchLabels(alert);
  return routes.find((r) => (!r.sources || r.sources.includes(alert.source)) && matchesAll(r.matchers, labels)) ?? DEFAULT_ROUTE;
}

/** The label values that group alerts into one incident (missing labels count as empty, as in Alertmanager). */
export function groupLabels(route: Route, labels: Record<string, string>): Record<string, string> {
  if (route.groupBy.includes('...')) return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
  return Object.fromEntries([...route.groupBy].sort().map((l) => [l, labels[l] ?? '']));
}

/**
 * The incident fingerprint of a group: stable across processes and restarts, and the key of
 * the partial unique index that allows one open incident per group.
 */
export function groupFingerprint(route: Route, labels: Record<string, string>): string {
  const digest = createHash('sha256').update(JSON.stringify(Object.entries(groupLabels(route, labels)))).digest('hex').slice(0, 24);
  return `alerts:${route.name}:${digest}`;
}
