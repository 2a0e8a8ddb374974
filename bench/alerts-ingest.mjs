#!/usr/bin/env node
// Alertmanager ingest benchmark: starts the built server (embedded database, then the PostgreSQL
// in DATABASE_URL when it is set, in a fresh database) and posts Alertmanager v4 webhooks to
// POST /api/integrations/alertmanager, then prints alerts per second. Each 200 means every alert
// of the webhook is committed (deduplicated by fingerprint and grouped into its incident); the
// run ends by checking that the stored counts add up to what was sent.
// With an Alertmanager binary (Debian's prometheus-alertmanager, or ALERTMANAGER_BIN) it also
// measures how fast Alertmanager itself accepts the same alerts (POST /api/v2/alerts) on the same
// machine, for comparison. Needs `npm run build -w server` first.
//
//   node bench/alerts-ingest.mjs [--seconds 20] [--concurrency 8] [--group-size 10] [--per-webhook N]
//                                [--skip-embedded] [--skip-alertmanager] [--profile DIR]
//
// 1,000 distinct alerts (one instance each) grouped by service and alertname into incidents of
// --group-size alerts (default 10, so 100 incidents), as Alertmanager would group them: a webhook
// carries one group (or --per-webhook alerts of it) and the 1,000 alerts repeat for the whole
// run, the way Alertmanager re-sends firing alerts every group_interval.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { backendPids, cpuSeconds, freePort, MAIN, spawnServer } from './support.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { Client } = require(require.resolve('pg', { paths: [path.join(ROOT, 'server')] }));

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : process.argv[i + 1];
};
const SECONDS = Number(arg('seconds', 20));
const CONCURRENCY = Number(arg('concurrency', 8));
const GROUP_SIZE = Number(arg('group-size', 10));
const PER_WEBHOOK = Number(arg('per-webhook', GROUP_SIZE));
const SKIP_EMBEDDED = process.argv.includes('--skip-embedded');
const SKIP_AM = process.argv.includes('--skip-alertmanager');
// Writes a V8 CPU profile of the server (open it in Chrome DevTools) into this folder.
const PROFILE = arg('profile', undefined);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const KEY = 'hk_alertmanager_bench-0123456789abcdef';
const DISTINCT = 1000;

if (!fs.existsSync(MAIN)) {
  console.error('build the server first: npm run build -w server');
  process.exit(1);
}

/** The 1,000 alerts, grouped as Alertmanager groups them (service, alertname). */
function buildGroups() {
  const startsAt = new Date(Date.now() - 600_000).toISOString();
  const groups = new Map();
  for (let i = 0; i < DISTINCT; i++) {
    const group = Math.floor(i / GROUP_SIZE);
    const labels = { alertname: `BenchAlert${group % 50}`, service: `bench-service-${Math.floor(group / 50)}`, instance: `host-${i}:9100`, severity: 'warning', job: 'bench' };
    const key = `${labels.service}/${labels.alertname}`;
    const alert = {
      status: 'firing', labels,
      annotations: { summary: `${labels.alertname} on ${labels.instance}`, description: 'benchmark alert', runbook_url: 'https://runbooks.example.com/bench' },
      startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus:9090/graph?g0.expr=up', fingerprint: i.toString(16).padStart(16, '0'),
    };
    if (!groups.has(key)) groups.set(key, { labels: { alertname: labels.alertname, service: labels.service }, alerts: [] });
    groups.get(key).alerts.push(alert);
  }
  return [...groups.values()];
}

/** Webhook bodies: each group split into chunks of PER_WEBHOOK alerts. */
function buildWebhooks(groups) {
  const bodies = [];
  for (const g of groups) {
    for (let i = 0; i < g.alerts.length; i += PER_WEBHOOK) {
      const alerts = g.alerts.slice(i, i + PER_WEBHOOK);
      bodies.push({
        alerts: alerts.length,
        body: JSON.stringify({
          receiver: 'headroom', status: 'firing', alerts, groupLabels: g.labels, commonLabels: { ...g.labels, severity: 'warning', job: 'bench' },
          commonAnnotations: {}, externalURL: 'http://alertmanager:9093', version: '4', groupKey: `{}:{alertname="${g.labels.alertname}", service="${g.labels.service}"}`, truncatedAlerts: 0,
        }),
      });
    }
  }
  return bodies;
}

