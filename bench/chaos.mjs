#!/usr/bin/env node
// Chaos benchmark: case 1 of the chaos suite (test/chaos/page-once.test.ts) run long — two
// Headroom processes on a PostgreSQL of its own, a Slack that fails 30% of calls (429, 500,
// reset) and loses the answer to 10% of the posts it made, 20 channels — with 100 SIGKILL and
// restart cycles at random moments, of either process. The scenario is the test's own (one
// copy of the code that can fail), run through jest with larger numbers; this prints the
// figures it writes: incidents, lost, duplicated, page delay p50/p99 (from the 2xx answer to the
// post arriving at Slack). Needs root or a PostgreSQL server package (see the test).
//
//   node bench/chaos.mjs [--cycles 100] [--events 1000] [--rate 1] [--seed N]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { arg, ROOT } from './support.mjs';

const cycles = arg('cycles', 100);
const events = arg('events', 1000);
const rate = arg('rate', 1);
const seed = arg('seed', Date.now() % 100_000);
const report = path.join(ROOT, 'test-artifacts', 'chaos-page-once.json');
fs.rmSync(report, { force: true });

const t0 = Date.now();
const run = spawnSync('npx', ['jest', '--selectProjects', 'chaos', '--runTestsByPath', 'test/chaos/page-once.test.ts'], {
  cwd: ROOT,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    HEADROOM_CHAOS_CYCLES: String(cycles),
    HEADROOM_CHAOS_EVENTS: String(events),
    HEADROOM_CHAOS_RATE: String(rate),
    HEADROOM_CHAOS_SEED: String(seed),
  },
});
if (!fs.existsSync(report)) {
  console.error(`the chaos run wrote no report (jest exit ${run.status})`);
  process.exit(1);
}
const r = JSON.parse(fs.readFileSync(report, 'utf8'));
console.log(`\nnode ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; ${Math.round((Date.now() - t0) / 1000)} s`);
console.log(`chaos, seed ${r.seed}: ${r.kills} SIGKILL/restart cycles, ${r.events} events (${r.accepted} accepted) over ${r.channels} channels, ${r.slackCalls} Slack calls`);
console.log(`  incidents ${r.incidents}, pages ${r.pages}, lost ${r.lost}, duplicated ${r.duplicated}, thread replies twice ${r.threadRepliesTwice}, given up ${r.outboxFailed}`);
console.log(`  page delay p50 ${r.pageDelayMs.p50} ms, p99 ${r.pageDelayMs.p99} ms, max ${r.pageDelayMs.max} ms; closest two posts in a channel ${r.closestPostsMs} ms`);
console.log(`  outbox: ${r.outbox.messages} messages, attempts p99 ${r.outbox.p99_attempts}, max ${r.outbox.max_attempts}; slowest message ${r.outbox.slowest_ms} ms`);
process.exit(run.status ?? 1);
