import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';
import { OwnPostgres } from '../support/own-postgres';
import { REPO_ROOT, startHeadroomProcess, type HeadroomProcess } from '../support/headroom-process';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export { seededRandom } from '../support/seeded-random';

export const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;

export const CHAOS_ADMIN_TOKEN = 'chaos-admin-token-0123456789abcdef';

/**
 * What every chaos case runs on: a PostgreSQL of its own, two Headroom processes over it with
 * the alert files `writeAlerts` makes, and a pool to read what they stored (it reconnects after
 * the database restarts).
 */
export class ChaosCluster {
  private constructor(
    readonly pg: OwnPostgres,
    readonly fleet: Fleet,
    private readonly pool: Pool,
    private readonly alertsDir: string,
  ) {}

  static async start(writeAlerts: (alertsDir: string) => void, env: Record<string, string>): Promise<ChaosCluster> {
    const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-chaos-alerts-'));
    writeAlerts(alertsDir);
    const pg = await OwnPostgres.create();
    const url = await pg.createDatabase('headroom');
    const fleet = new Fleet(2, {
      DATABASE_URL: url, HEADROOM_ALERTS_DIR: alertsDir, HEADROOM_ADMIN_TOKEN: CHAOS_ADMIN_TOKEN, HEADROOM_SIMULATOR: 'false',
      HEADROOM_LOG_LEVEL: 'warn', HEADROOM_OUTBOX_POLL_MS: '200', ...env,
    });
    const pool = new Pool({ connectionString: url, max: 2 });
    // An idle connection the database ended (case 3 restarts it) is dropped; the next query opens another.
    pool.on('error', () => undefined);
    const cluster = new ChaosCluster(pg, fleet, pool, alertsDir);
    await fleet.start();
    return cluster;
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }

  async stop(): Promise<void> {
    await this.fleet.stop();
    await this.pool.end();
    await this.pg.destroy();
    fs.rmSync(this.alertsDir, { recursive: true, force: true });
  }
}

/**
 * Several Headroom processes over one database, each a real process that can be SIGKILLed and
 * started again with the same settings, as an orchestrator would.
 */
export class Fleet {
  readonly processes: Array<HeadroomProcess | null>;
  private readonly dataDirs: string[];
  /** Output of every process that has ended, for a failure's report. */
  readonly pastOutput: string[] = [];
  kills = 0;

