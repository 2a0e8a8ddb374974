#!/usr/bin/env node
// Breach → rollback latency, auto mode: starts the built server (embedded database, or the
// PostgreSQL in DATABASE_URL in a fresh database) with N experiments, each with an auto
// rollback policy (one consecutive evaluation) whose hook calls a fake deploy system in this
// process, which verifies the HMAC signature. For each experiment in turn it posts a snapshot in
// which the treatment clearly harms the skip rate — the moment the breach condition becomes
// true — and times until the signed rollback request arrives. Prints p50/p95/p99.
// Needs `npm run build -w server` first.
//
//   node bench/breach-to-rollback.mjs [--experiments 100]
import { createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { arg, quantile, startServer } from './support.mjs';

const N = arg('experiments', 100);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const KEY = 'hk_experiments_bench-0123456789abcdef';
const SECRET = randomBytes(16).toString('hex');

// The fake deploy system: checks the signature, notes when each experiment's rollback arrived.
const arrived = new Map();
let badSignatures = 0;
const deploy = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    const ts = req.headers['x-headroom-timestamp'];
    const signed = `v2:${ts}:${req.method}:${deployUrl}${req.url}:${req.headers['x-headroom-execution']}:${body}`;
    const expected = `v2=${createHmac('sha256', SECRET).update(signed).digest('hex')}`;
    if (req.headers['x-headroom-signature'] !== expected) {
      badSignatures++;
      res.writeHead(401).end();
      return;
    }
    const { experiment } = JSON.parse(body);
    if (!arrived.has(experiment)) arrived.set(experiment, performance.now());
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
await new Promise((r) => deploy.listen(0, '127.0.0.1', r));
const deployUrl = `http://127.0.0.1:${deploy.address().port}`;

const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-rollback-alerts-'));
const names = Array.from({ length: N }, (_, k) => `exp-${String(k).padStart(3, '0')}`);
fs.writeFileSync(
  path.join(alertsDir, 'bench.yaml'),
  [
    'experiments:',
    ...names.flatMap((n) => [
      `  - name: ${n}`,
      '    service: now-playing-ranker',
      '    start: 2026-11-20T00:00:00Z',
      '    variants: [{ name: control, control: true, share: 0.5 }, { name: treatment, share: 0.5 }]',
      '    guardrails: [{ name: skip_rate, kind: proportion, direction: lower_is_better, margin: 0.02 }]',
    ]),
    'rollbackHooks:',
    '  - name: deploy',
    `    url: ${deployUrl}/rollback`,
    '    body: \'{"experiment": "{{experiment}}", "variant": "{{variant}}"}\'',
    '    timeout: 5s',
    '    secretEnv: BENCH_DEPLOY_SECRET',
    'rollbackPolicies:',
    ...names.flatMap((n) => [`  - name: ${n}-auto`, '    hook: deploy', `    trigger: { guardrail: { experiment: ${n} } }`, '    mode: auto', '    consecutiveEvaluations: 1', '    maxPerHour: 1000']),
  ].join('\n') + '\n',
);

const server = await startServer({
  HEADROOM_LOG_LEVEL: 'warn', HEADROOM_ALERTS_DIR: alertsDir, HEADROOM_ADMIN_TOKEN: ADMIN, HEADROOM_SIMULATOR: 'false',
  HEADROOM_INTEGRATION_KEYS: `experiments:bench:${KEY}`, BENCH_DEPLOY_SECRET: SECRET,
}, 'rollback');
const url = server.url;

const variants = (treatmentSkips) => ({
  control: { units: 5000, metrics: { skip_rate: { successes: 1000 } } },
  treatment: { units: 5000, metrics: { skip_rate: { successes: treatmentSkips } } },
});
const latencies = [];
try {
  for (const [k, name] of names.entries()) {
    const at = new Date(Date.UTC(2026, 11, 2, 12, 0, k)).toISOString();
    const t0 = performance.now();
    const res = await fetch(`${url}/api/experiments/${name}/observations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ at, variants: variants(1500) }),
    });
    if (res.status !== 201) throw new Error(`observations for ${name}: HTTP ${res.status} ${await res.text()}`);
    const deadline = Date.now() + 30_000;
    while (!arrived.has(name)) {
      if (Date.now() > deadline) throw new Error(`no rollback for ${name} within 30 s`);
      await new Promise((r) => setTimeout(r, 1));
    }
    latencies.push(arrived.get(name) - t0);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p) => quantile(sorted, p);
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; database ${server.database}`);
  console.log(`breach condition true (snapshot posted) → signed rollback request received, auto mode, ${latencies.length} experiments one after another:`);
  console.log(`  p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms; bad signatures ${badSignatures}`);
} finally {
  await server.stop();
  deploy.close();
  fs.rmSync(alertsDir, { recursive: true, force: true });
}
