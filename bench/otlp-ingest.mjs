#!/usr/bin/env node
// OTLP/HTTP ingest benchmark: starts the built server (embedded database, then the PostgreSQL in
// DATABASE_URL when it is set, in a fresh database), pushes protobuf ExportMetricsServiceRequests
// of cumulative explicit-bucket histograms over HTTP, and prints data points per second and the
// server's memory. Needs `npm run build -w server` first.
//
//   node bench/otlp-ingest.mjs [--rounds 8] [--concurrency 4] [--gzip] [--profile DIR] [--skip-embedded] [--no-slo]
//
// Cardinality, like a real fleet: 4 services × 40 pods, each pod exporting 200 series
// (20 routes × 2 methods × 5 status codes) of http.server.request.duration with the 14 OpenTelemetry
// default bounds. A request carries 10 pods (2,000 points), as a collector's batch would. A round is
// one export of every stream (32,000 points, 10 s apart); round 1 also creates every series and
// stream, later rounds are the steady state (state read and updated, increases written).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { backendPids, cpuSeconds, MAIN, ROOT, spawnServer } from './support.mjs';

const require = createRequire(import.meta.url);
const root = require(require.resolve('otlp-transformer-protobufjs/build/src/generated/root', { paths: [path.join(ROOT, 'server')] }));
const { Client } = require(require.resolve('pg', { paths: [path.join(ROOT, 'server')] }));
const Request = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? def : process.argv[i + 1];
};
const ROUNDS = Number(arg('rounds', 8));
const CONCURRENCY = Number(arg('concurrency', 4));
const GZIP = process.argv.includes('--gzip');
// Writes a V8 CPU profile of the server (open it in Chrome DevTools) into this folder.
const PROFILE = arg('profile', undefined);
const SKIP_EMBEDDED = process.argv.includes('--skip-embedded');
// Without the SLO, no evaluation runs after batches (to see what evaluation costs).
const NO_SLO = process.argv.includes('--no-slo');
const SERVICES = ['now-playing-ranker', 'candidate-retrieval', 'feature-store', 'model-serving'];
const PODS = 40;
const PODS_PER_REQUEST = 10;
const ROUTES = Array.from({ length: 20 }, (_, i) => `/v1/route-${i}`);
const METHODS = ['GET', 'POST'];
const STATUSES = [200, 201, 404, 429, 500];
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const ADMIN = 'bench-admin-token-0123456789abcdef';

if (!fs.existsSync(MAIN)) {
  console.error('build the server first: npm run build -w server');
  process.exit(1);
}

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const kv = (key, value) => (typeof value === 'number' ? { key, value: { intValue: value } } : { key, value: { stringValue: value } });

/** Every request body of every round, encoded before the clock starts (client cost stays out). */
function buildRounds() {
  const now = Date.now();
  const startNs = BigInt(now - (ROUNDS + 1) * 10_000) * 1_000_000n;
  // Cumulative bucket counts per stream, carried from round to round.
  const totals = new Map();
  const rounds = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const timeNs = startNs + BigInt(r * 10_000) * 1_000_000n;
    const bodies = [];
    for (const service of SERVICES) {
      for (let p0 = 0; p0 < PODS; p0 += PODS_PER_REQUEST) {
        const resourceMetrics = [];
        for (let pod = p0; pod < p0 + PODS_PER_REQUEST; pod++) {
          const dataPoints = [];
          for (const route of ROUTES) for (const method of METHODS) for (const status of STATUSES) {
            const key = `${service}|${pod}|${route}|${method}|${status}`;
            const counts = totals.get(key) ?? new Array(BOUNDS.length + 1).fill(0);
            // A few requests per 10 s per series, mostly fast.
            const n = Math.floor(rand() * 6);
            for (let k = 0; k < n; k++) counts[Math.min(BOUNDS.length, Math.floor(Math.pow(rand(), 3) * 9))]++;
            totals.set(key, counts);
            const count = counts.reduce((a, b) => a + b, 0);
            dataPoints.push({
              attributes: [kv('http.route', route), kv('http.request.method', method), kv('http.response.status_code', status)],
              startTimeUnixNano: startNs.toString(),
              timeUnixNano: timeNs.toString(),
              count: String(count),
              sum: count * 0.05,
              bucketCounts: counts.map(String),
              explicitBounds: BOUNDS,
            });
          }
          resourceMetrics.push({
            resource: { attributes: [kv('service.name', service), kv('service.instance.id', `${service}-pod-${pod}`), kv('telemetry.sdk.language', 'nodejs')] },
            scopeMetrics: [{ scope: { name: '@opentelemetry/instrumentation-http', version: '0.200.0' }, metrics: [{ name: 'http.server.request.duration', unit: 's', histogram: { aggregationTemporality: 2, dataPoints } }] }],
          });
        }
        const bytes = Buffer.from(Request.encode(Request.fromObject({ resourceMetrics })).finish());
        bodies.push({ body: GZIP ? gzipSync(bytes) : bytes, points: resourceMetrics.length * ROUTES.length * METHODS.length * STATUSES.length });
      }
    }
    rounds.push(bodies);
  }
  return rounds;
}