  constructor(private readonly size: number, private readonly env: Record<string, string>) {
    this.processes = Array.from({ length: size }, () => null);
    this.dataDirs = Array.from({ length: size }, () => fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-chaos-data-')));
  }

  /** Starts every process, one after the other (the first applies the migrations). */
  async start(): Promise<void> {
    for (let i = 0; i < this.size; i++) await this.startOne(i);
  }

  async startOne(i: number): Promise<void> {
    this.processes[i] = await startHeadroomProcess({ ...this.env, HEADROOM_DATA_DIR: this.dataDirs[i] });
  }

  /** SIGKILL: no shutdown hook runs, claimed rows stay claimed, a send in flight is cut off. */
  async kill(i: number): Promise<void> {
    const p = this.processes[i];
    if (!p) return;
    this.processes[i] = null;
    this.kills++;
    await p.stop('SIGKILL');
    this.pastOutput.push(p.output());
  }

  /** URLs of the processes running now. */
  urls(): string[] {
    return this.processes.filter((p): p is HeadroomProcess => p !== null).map((p) => p.url);
  }

  output(): string {
    return [...this.pastOutput, ...this.processes.map((p) => p?.output() ?? '')].join('\n----\n');
  }

  async stop(): Promise<void> {
    for (let i = 0; i < this.size; i++) {
      const p = this.processes[i];
      this.processes[i] = null;
      if (p) {
        await p.stop();
        this.pastOutput.push(p.output());
      }
    }
    for (const dir of this.dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface Delivery {
  /** The status that ended it (2xx), or null when it was never accepted before the deadline. */
  status: number | null;
  acceptedAt: number | null;
  /** Every answer on the way, e.g. [503, 'network', 202]. */
  answers: Array<number | string>;
  /** 503 answers that did not say when to retry (Retry-After). */
  withoutRetryAfter: number;
  /** The longest any one answer took, in ms. */
  slowestMs: number;
}

/**
 * Sends one request the way a webhook sender does: to one of the running processes (the
 * preferred one when it runs), again after a network error or a 503 (honouring Retry-After,
 * capped at `maxWaitMs`), until it is accepted or the deadline passes. Any other answer ends it.
 */
export async function deliver(
  fleet: Fleet,
  prefer: number,
  pathname: string,
  init: { body: string; headers: Record<string, string> },
  opts: { deadlineMs?: number; maxWaitMs?: number; timeoutMs?: number } = {},
): Promise<Delivery> {
  const deadline = Date.now() + (opts.deadlineMs ?? 180_000);
  const result: Delivery = { status: null, acceptedAt: null, answers: [], withoutRetryAfter: 0, slowestMs: 0 };
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const urls = fleet.urls();
    if (urls.length === 0) {
      await sleep(200);
      continue;
    }
    const preferred = fleet.processes[prefer]?.url;
    const url = preferred && attempt % 2 === 0 ? preferred : urls[attempt % urls.length];
    let wait = 250;
    const t0 = Date.now();
    try {
      const res = await fetch(`${url}${pathname}`, { method: 'POST', body: init.body, headers: init.headers, signal: AbortSignal.timeout(opts.timeoutMs ?? 20_000) });
      result.answers.push(res.status);
      await res.arrayBuffer();
      result.slowestMs = Math.max(result.slowestMs, Date.now() - t0);
      if (res.ok) return { ...result, status: res.status, acceptedAt: Date.now() };
      if (res.status !== 503) return result;
      const retryAfter = res.headers.get('retry-after');
      if (!retryAfter) result.withoutRetryAfter++;
      wait = Math.min(opts.maxWaitMs ?? 1000, Number(retryAfter ?? 1) * 1000);
    } catch (err) {
      result.slowestMs = Math.max(result.slowestMs, Date.now() - t0);
      result.answers.push((err as Error).name === 'TimeoutError' ? 'timeout' : 'network');
    }
    await sleep(wait);
  }
  return result;
}

/** Where a chaos run leaves its figures (the benchmark prints them). */
export function writeReport(name: string, report: Record<string, unknown>): string {
  const file = path.join(REPO_ROOT, 'test-artifacts', `${name}.json`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  return file;
}

/** A number from the environment (the benchmark scales a chaos run up through these). */
export function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

/** Slack channels the paging cases post to (C0CHAOS00 … C0CHAOS19). */
export const CHAOS_CHANNELS = 20;
const AM_KEY = 'hk_alertmanager_chaos-0123456789abcdef';
const PD_KEY = 'hk_pagerduty_chaos-0123456789abcdef';

/** A cluster that takes Alertmanager and PagerDuty events and pages `slackUrl` in CHAOS_CHANNELS channels. */
export function startPagingCluster(slackUrl: string, env: Record<string, string>): Promise<ChaosCluster> {
  return ChaosCluster.start((dir) => writeChannelRoutes(dir, CHAOS_CHANNELS), {
    HEADROOM_INTEGRATION_KEYS: `alertmanager:chaos-am:${AM_KEY},pagerduty:chaos-pd:${PD_KEY}`,
    SLACK_BOT_TOKEN: 'xoxb-chaos', SLACK_SIGNING_SECRET: 'chaos-signing-secret', SLACK_CHANNEL: 'C0DEFAULT', SLACK_API_URL: slackUrl,
    ...env,
  });
}

/** Event i, sent as its sender would (deliver): odd ones as PagerDuty events, even ones as Alertmanager webhooks, first to process i % 2. */
export function sendEvent(fleet: Fleet, i: number, action: 'trigger' | 'resolve', opts: { timeoutMs?: number } = {}): Promise<Delivery> {
  return i % 2 === 1
    ? deliver(fleet, 1, '/api/integrations/pagerduty/v2/enqueue', { body: pagerDutyEvent(i, action, PD_KEY, CHAOS_CHANNELS), headers: { 'content-type': 'application/json' } }, opts)
    : deliver(fleet, 0, '/api/integrations/alertmanager', { body: alertmanagerWebhook(i, action === 'trigger' ? 'firing' : 'resolved', CHAOS_CHANNELS), headers: { 'content-type': 'application/json', authorization: `Bearer ${AM_KEY}` } }, opts);
}

/**
 * Event i's service: one of `channels` services, each routed to a Slack channel of its own
 * (writeChannelRoutes). Every fifth event goes to svc-00: a hot channel whose queue, at one post
 * a second, outlasts a claim (the case where a lapsed claim used to be posted twice).
 */
export const chaosService = (i: number, channels: number) => `svc-${String(i % 5 === 0 ? 0 : 1 + (i % (channels - 1))).padStart(2, '0')}`;
/** Event i's incident title (its summary). */
export const chaosTitle = (i: number) => `chaos event ${i}`;

/** routes.yaml: service svc-NN pages channel C0CHAOSNN; one incident per alert name, resolved by its source. */
export function writeChannelRoutes(alertsDir: string, channels: number): void {
  const routes = Array.from({ length: channels }, (_, k) =>
    [`  - name: chaos-${k}`, `    match: ['service="svc-${String(k).padStart(2, '0')}"']`, '    groupBy: [service, alertname]', '    groupWait: 0s', '    autoResolve: true', `    slackChannel: C0CHAOS${String(k).padStart(2, '0')}`].join('\n'),
  );
  fs.writeFileSync(path.join(alertsDir, 'routes.yaml'), ['routes:', ...routes].join('\n') + '\n');
}

/** Event i as PagerDuty Events API v2 sends it. */
export function pagerDutyEvent(i: number, action: 'trigger' | 'resolve', routingKey: string, channels: number): string {
  const service = chaosService(i, channels);
  return JSON.stringify({
    routing_key: routingKey,
    event_action: action,
    dedup_key: `chaos-${i}`,
    ...(action === 'trigger' ? { payload: { summary: chaosTitle(i), source: `${service}-1`, severity: 'critical', component: service, class: `chaos-${i}` } } : {}),
  });
}

/** Event i as an Alertmanager webhook (v4) with one alert. */
export function alertmanagerWebhook(i: number, status: 'firing' | 'resolved', channels: number): string {
  const labels = { alertname: `chaos-${i}`, service: chaosService(i, channels), severity: 'critical' };
  return JSON.stringify({
    version: '4', receiver: 'headroom', status, groupKey: `{}:{alertname="chaos-${i}"}`, truncatedAlerts: 0, externalURL: 'http://alertmanager:9093',
    groupLabels: { alertname: `chaos-${i}` }, commonLabels: labels, commonAnnotations: { summary: chaosTitle(i) },
    alerts: [{
      status, labels, annotations: { summary: chaosTitle(i) }, fingerprint: `chaos${String(i).padStart(10, '0')}`,
      startsAt: '2026-12-07T00:00:00Z', endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus:9090/graph',
    }],
  });
}
