#!/usr/bin/env node
// Incident opened → page received by Slack. Starts the built server (embedded database, or the
// PostgreSQL in DATABASE_URL in a fresh database) paging a small fake of the Slack Web API in
// this process. Opens N incidents through POST /api/incidents at a steady rate, spread over
// C services whose routes page C different channels (so that Slack's own limit of about one
// message per second per channel, which Headroom keeps, is not what is measured), and times
// each from the moment its request is sent to the moment chat.postMessage carrying its id
// arrives. Prints p50/p95/p99/max and checks that every incident was paged exactly once.
// Needs `npm run build -w server` first.
//
//   node bench/incident-to-page.mjs [--incidents 1000] [--rate 20] [--channels 50]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { arg, quantile, startFakeSlack, startServer } from './support.mjs';

const N = arg('incidents', 1000);
const RATE = arg('rate', 20);
const CHANNELS = arg('channels', 50);
const ADMIN = 'bench-admin-token-0123456789abcdef';

const arrived = new Map();
let pagesReceived = 0;
const slack = await startFakeSlack((id, at) => {
  pagesReceived++;
  if (!arrived.has(id)) arrived.set(id, at);
});

const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-page-alerts-'));
const services = Array.from({ length: CHANNELS }, (_, k) => `svc-${String(k).padStart(3, '0')}`);
fs.writeFileSync(
  path.join(alertsDir, 'routes.yaml'),
  ['routes:', ...services.flatMap((s, k) => [`  - name: ${s}`, `    match: ['service="${s}"']`, `    slackChannel: C0BENCH${String(k).padStart(3, '0')}`])].join('\n') + '\n',
);
const server = await startServer({
  HEADROOM_ADMIN_TOKEN: ADMIN,
  HEADROOM_SIMULATOR: 'false',
  HEADROOM_ALERTS_DIR: alertsDir,
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: 'bench-signing-secret',
  SLACK_CHANNEL: 'C0DEFAULT',
  SLACK_API_URL: slack.url,
}, 'page');

const sent = new Map();
const answered = [];
const pending = [];
const gapMs = 1000 / RATE;
const t0 = performance.now();
for (let k = 0; k < N; k++) {
  const wait = t0 + k * gapMs - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const start = performance.now();
  pending.push(
    fetch(`${server.url}/api/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `bench incident ${k}`, service: services[k % CHANNELS], severity: 'critical' }),
    }).then(async (res) => {
      if (res.status !== 201) throw new Error(`POST /api/incidents answered ${res.status}: ${await res.text()}`);
      sent.set(Number((await res.json()).id), start);
      answered.push(performance.now() - start);
    }),
  );
}
await Promise.all(pending);
const deadline = Date.now() + 120_000;
while ([...sent.keys()].some((id) => !arrived.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
await new Promise((r) => setTimeout(r, 1000)); // a late duplicate would show up here

const latencies = [...sent].filter(([id]) => arrived.has(id)).map(([id, start]) => arrived.get(id) - start).sort((a, b) => a - b);
answered.sort((a, b) => a - b);
const missing = sent.size - latencies.length;
console.log(`incident → page, ${N} incidents at ${RATE}/s over ${CHANNELS} channels, ${server.database}`);
console.log(`  p50 ${quantile(latencies, 0.5).toFixed(0)} ms  p95 ${quantile(latencies, 0.95).toFixed(0)} ms  p99 ${quantile(latencies, 0.99).toFixed(0)} ms  max ${latencies.at(-1).toFixed(0)} ms`);
console.log(`  (POST /api/incidents itself: p50 ${quantile(answered, 0.5).toFixed(0)} ms, p99 ${quantile(answered, 0.99).toFixed(0)} ms)`);
console.log(`  pages received ${pagesReceived} for ${sent.size} incidents (duplicates ${pagesReceived - arrived.size}, missing ${missing})`);

await server.stop();
await slack.close();
fs.rmSync(alertsDir, { recursive: true, force: true });
if (missing > 0 || pagesReceived !== arrived.size) process.exitCode = 1;