/**
 * Posts the bodies round-robin with CONCURRENCY requests in flight for SECONDS; returns alerts/s.
 * `pids` name the processes doing the work ({ server: async () => [pid], … }): the machine may be
 * shared, so the CPU seconds they use per alert say more than the rate alone.
 */
async function blast(url, headers, bodies, expectStatus, pids = {}) {
  let next = 0;
  let alerts = 0;
  let requests = 0;
  const latencies = [];
  // Per process, as processes may come (a pool opens a connection) or go while it runs.
  const cpu = async () => new Map(await Promise.all(Object.entries(pids).map(async ([k, list]) => [k, new Map((await list()).map((pid) => [pid, cpuSeconds(pid)]))])));
  const cpuBefore = await cpu();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const until = started + SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      const b = bodies[next++ % bodies.length];
      const t = performance.now();
      const r = await fetch(url, { method: 'POST', headers, body: b.body });
      const text = await r.text();
      if (r.status !== expectStatus) throw new Error(`post failed: ${r.status} ${text.slice(0, 300)}`);
      latencies.push(performance.now() - t);
      alerts += b.alerts;
      requests++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpu();
  const used = (k) => [...cpuAfter.get(k)].reduce((a, [pid, s]) => a + Math.max(0, s - (cpuBefore.get(k).get(pid) ?? 0)), 0);
  const client = process.cpuUsage(clientBefore);
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1);
  const perAlert = (s) => `${((s / alerts) * 1e6).toFixed(0)} µs`;
  const usage = [...Object.keys(pids).map((k) => `${k} ${perAlert(used(k))}`), `load generator ${perAlert((client.user + client.system) / 1e6)}`];
  const cpuLine = `CPU per alert: ${usage.join(', ')}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;
  return { alerts, requests, seconds, rate: alerts / seconds, p50: pct(50), p99: pct(99), cpuLine };
}

function waitForOutput(child, pattern, what) {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${out.slice(-2000)}`)), 180_000);
    const check = () => {
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ match: m, output: () => out });
      }
    };
    child.stdout.on('data', (d) => ((out += d), check()));
    child.stderr.on('data', (d) => ((out += d), check()));
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${out.slice(-2000)}`)));
  });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

async function runHeadroom(label, env, bodies) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-alerts-'));
  // groupWait 0s: one incident per group, as the figures in docs/operations.md were measured.
  fs.writeFileSync(path.join(alertsDir, 'routes.yaml'), 'routes:\n  - name: bench\n    match: [\'job="bench"\']\n    groupBy: [service, alertname]\n    groupWait: 0s\n');
  // Started as `npm start` runs it (its Node flags included).
  let child = null;
  try {
    const server = await spawnServer(
      {
        HEADROOM_LOG_LEVEL: 'warn', HEADROOM_DATA_DIR: dataDir, HEADROOM_ALERTS_DIR: alertsDir, HEADROOM_ADMIN_TOKEN: ADMIN, HEADROOM_SIMULATOR: 'false',
        HEADROOM_INTEGRATION_KEYS: `alertmanager:bench:${KEY}`, ...env,
      },
      { nodeArgs: PROFILE ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : [], timeoutMs: 180_000 },
    );
    child = server.child;
    const url = server.url;
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    // The first pass opens the 100 incidents and pages; the timed run is the steady state.
    for (const b of bodies) {
      const r = await fetch(`${url}/api/integrations/alertmanager`, { method: 'POST', headers, body: b.body });
      if (r.status !== 200) throw new Error(`warm-up failed: ${r.status} ${await r.text()}`);
    }
    const warm = bodies.reduce((a, b) => a + b.alerts, 0);
    // With the embedded database, the server process runs the database too.
    const pids = { server: async () => [child.pid], ...(env.DATABASE_URL ? { database: () => backendPids(env.DATABASE_URL) } : {}) };
    const result = await blast(`${url}/api/integrations/alertmanager`, headers, bodies, 200, pids);
    // Every accepted alert must be in the database, counted once.
    const list = [];
    for (let from = 0; ; from += 500) {
      const page = await (await fetch(`${url}/api/incidents?range=[${from},${from + 499}]`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
      list.push(...page);
      if (page.length < 500) break;
    }
    const counted = list.reduce((a, i) => a + i.alertCount, 0);
    const groups = Math.ceil(DISTINCT / GROUP_SIZE);
    if (list.length !== groups || counted !== warm + result.alerts) throw new Error(`stored ${list.length} incidents counting ${counted} alerts; sent ${warm + result.alerts}`);
    console.log(`\n${label}`);
    console.log(`  ${result.requests} webhooks of ${PER_WEBHOOK} alerts in ${result.seconds.toFixed(1)} s, concurrency ${CONCURRENCY}`);
    console.log(`  ${result.rate.toFixed(0)} alerts/s ingested (stored, deduplicated, grouped; check: ${groups} incidents counting ${counted} alerts)`);
    console.log(`  webhook latency p50 ${result.p50} ms, p99 ${result.p99} ms`);
    console.log(`  ${result.cpuLine}`);
    return result;
  } finally {
    if (child) await stop(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  }
}

/** Alertmanager's own API accepting the same alerts (POST /api/v2/alerts takes a list of postable alerts). */
async function runAlertmanager(groups) {
  const binary = [process.env.ALERTMANAGER_BIN, '/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager'].find((b) => b && fs.existsSync(b));
  if (!binary) {
    console.log('\nAlertmanager: no binary found (apt-get install prometheus-alertmanager, or ALERTMANAGER_BIN); comparison skipped');
    return null;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-am-'));
  // A null receiver: measure acceptance, not notification.
  fs.writeFileSync(path.join(dir, 'am.yml'), 'route:\n  receiver: none\n  group_by: [service, alertname]\nreceivers:\n  - name: none\n');
  const port = await freePort();
  const child = spawn(binary, [`--config.file=${path.join(dir, 'am.yml')}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitForOutput(child, /Listening on/, 'Alertmanager');
    const bodies = [];
    for (const g of groups) {
      for (let i = 0; i < g.alerts.length; i += PER_WEBHOOK) {
        const alerts = g.alerts.slice(i, i + PER_WEBHOOK).map((a) => ({ labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, generatorURL: a.generatorURL }));
        bodies.push({ alerts: alerts.length, body: JSON.stringify(alerts) });
      }
    }
    const result = await blast(`http://127.0.0.1:${port}/api/v2/alerts`, { 'content-type': 'application/json' }, bodies, 200, { alertmanager: async () => [child.pid] });
    const version = (await (await fetch(`http://127.0.0.1:${port}/api/v2/status`)).json()).versionInfo?.version;
    console.log(`\nAlertmanager ${version ?? ''} itself (POST /api/v2/alerts, lists of ${PER_WEBHOOK}, in memory with a null receiver)`);
    console.log(`  ${result.rate.toFixed(0)} alerts/s accepted, request latency p50 ${result.p50} ms, p99 ${result.p99} ms`);
    console.log(`  ${result.cpuLine}`);
    return result;
  } finally {
    await stop(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const groups = buildGroups();
const bodies = buildWebhooks(groups);
console.log(`${DISTINCT} distinct alerts in ${groups.length} groups, ${bodies.length} webhooks of ${PER_WEBHOOK}; ${SECONDS} s per run (node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
if (!SKIP_EMBEDDED) await runHeadroom('Headroom, embedded database (PGlite)', {}, bodies);
if (process.env.DATABASE_URL) {
  const name = `headroom_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  try {
    await runHeadroom(`Headroom, PostgreSQL (${url.host})`, { DATABASE_URL: url.toString() }, bodies);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
if (!SKIP_AM) await runAlertmanager(groups);
