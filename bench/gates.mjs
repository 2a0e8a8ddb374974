#!/usr/bin/env node
// Gate latency: GET /api/gates/<service> as Flagger and Argo Rollouts ask it, from C concurrent
// callers (default 4, each asking again as soon as it has its answer) for D seconds, against the
// built server with the simulator on (its SLOs, experiment and incidents are what the gate reads),
// on the embedded database or the PostgreSQL in DATABASE_URL (a fresh database). Prints
// p50/p90/p99/max and the rate, once with every SLO fine and once while a fault burns the
// ranker's availability (412 answers, with reasons and an open incident to list).
// Needs `npm run build -w server` first.
//
//   node bench/gates.mjs [--callers 4] [--seconds 20]
import { arg, quantile, startServer } from './support.mjs';

const CALLERS = arg('callers', 4);
const SECONDS = arg('seconds', 20);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const KEY = 'hk_changes_bench-0123456789abcdef';
const SERVICE = 'now-playing-ranker';

const server = await startServer(
  { HEADROOM_ADMIN_TOKEN: ADMIN, HEADROOM_SIMULATOR: 'true', HEADROOM_SIMULATOR_SEED: '7', HEADROOM_TIME_SCALE: '60', HEADROOM_EVALUATION_INTERVAL_SECONDS: '2', HEADROOM_LOG_LEVEL: 'warn', HEADROOM_INTEGRATION_KEYS: `changes:bench:${KEY}` },
  'gates',
);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const api = (p, init = {}) => fetch(`${server.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' } });

async function phase(label, expectStatus) {
  const times = [];
  const statuses = new Map();
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CALLERS }, async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/gates/${SERVICE}`, { headers: { authorization: `Bearer ${KEY}` } });
      await res.arrayBuffer();
      times.push(performance.now() - t0);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  }));
  times.sort((a, b) => a - b);
  const ms = (v) => `${v.toFixed(1)} ms`;
  console.log(`${label}: ${times.length} calls from ${CALLERS} callers in ${SECONDS} s (${(times.length / SECONDS).toFixed(0)}/s), statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  console.log(`  p50 ${ms(quantile(times, 0.5))}  p90 ${ms(quantile(times, 0.9))}  p99 ${ms(quantile(times, 0.99))}  max ${ms(times.at(-1))}`);
  if (!statuses.has(expectStatus)) console.log(`  (expected ${expectStatus} answers and saw none)`);
}

try {
  console.log(`gate latency, ${server.database}`);
  for (;;) {
    const slos = await (await api(`/api/slos?filter=${encodeURIComponent(JSON.stringify({ service: SERVICE }))}`)).json();
    if (slos.length > 0 && slos.every((s) => s.state === 'ok')) break;
    await sleep(200);
  }
  await phase('passing (every SLO fine)', 200);
  await api('/api/simulator/faults', { method: 'POST', body: JSON.stringify({ service: SERVICE, kind: 'error-rate', value: 1, durationSeconds: 7200 }) });
  for (;;) {
    const res = await fetch(`${server.url}/api/gates/${SERVICE}`, { headers: { authorization: `Bearer ${KEY}` } });
    await res.arrayBuffer();
    if (res.status === 412) break;
    await sleep(200);
  }
  await phase('failing (a burn and its incident)', 412);
} finally {
  await server.stop();
}
