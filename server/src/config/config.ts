import * as path from 'node:path';
import { z } from 'zod';

/**
 * The one place that reads the environment. Everything else receives the typed `AppConfig`.
 * Our own variables carry the HEADROOM_ prefix; standard ones (PORT, HOST, DATABASE_URL,
 * SLACK_*, OTEL_EXPORTER_OTLP_ENDPOINT) keep the names people already use.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const DURATION_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
/** A retention period such as 8d or 400d, in seconds, at least `min`. */
function retention(min: number, minText: string) {
  return z
    .string()
    .regex(/^\d+[smhdw]$/, 'must be a duration such as 8d or 400d')
    .transform((v) => Number(v.slice(0, -1)) * DURATION_SECONDS[v.slice(-1)])
    .refine((v) => v >= min, `must be at least ${minText}`);
}

/** Integration keys given in configuration (HEADROOM_INTEGRATION_KEYS), for automated set-ups. */
export interface ProvisionedIntegrationKey {
  kind: 'alertmanager' | 'pagerduty' | 'otlp' | 'experiments' | 'heartbeat' | 'changes';
  name: string;
  key: string;
}
const INTEGRATION_KEY_KINDS = ['alertmanager', 'pagerduty', 'otlp', 'experiments', 'heartbeat', 'changes'] as const;

/**
 * `kind:name:key` entries separated by commas or whitespace, e.g.
 * `alertmanager:prod-alertmanager:<key>,pagerduty:grafana:<key>`; the key is everything after
 * the second colon and needs at least 16 characters.
 */