const memory = (pid) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
};

async function run(label, env, rounds) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-alerts-'));
  // One OTLP latency SLO over the benchmark's metric, so evaluation after each batch is part of the cost.
  if (!NO_SLO) fs.writeFileSync(
    path.join(alertsDir, 'now-playing-ranker.yaml'),
    `service: now-playing-ranker\nslos:\n  - name: latency\n    objective: 0.99\n    sli:\n      kind: latency\n      source: otlp\n      threshold: 250ms\n      otlp:\n        histogram: { metric: http.server.request.duration, attributes: { http.route: /v1/route-0 } }\n    runbook: now-playing-ranker-latency.md\n`,
  );
  const server = await spawnServer({
    HEADROOM_LOG_LEVEL: 'warn',
    HEADROOM_DATA_DIR: dataDir,
    HEADROOM_ADMIN_TOKEN: ADMIN,
    HEADROOM_SIMULATOR: 'false',
    HEADROOM_ALERTS_DIR: alertsDir,
    HEADROOM_RUNBOOKS_DIR: path.join(ROOT, 'runbooks'),
    ...env,
  }, { nodeArgs: PROFILE ? ['--cpu-prof', '--cpu-prof-dir', PROFILE] : [], timeoutMs: 180_000 });
  try {
    const res = await fetch(`${server.url}/api/integrations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench', kind: 'otlp' }),
    });
    const { key } = await res.json();
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/x-protobuf', ...(GZIP ? { 'content-encoding': 'gzip' } : {}) };
    const before = memory(server.child.pid);
    const perRound = [];
    // The machine may be shared: CPU seconds used per point say what a dedicated core would do.
    let cpuAtRound2 = 0;
    let dbCpuAtRound2 = 0;
    let dbPids = [];
    for (const bodies of rounds) {
      if (perRound.length === 1) {
        dbPids = env.DATABASE_URL ? await backendPids(env.DATABASE_URL) : [];
        cpuAtRound2 = cpuSeconds(server.child.pid);
        dbCpuAtRound2 = dbPids.reduce((a, pid) => a + cpuSeconds(pid), 0);
      }
      const started = performance.now();
      let next = 0;
      let points = 0;
      const worker = async () => {
        while (next < bodies.length) {
          const b = bodies[next++];
          const r = await fetch(`${server.url}/v1/metrics`, { method: 'POST', headers, body: b.body });
          const answer = Buffer.from(await r.arrayBuffer());
          if (r.status !== 200 || answer.length !== 0) throw new Error(`push failed: ${r.status} ${answer.toString('utf8').slice(0, 300)}`);
          points += b.points;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      perRound.push({ points, seconds: (performance.now() - started) / 1000 });
    }
    const after = memory(server.child.pid);
    const serverCpu = cpuSeconds(server.child.pid) - cpuAtRound2;
    const dbCpu = dbPids.reduce((a, pid) => a + cpuSeconds(pid), 0) - dbCpuAtRound2;
    const steady = perRound.slice(1);
    const steadyPoints = steady.reduce((a, r) => a + r.points, 0);
    const steadySeconds = steady.reduce((a, r) => a + r.seconds, 0);
    const bytes = rounds[0].reduce((a, b) => a + b.body.length, 0) / rounds[0].length;
    console.log(`\n${label}`);
    console.log(`  requests of ${rounds[0][0].points} histogram points (${(bytes / 1024).toFixed(0)} KiB${GZIP ? ' gzip' : ''}), concurrency ${CONCURRENCY}`);
    console.log(`  round 1 (creates ${perRound[0].points} series streams): ${(perRound[0].points / perRound[0].seconds).toFixed(0)} points/s`);
    perRound.slice(1).forEach((r, i) => console.log(`  round ${i + 2}: ${(r.points / r.seconds).toFixed(0)} points/s (${r.seconds.toFixed(2)} s)`));
    console.log(`  steady state: ${(steadyPoints / steadySeconds).toFixed(0)} histogram points/s accepted and stored`);
    console.log(
      `  CPU: server ${((serverCpu / steadyPoints) * 1e6).toFixed(1)} µs/point${dbPids.length ? `, database backends ${((dbCpu / steadyPoints) * 1e6).toFixed(1)} µs/point` : ' (database included: embedded)'}` +
        ` → ${(steadyPoints / serverCpu).toFixed(0)} points per server CPU-second; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
    );
    console.log(`  server RSS: ${before.rssMb.toFixed(0)} MB before, ${after.rssMb.toFixed(0)} MB after, peak ${after.peakMb.toFixed(0)} MB`);
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  }
}

const t0 = performance.now();
const rounds = buildRounds();
console.log(`built ${ROUNDS} rounds × ${rounds[0].length} requests in ${((performance.now() - t0) / 1000).toFixed(1)} s (node ${process.version}, ${os.cpus().length} cores)`);
if (!SKIP_EMBEDDED) await run('embedded database (PGlite)', {}, rounds);
if (process.env.DATABASE_URL) {
  const name = `headroom_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${name}`;
  try {
    await run(`PostgreSQL (${url.host})`, { DATABASE_URL: url.toString() }, rounds);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
