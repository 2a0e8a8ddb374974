#!/usr/bin/env node
// Signed Slack interaction → HTTP 200. Starts the built server (embedded database, or a fresh
// database on the PostgreSQL in DATABASE_URL) with Slack configured against a fake Web API in
// this process, opens incidents (so their pages exist), then sends N signed block_actions
// requests — Acknowledge, Escalate and Resolve clicks by a responder, cycling over the
// incidents, C at a time — and times each from send to the HTTP answer. Bolt verifies the
// signature and Headroom acknowledges before doing the work, so the work's cost shows only as
// load. Prints p50/p95/p99/max.
// Needs `npm run build -w server` first.
//
//   node bench/slack-interaction.mjs [--requests 1000] [--incidents 100] [--concurrency 4]
import { createHmac } from 'node:crypto';
import { arg, quantile, startFakeSlack, startServer } from './support.mjs';

const REQUESTS = arg('requests', 1000);
const INCIDENTS = arg('incidents', 100);
const CONCURRENCY = arg('concurrency', 4);
const ADMIN = 'bench-admin-token-0123456789abcdef';
const SECRET = 'bench-signing-secret';
const SLACK_USER = 'U0BENCH';

const slack = await startFakeSlack();
const server = await startServer({
  HEADROOM_ADMIN_TOKEN: ADMIN,
  HEADROOM_SIMULATOR: 'false',
  SLACK_BOT_TOKEN: 'xoxb-bench',
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_CHANNEL: 'C0BENCH',
  SLACK_API_URL: slack.url,
}, 'interaction');
const api = (p, body) =>
  fetch(`${server.url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

// The clicker is a responder whose Slack id is known.
const user = await api('/api/users', { email: 'bench@example.com', name: 'Bench Responder', role: 'responder', slackUserId: SLACK_USER });
if (user.status !== 201) throw new Error(`POST /api/users answered ${user.status}: ${await user.text()}`);
const ids = [];
for (let k = 0; k < INCIDENTS; k++) {
  const res = await api('/api/incidents', { title: `bench ${k}`, service: 'now-playing-ranker', severity: 'critical' });
  ids.push(Number((await res.json()).id));
}

const ACTIONS = ['incident.acknowledge', 'incident.escalate', 'incident.resolve'];
function click(k) {
  const id = ids[k % ids.length];
  const payload = {
    type: 'block_actions',
    user: { id: SLACK_USER, username: 'bench', name: 'bench', team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'legacy',
    container: { type: 'message', message_ts: '1.000001', channel_id: 'C0BENCH', is_ephemeral: false },
    trigger_id: '1.2.3',
    team: { id: 'T0001', domain: 'bench' },
    channel: { id: 'C0BENCH', name: 'bench' },
    message: { type: 'message', ts: '1.000001', text: 'page' },
    response_url: `${slack.base}/response`,
    actions: [{ type: 'button', action_id: ACTIONS[Math.floor(k / ids.length) % ACTIONS.length], block_id: `incident-${id}`, value: String(id), text: { type: 'plain_text', text: 'x' }, action_ts: String(Date.now() / 1000) }],
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const ts = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return fetch(`${server.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature },
    body,
  });
}

const unsigned = await fetch(`${server.url}/slack/events`, { method: 'POST', body: 'payload=%7B%7D', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
if (unsigned.status !== 401) throw new Error(`an unsigned request answered ${unsigned.status}, not 401`);

const latencies = [];
let next = 0;
let non200 = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < REQUESTS) {
      const k = next++;
      const start = performance.now();
      const res = await click(k);
      await res.arrayBuffer();
      latencies.push(performance.now() - start);
      if (res.status !== 200) non200++;
    }
  }),
);
latencies.sort((a, b) => a - b);
console.log(`signed Slack interaction → HTTP 200, ${REQUESTS} clicks (${ACTIONS.join(', ')}) over ${INCIDENTS} incidents, ${CONCURRENCY} at a time, ${server.database}`);
console.log(`  p50 ${quantile(latencies, 0.5).toFixed(1)} ms  p95 ${quantile(latencies, 0.95).toFixed(1)} ms  p99 ${quantile(latencies, 0.99).toFixed(1)} ms  max ${latencies.at(-1).toFixed(1)} ms  (non-200: ${non200})`);

await server.stop();
await slack.close();
if (non200 > 0) process.exitCode = 1;