export function parseIntegrationKeys(text: string): ProvisionedIntegrationKey[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry, i) => {
      const [kind, name, ...rest] = entry.split(':');
      const key = rest.join(':');
      const where = `entry ${i + 1} (${kind ?? ''}:${name ?? ''}:…)`;
      if (!(INTEGRATION_KEY_KINDS as readonly string[]).includes(kind)) throw new Error(`${where}: kind must be one of ${INTEGRATION_KEY_KINDS.join(', ')}; write kind:name:key`);
      if (!name) throw new Error(`${where}: name is empty; write kind:name:key`);
      if (key.length < 16) throw new Error(`${where}: the key must be at least 16 characters`);
      return { kind: kind as ProvisionedIntegrationKey['kind'], name, key };
    });
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\/.+/.test(v), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  HEADROOM_DATA_DIR: z.string().min(1).default('.headroom'),
  HEADROOM_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  HEADROOM_ADMIN_EMAIL: z.email('must be an email address').optional(),
  HEADROOM_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  HEADROOM_SESSION_HOURS: z.coerce.number().positive().max(24 * 90).default(12),
  HEADROOM_PUBLIC_URL: z.url().optional(),
  HEADROOM_ALERTS_DIR: z.string().min(1).default('alerts'),
  HEADROOM_RUNBOOKS_DIR: z.string().min(1).default('runbooks'),
  HEADROOM_WEB_DIR: z.string().min(1).default('web/dist'),
  HEADROOM_SIMULATOR: bool.optional(),
  HEADROOM_SIMULATOR_SEED: z.coerce.number().int().default(42),
  HEADROOM_SIMULATOR_BACKFILL: z.string().regex(/^\d+[smhdw]$/, 'must be a duration such as 1h').default('1h'),
  HEADROOM_TIME_SCALE: z.coerce.number().positive().max(3600).default(1),
  // The simulated services' metrics for a Prometheus to scrape, on a listener of their own (0: any free port, logged).
  HEADROOM_SIMULATOR_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  // The simulated services' metrics pushed over OTLP/HTTP (JSON, cumulative) to this URL, e.g. Headroom's own /v1/metrics.
  HEADROOM_SIMULATOR_EXPORT_OTLP_URL: z.url().refine((v) => /^https?:/.test(v), 'must be an http:// or https:// URL').optional(),
  HEADROOM_SIMULATOR_EXPORT_OTLP_KEY: z.string().min(1).optional(),
  HEADROOM_SIMULATOR_EXPORT_INTERVAL_SECONDS: z.coerce.number().positive().max(3600).default(15),
  HEADROOM_EVALUATION_INTERVAL_SECONDS: z.coerce.number().positive().default(30),
  /** How often the escalation engine looks for due steps (a step due between passes waits at most this long). */
  HEADROOM_ESCALATION_INTERVAL_SECONDS: z.coerce.number().positive().default(5),
  HEADROOM_OUTBOX_POLL_MS: z.coerce.number().int().positive().default(500),
  // How long a worker owns a claimed outbox row before another process may take it over.
  HEADROOM_OUTBOX_CLAIM_SECONDS: z.coerce.number().int().min(2).max(600).default(30),
  // How long a message that keeps failing with retryable errors (429, 5xx, network) is retried before it is given up on and reported.
  HEADROOM_OUTBOX_RETRY_MINUTES: z.coerce.number().positive().max(7 * 24 * 60).default(60),
  // Slack accepts about one message per second per channel; sends to one channel are spaced this far apart.
  HEADROOM_SLACK_CHANNEL_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  // Sends through one contact sender's lane (Twilio, SMTP, a push host) are spaced this far apart; Twilio takes about one message a second per number.
  HEADROOM_CONTACT_SEND_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  // Signs push webhooks (HMAC-SHA256, as rollback hooks are signed); unset: push requests go unsigned.
  HEADROOM_PUSH_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  HEADROOM_PUSH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // How often the escalation auditor looks for escalations that missed a step.
  HEADROOM_ESCALATION_AUDIT_SECONDS: z.coerce.number().positive().default(60),
  HEADROOM_PROMETHEUS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** How often the Prometheus puller looks for completed minutes (it queries only when one completed). */
  HEADROOM_PROMETHEUS_PULL_INTERVAL_SECONDS: z.coerce.number().min(1).max(60).default(15),
  HEADROOM_EXPERIMENT_PLATFORM_BREACHES_URL: z.url().optional(),
  HEADROOM_EXPERIMENT_PLATFORM_OBSERVATIONS_URL: z.url().optional(),
  HEADROOM_EXPERIMENT_PLATFORM_TOKEN: z.string().min(1).optional(),
  HEADROOM_EXPERIMENT_PLATFORM_NAME: z.string().min(1).max(100).default('experiment-platform'),
  HEADROOM_EXPERIMENT_PLATFORM_INTERVAL_SECONDS: z.coerce.number().positive().default(60),
  HEADROOM_EXPERIMENT_PLATFORM_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  // Windows under a day read minute rollups (the longest scaled one is just under 1d).
  HEADROOM_RETENTION_MINUTES: retention(2 * 86_400, '2d').default(8 * 86_400),
  HEADROOM_RETENTION_HOURS: retention(3 * 86_400, '3d').default(400 * 86_400),
  /** How far back an incident looks for the changes that may have caused it. */
  HEADROOM_CHANGE_WINDOW: retention(60, '1m').default(2 * 3600),
  HEADROOM_METRICS_PUBLIC: bool.default(true),
  // Behind a reverse proxy: the request header holding the client's address (e.g. X-Forwarded-For, X-Real-IP), for the sign-in limiter.
  HEADROOM_CLIENT_IP_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be an HTTP header name').optional(),
  HEADROOM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HEADROOM_LOG_PRETTY: bool.default(false),
  // E-mail pages go out through this SMTP server (smtp://user:pass@host:587 with STARTTLS when offered, smtps://… for TLS from the start); unset: no e-mail.
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^/?#]+/, 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587').optional(),
  SMTP_FROM: z.string().regex(/^([^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an address, e.g. headroom@example.com or "Headroom <headroom@example.com>"').optional(),
  // Signs the acknowledge links in e-mails; unset: a secret generated once and kept in the database (shared by every process).
  HEADROOM_ACK_LINK_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  HEADROOM_ACK_LINK_HOURS: z.coerce.number().positive().max(24 * 14).default(24),
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_CHANNEL: z.string().min(1).optional(),
  SLACK_API_URL: z.url().default('https://slack.com/api/'),
  // SMS and voice pages through Twilio: all three of account SID, auth token and sending number, or none.
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be a Twilio Account SID (AC followed by 32 hex digits)').optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be a phone number in E.164 form, e.g. +15017122661').optional(),
  // Twilio's REST API base; tests point it at a fake.
  TWILIO_API_URL: z.url().refine((v) => /^https?:/.test(v), 'must be an http:// or https:// URL').default('https://api.twilio.com'),
  // Slack user IDs (U…) allowed to act from Slack (buttons, Snooze, /headroom, Roll back) without being Headroom responders.
  HEADROOM_SLACK_RESPONDERS: z.string().optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_SERVICE_NAME: z.string().default('headroom'),
  HEADROOM_INTEGRATION_KEYS: z.string().transform((v, ctx) => {
    try {
      return parseIntegrationKeys(v);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }).optional(),
  // Largest OTLP/HTTP push body, on the wire and once decompressed.
  HEADROOM_OTLP_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(256 * 1024 * 1024).default(8 * 1024 * 1024),
  // OTLP bodies read at once (each up to twice HEADROOM_OTLP_MAX_BODY_BYTES in memory: wire and decompressed); more wait with a 503.
  HEADROOM_OTLP_MAX_BODIES_IN_FLIGHT: z.coerce.number().int().min(1).max(1024).default(16),
});

export interface SlackConfig {
  botToken: string;
  signingSecret: string;
  channel: string;
  apiUrl: string;
}

/** Twilio, for SMS and voice pages and their inbound replies; on only when SID, token and number are all set. */
export interface TwilioConfig {
  accountSid: string;
  /** Signs the REST calls (basic auth) and is the key of the X-Twilio-Signature on inbound webhooks. */
  authToken: string;
  /** The sending number, E.164. */
  from: string;
  /** Without a trailing slash. */
  apiUrl: string;
}

export interface AppConfig {
  port: number;
  host: string;
  /** A real PostgreSQL server; when absent, the embedded PGlite database under dataDir is used. */
  databaseUrl?: string;
  dataDir: string;
  adminToken?: string;
  /** The first admin user, created at start when no user has this email. */
  adminEmail?: string;
  adminPassword?: string;
  /** How long a console sign-in lasts. */
  sessionHours: number;
  publicUrl: string;
  alertsDir: string;
  runbooksDir: string;
  webDir: string;
  simulator: {
    enabled: boolean;
    seed: number;
    backfill: string;
    /**
     * The simulated services' metrics made available the way real services' are: a /metrics
     * listener for Prometheus (on `metricsPort`, HOST's interface) and/or an OTLP/HTTP push.
     */
    export: { metricsPort?: number; otlp?: { url: string; key?: string; intervalSeconds: number } };
  };
  /** Simulated seconds per real second; 1 in production, larger for demos and tests. */
  timeScale: number;
  evaluationIntervalSeconds: number;
  escalationIntervalSeconds: number;
  outboxPollMs: number;
  outboxClaimSeconds: number;
  outboxRetryMinutes: number;
  /** The header a trusted proxy puts the client's address in (unset: the connection's address). */
  clientIpHeader: string | undefined;
  slackChannelIntervalMs: number;
  /** Spacing of sends through one contact sender's lane (contact-sender.ts). */
  contactSendIntervalMs: number;
  /** The push webhook sender (notify/push): the HMAC secret, when requests are signed, and the request timeout. */
  push: { secret?: string; timeoutMs: number };
  escalationAuditSeconds: number;
  /** Prometheus-backed SLOs: queries in flight at once per Prometheus server during a pass. */
  prometheus: { concurrencyPerServer: number; pullIntervalSeconds: number };
  /**
   * An experiment platform polled on a schedule: guardrail breaches it decided, and cumulative
   * observations in the shape of POST /api/experiments/:id/observations. Off when no URL is set.
   */
  experimentPlatform: { name: string; breachesUrl?: string; observationsUrl?: string; token?: string; intervalSeconds: number; timeoutMs: number };
  /** How long SLI rollups are kept, in seconds: minute rows, and the hour rows long windows read. */
  retention: { minuteSeconds: number; hourSeconds: number };
  /** Changes of an incident's service (and its dependencies) this long before it opened are shown with it. */
  changeWindowSeconds: number;
  metricsPublic: boolean;
  log: { level: string; pretty: boolean };
  /** Slack paging is on only when token, signing secret and channel are all set. */
  slack?: SlackConfig;
  /** E-mail pages (SMTP_URL and SMTP_FROM); absent: no e-mail sender. */
  smtp?: { url: string; from: string };
  /**
   * Acknowledge links in e-mails: signed with `secret` (HEADROOM_ACK_LINK_SECRET; when unset, one
   * generated once and kept in the database), valid for `ttlHours`.
   */
  ackLinks: { secret?: string; ttlHours: number };
  twilio?: TwilioConfig;
  /** Slack user IDs who may act from Slack, besides Headroom responders and admins (see SlackIdentityService). */
  slackResponders: string[];
  /**
   * Reads a secret named in alerts/*.yaml (a rollback hook's `secretEnv`) from the environment
   * the config was loaded from, at the time it is needed: config stays the only reader.
   */
  secretFromEnv: (name: string) => string | undefined;
  otel: { endpoint?: string; serviceName: string };
  /** OTLP/HTTP metrics push (POST /v1/metrics). */
  otlp: { maxBodyBytes: number; maxBodiesInFlight: number };
  /** Integration keys registered (idempotently) at every start. */
  integrationKeys: ProvisionedIntegrationKey[];
}

/** Parses and validates the environment once; `root` anchors the relative folders. */
export function loadConfig(env: NodeJS.ProcessEnv, root: string): AppConfig {
  const blankless = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(blankless);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const slackParts = [e.SLACK_BOT_TOKEN, e.SLACK_SIGNING_SECRET, e.SLACK_CHANNEL];
  const slackSet = slackParts.filter(Boolean).length;
  if (slackSet > 0 && slackSet < 3) {
    throw new ConfigError([
      'SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_CHANNEL: set all three to page through Slack, or none',
    ]);
  }
  const twilioParts = { TWILIO_ACCOUNT_SID: e.TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN: e.TWILIO_AUTH_TOKEN, TWILIO_FROM: e.TWILIO_FROM };
  const twilioMissing = Object.entries(twilioParts).filter(([, v]) => !v).map(([k]) => k);
  if (twilioMissing.length > 0 && twilioMissing.length < 3) {
    throw new ConfigError([
      `${twilioMissing.join(' and ')}: missing; TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM page by SMS and voice call when all three are set (set none to turn Twilio off)`,
    ]);
  }
  const simulatorEnabled = e.HEADROOM_SIMULATOR ?? !e.DATABASE_URL;
  const exportProblems = [
    ...(!simulatorEnabled && e.HEADROOM_SIMULATOR_METRICS_PORT !== undefined ? ['HEADROOM_SIMULATOR_METRICS_PORT: exports the simulator\'s metrics; turn the simulator on (HEADROOM_SIMULATOR=true) or unset it'] : []),
    ...(!simulatorEnabled && e.HEADROOM_SIMULATOR_EXPORT_OTLP_URL ? ['HEADROOM_SIMULATOR_EXPORT_OTLP_URL: pushes the simulator\'s metrics; turn the simulator on (HEADROOM_SIMULATOR=true) or unset it'] : []),
    ...(e.HEADROOM_SIMULATOR_EXPORT_OTLP_KEY && !e.HEADROOM_SIMULATOR_EXPORT_OTLP_URL ? ['HEADROOM_SIMULATOR_EXPORT_OTLP_KEY: set HEADROOM_SIMULATOR_EXPORT_OTLP_URL too (where to push), or unset it'] : []),
  ];
  if (exportProblems.length > 0) throw new ConfigError(exportProblems);
  if (Boolean(e.SMTP_URL) !== Boolean(e.SMTP_FROM)) {
    throw new ConfigError([e.SMTP_URL
      ? 'SMTP_FROM: set the address e-mail pages come from (e.g. "Headroom <headroom@example.com>") with SMTP_URL'
      : 'SMTP_URL: SMTP_FROM is set but no SMTP server is; set SMTP_URL (e.g. smtp://user:pass@mail.example.com:587) or unset SMTP_FROM']);
  }
  if (Boolean(e.HEADROOM_ADMIN_EMAIL) !== Boolean(e.HEADROOM_ADMIN_PASSWORD)) {
    throw new ConfigError(['HEADROOM_ADMIN_EMAIL and HEADROOM_ADMIN_PASSWORD: set both to create the first admin user, or neither']);
  }
  const resolve = (p: string) => path.resolve(root, p);
  const hostForUrl = e.HOST === '0.0.0.0' || e.HOST === '::' ? '127.0.0.1' : e.HOST;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: resolve(e.HEADROOM_DATA_DIR),
    adminToken: e.HEADROOM_ADMIN_TOKEN,
    adminEmail: e.HEADROOM_ADMIN_EMAIL,
    adminPassword: e.HEADROOM_ADMIN_PASSWORD,
    sessionHours: e.HEADROOM_SESSION_HOURS,
    publicUrl: (e.HEADROOM_PUBLIC_URL ?? `http://${hostForUrl}:${e.PORT}`).replace(/\/$/, ''),
    alertsDir: resolve(e.HEADROOM_ALERTS_DIR),
    runbooksDir: resolve(e.HEADROOM_RUNBOOKS_DIR),
    webDir: resolve(e.HEADROOM_WEB_DIR),
    // The simulator is on by default only in the embedded run: a real database usually means
    // real metrics.
    simulator: {
      enabled: simulatorEnabled,
      seed: e.HEADROOM_SIMULATOR_SEED,
      backfill: e.HEADROOM_SIMULATOR_BACKFILL,
      export: {
        metricsPort: e.HEADROOM_SIMULATOR_METRICS_PORT,
        otlp: e.HEADROOM_SIMULATOR_EXPORT_OTLP_URL
          ? { url: e.HEADROOM_SIMULATOR_EXPORT_OTLP_URL, key: e.HEADROOM_SIMULATOR_EXPORT_OTLP_KEY, intervalSeconds: e.HEADROOM_SIMULATOR_EXPORT_INTERVAL_SECONDS }
          : undefined,
      },
    },
    timeScale: e.HEADROOM_TIME_SCALE,
    evaluationIntervalSeconds: e.HEADROOM_EVALUATION_INTERVAL_SECONDS,
    escalationIntervalSeconds: e.HEADROOM_ESCALATION_INTERVAL_SECONDS,
    outboxPollMs: e.HEADROOM_OUTBOX_POLL_MS,
    outboxClaimSeconds: e.HEADROOM_OUTBOX_CLAIM_SECONDS,
    outboxRetryMinutes: e.HEADROOM_OUTBOX_RETRY_MINUTES,
    clientIpHeader: e.HEADROOM_CLIENT_IP_HEADER,
    slackChannelIntervalMs: e.HEADROOM_SLACK_CHANNEL_INTERVAL_MS,
    contactSendIntervalMs: e.HEADROOM_CONTACT_SEND_INTERVAL_MS,
    push: { secret: e.HEADROOM_PUSH_SECRET, timeoutMs: e.HEADROOM_PUSH_TIMEOUT_MS },
    escalationAuditSeconds: e.HEADROOM_ESCALATION_AUDIT_SECONDS,
    prometheus: { concurrencyPerServer: e.HEADROOM_PROMETHEUS_CONCURRENCY, pullIntervalSeconds: e.HEADROOM_PROMETHEUS_PULL_INTERVAL_SECONDS },
    experimentPlatform: {
      name: e.HEADROOM_EXPERIMENT_PLATFORM_NAME,
      breachesUrl: e.HEADROOM_EXPERIMENT_PLATFORM_BREACHES_URL,
      observationsUrl: e.HEADROOM_EXPERIMENT_PLATFORM_OBSERVATIONS_URL,
      token: e.HEADROOM_EXPERIMENT_PLATFORM_TOKEN,
      intervalSeconds: e.HEADROOM_EXPERIMENT_PLATFORM_INTERVAL_SECONDS,
      timeoutMs: e.HEADROOM_EXPERIMENT_PLATFORM_TIMEOUT_MS,
    },
    retention: { minuteSeconds: e.HEADROOM_RETENTION_MINUTES, hourSeconds: e.HEADROOM_RETENTION_HOURS },
    changeWindowSeconds: e.HEADROOM_CHANGE_WINDOW,
    metricsPublic: e.HEADROOM_METRICS_PUBLIC,
    log: { level: e.HEADROOM_LOG_LEVEL, pretty: e.HEADROOM_LOG_PRETTY },
    slack:
      slackSet === 3
        ? {
            botToken: e.SLACK_BOT_TOKEN!,
            signingSecret: e.SLACK_SIGNING_SECRET!,
            channel: e.SLACK_CHANNEL!,
            apiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
          }
        : undefined,
    smtp: e.SMTP_URL && e.SMTP_FROM ? { url: e.SMTP_URL, from: e.SMTP_FROM } : undefined,
    ackLinks: { secret: e.HEADROOM_ACK_LINK_SECRET, ttlHours: e.HEADROOM_ACK_LINK_HOURS },
    twilio:
      twilioMissing.length === 0
        ? { accountSid: e.TWILIO_ACCOUNT_SID!, authToken: e.TWILIO_AUTH_TOKEN!, from: e.TWILIO_FROM!, apiUrl: e.TWILIO_API_URL.replace(/\/+$/, '') }
        : undefined,
    otel: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
    otlp: { maxBodyBytes: e.HEADROOM_OTLP_MAX_BODY_BYTES, maxBodiesInFlight: e.HEADROOM_OTLP_MAX_BODIES_IN_FLIGHT },
    integrationKeys: e.HEADROOM_INTEGRATION_KEYS ?? [],
    slackResponders: (e.HEADROOM_SLACK_RESPONDERS ?? '').split(/[\s,]+/).filter(Boolean),
    secretFromEnv: (name: string) => {
      const v = env[name];
      return v === undefined || v === '' ? undefined : v;
    },
  };
}

/** The only read of the process environment; everything else gets it passed in. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}

/** Nest injection token for the AppConfig object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
