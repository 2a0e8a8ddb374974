#!/usr/bin/env node
// GET /api/incidents with 1,000,000 incidents: seeds them with one INSERT … SELECT
// generate_series, then times the console's first page (25 rows, newest first, filtered by
// status) through the built server, and prints p50/p95/p99 per filter. Runs on the embedded
// database, then on the PostgreSQL in DATABASE_URL (a fresh database) when it is set.
// Needs `npm run build -w server` first.
//
//   node bench/incidents-list.mjs [--incidents 1000000] [--requests 300] [--skip-embedded]
//
// The mix is what a year of paging looks like: 97% resolved, 1% each triggered, acknowledged
// and snoozed, over four services and five sources. Then the open incidents among the newest
// 30% are resolved (a team that keeps up, with an older backlog left open) and the open-status
// filters are measured again: their page must not depend on how many resolved incidents are
// newer than the open ones.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const DIST = path.join(ROOT, 'server/dist/server/src');
const MAIN = path.join(DIST, 'main.js');
const fromServer = (m) => require(require.resolve(m, { paths: [path.join(ROOT, 'server')] }));

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : process.argv[i + 1];
};
const INCIDENTS = Number(arg('incidents', 1_000_000));
const REQUESTS = Number(arg('requests', 300));
const SKIP_EMBEDDED = process.argv.includes('--skip-embedded');
const ADMIN = 'bench-admin-token-0123456789abcdef';

if (!fs.existsSync(MAIN)) {
  console.error('build the server first: npm run build -w server');
  process.exit(1);
}
const { DataSource } = fromServer('typeorm');
const { Client } = fromServer('pg');
const { dataSourceOptions } = require(path.join(DIST, 'database/data-source-options.js'));
const { startEmbeddedPostgres } = require(path.join(DIST, 'database/embedded-postgres.js'));

const SEED = `
  INSERT INTO incidents (title, service, source, severity, status, fingerprint, triggered_at, acknowledged_at, acknowledged_by,
                         resolved_at, resolved_by, snoozed_until, evidence, labels, alert_count, last_alert_at, version)
  SELECT 'Seeded incident ' || g || ': ' || (ARRAY['error rate', 'p99 latency', 'saturation', 'guardrail'])[1 + g % 4],
         (ARRAY['now-playing-ranker', 'candidate-retrieval', 'feature-store', 'model-serving'])[1 + g % 4],
         (ARRAY['slo', 'alertmanager', 'pagerduty', 'manual', 'guardrail'])[1 + (g / 4) % 5],
         (ARRAY['critical', 'error', 'warning', 'info'])[1 + (g / 3) % 4],
         s.status, 'seed:' || g, s.t,
         CASE WHEN s.status <> 'triggered' THEN s.t + interval '4 minutes' END,
         CASE WHEN s.status <> 'triggered' THEN 'seed' END,
         CASE WHEN s.status = 'resolved' THEN s.t + interval '40 minutes' END,
         CASE WHEN s.status = 'resolved' THEN 'seed' END,
         CASE WHEN s.status = 'snoozed' THEN now() + interval '1 day' END,
         jsonb_build_object('summary', 'seeded incident'), jsonb_build_object('service', 'seeded'), 1 + g % 7, s.t, 1
  FROM generate_series(1, $1::int) g
  CROSS JOIN LATERAL (
    SELECT CASE g % 100 WHEN 0 THEN 'triggered' WHEN 1 THEN 'acknowledged' WHEN 2 THEN 'snoozed' ELSE 'resolved' END AS status,
           now() - ($1::int - g) * interval '30 seconds' AS t
  ) s`;

// The open incidents among the newest 30% resolved, as a person would (the checks hold).
const RESOLVE_RECENT = `
  UPDATE incidents SET status = 'resolved', snoozed_until = NULL, acknowledged_at = coalesce(acknowledged_at, triggered_at + interval '4 minutes'),
         acknowledged_by = coalesce(acknowledged_by, 'seed'), resolved_at = triggered_at + interval '40 minutes', resolved_by = 'seed'
  WHERE status <> 'resolved' AND id > (SELECT max(id) FROM incidents) * 0.7`;

async function withDataSource(url, embedded, fn) {
  const ds = new DataSource(dataSourceOptions(url, embedded));
  await ds.initialize();
  try {
    return await fn(ds);
  } finally {
    await ds.destroy();
  }
}

async function resolveRecent(url, embedded) {
  await withDataSource(url, embedded, async (ds) => {
    await ds.query(RESOLVE_RECENT);
    await ds.query('VACUUM ANALYZE incidents');
  });
}

async function seed(url, embedded) {
  await withDataSource(url, embedded, async (ds) => {
    await ds.runMigrations();
    const t = performance.now();
    await ds.query(SEED, [INCIDENTS]);
    const inserted = performance.now();
    // VACUUM sets the visibility map (index-only counts); ANALYZE gives the planner and the estimate their statistics.
    await ds.query('VACUUM ANALYZE incidents');
    const [{ n }] = await ds.query('SELECT count(*)::int AS n FROM incidents');
    console.log(`  seeded ${n} incidents in ${((inserted - t) / 1000).toFixed(1)} s, VACUUM ANALYZE ${((performance.now() - inserted) / 1000).toFixed(1)} s`);
  });
}

async function startServer(env) {
  const child = spawn(process.execPath, [MAIN, 'start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PORT: '0', HEADROOM_LOG_LEVEL: 'warn', HEADROOM_ADMIN_TOKEN: ADMIN, HEADROOM_SIMULATOR: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out.slice(-2000)}`)), 300_000);
    const check = () => {
      const m = /Headroom console: (http:\/\/[^\s/]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', (d) => ((out += d), check()));
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${out.slice(-2000)}`)));
  });
  return { child, url };
}

const OPEN_CASES = [
  ['status in (triggered, acknowledged, snoozed)', { status: ['triggered', 'acknowledged', 'snoozed'] }],
  ['status in (triggered, acknowledged)', { status: ['triggered', 'acknowledged'] }],
  ['status=triggered', { status: 'triggered' }],
];
const CASES = [
  ['status in (triggered, acknowledged, snoozed)', { status: ['triggered', 'acknowledged', 'snoozed'] }],
  ['status=triggered', { status: 'triggered' }],
  ['status=acknowledged', { status: 'acknowledged' }],
  ['status=resolved', { status: 'resolved' }],
  ['status in (triggered, acknowledged)', { status: ['triggered', 'acknowledged'] }],
  ['status=resolved, service=feature-store', { status: 'resolved', service: 'feature-store' }],
  ['no filter', {}],
];

async function measure(label, env, cases = CASES) {
  const server = await startServer(env);
  try {
    console.log(`\n${label}: GET /api/incidents?filter=…&sort=["id","DESC"]&range=[0,24], ${REQUESTS} sequential requests after 30 warm-up`);
    for (const [name, filter] of cases) {
      const u = `${server.url}/api/incidents?filter=${encodeURIComponent(JSON.stringify(filter))}&sort=${encodeURIComponent('["id","DESC"]')}&range=${encodeURIComponent('[0,24]')}`;
      const headers = { authorization: `Bearer ${ADMIN}` };
      const times = [];
      let range = '';
      for (let i = 0; i < REQUESTS + 30; i++) {
        const t = performance.now();
        const r = await fetch(u, { headers });
        const body = await r.json();
        const ms = performance.now() - t;
        if (r.status !== 200 || body.length !== 25) throw new Error(`${name}: ${r.status} ${JSON.stringify(body).slice(0, 200)}`);
        range = r.headers.get('content-range');
        if (i >= 30) times.push(ms);
      }
      times.sort((a, b) => a - b);
      const p = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)].toFixed(1);
      console.log(`  ${name.padEnd(40)} p50 ${p(0.5).padStart(6)} ms  p95 ${p(0.95).padStart(6)} ms  p99 ${p(0.99).padStart(6)} ms  (${range})`);
    }
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
  }
}

console.log(`${INCIDENTS.toLocaleString('en')} incidents (node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
if (!SKIP_EMBEDDED) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-list-'));
  try {
    console.log('\nembedded database (PGlite)');
    const pg = await startEmbeddedPostgres(dataDir);
    try {
      await seed(pg.url, true);
    } finally {
      await pg.stop();
    }
    await measure('embedded database (PGlite)', { HEADROOM_DATA_DIR: dataDir });
    const pg2 = await startEmbeddedPostgres(dataDir);
    try {
      await resolveRecent(pg2.url, true);
    } finally {
      await pg2.stop();
    }
    await measure('embedded database (PGlite), open incidents only among the oldest 70%', { HEADROOM_DATA_DIR: dataDir }, OPEN_CASES);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
if (process.env.DATABASE_URL) {
  const name = `headroom_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-list-'));
  try {
    console.log(`\nPostgreSQL (${url.host})`);
    await seed(url.toString(), false);
    await measure(`PostgreSQL (${url.host})`, { DATABASE_URL: url.toString(), HEADROOM_DATA_DIR: dataDir });
    await resolveRecent(url.toString(), false);
    await measure(`PostgreSQL (${url.host}), open incidents only among the oldest 70%`, { DATABASE_URL: url.toString(), HEADROOM_DATA_DIR: dataDir }, OPEN_CASES);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
