#!/usr/bin/env node
// Prometheus load: Headroom's pull against Sloth's recording rules, for the same SLOs on the same
// Prometheus (Debian's /usr/bin/prometheus) with the same series. Not a test. Build first:
//
//   npm run bench:prometheus-pull
//   node bench/prometheus-pull.mjs [--slos 100,1000] [--rounds 1] [--pull-minutes 10]
//        [--measure 60] [--idle 20] [--scrape-interval 60] [--rule-interval 60] [--eval-every S]
//        [--period-days 30] [--keep-tmp]
//
// What is compared, per SLO (an events SLI, `sum(rate(errors))` over `sum(rate(total))` of one
// service's `http_requests_total{code="200"|"500"}`, `service="svc-<i>"`):
//  - pull: what Headroom's puller sends in steady state, each minute: per distinct query one
//    `query_range` (step 1m, over the re-read tail and the new minute, `{{window}}` = the default
//    rateWindow 2m) — 2 per events SLI. The queries are built by the server's own pull-plan
//    (pulledSeriesOf, nextRange, rangeQuery, from server/dist) and sent by its FetchPrometheusClient,
//    at most HEADROOM_PROMETHEUS_CONCURRENCY (default 4) at a time, like the puller. The SLOs are
//    real alerts YAML loaded by the server's rules loader.
//  - rules: what Sloth generates for the same SLI (slok/sloth examples/_gen): one group per SLO,
//    `slo:sli_error:ratio_rate<W>` = sum(rate(errors[W])) / sum(rate(total[W])) for W in 5m, 30m,
//    1h, 2h, 6h, 1d, 3d, and the period ratio `slo:sli_error:ratio_rate30d` =
//    sum_over_time(ratio_rate5m[30d]) / ignoring (sloth_window) count_over_time(ratio_rate5m[30d]).
//    Sloth's alert and metadata rules are left out (they read recorded series and cost little),
//    which favours the rules.
//
// Data: the exporter serves 2 counters for each of max(--slos) services (values are a function of
// time). Before the runs, its history is written with `promtool tsdb create-blocks-from
// openmetrics`: the counters for the last 3 days (and an hour), scraped every --scrape-interval,
// and the recorded `slo:sli_error:ratio_rate5m` of every SLO for the last --period-days (and an
// hour) at --rule-interval, as a Prometheus that had run those rules for a month would hold it —
// the 30d rule reads it. The blocks are 54 h long, what Prometheus' own compaction leaves with the
// runs' retention (60d), so no run spends CPU compacting. Every run starts on a hard-linked copy of
// that folder, with a live scrape of the exporter (instance relabelled to one fixed value so the
// live and the written samples are one series). Defaults are Prometheus' own (scrape and rule
// evaluation every 1m; Sloth sets no interval on its groups, so they run at the global
// evaluation_interval). Denser scrapes add samples to every rate rule but barely change the
// pull (a few points a query), so the defaults favour the rules.
//
// Method: each mode runs in its own fresh Prometheus (same data, same series), alternating the
// order per round. After start and 5 s to settle, the process' CPU is measured for --idle
// seconds with nothing but the scrape (the idle baseline, subtracted from the mode's CPU).
//  - pull: passes run back to back on a simulated clock: first a warm-up minute, then
//    --pull-minutes simulated minutes, each pass at minute + 20 s (when the puller, looking every
//    15 s, first sees the minute complete), at times inside the written history (the last
//    minutes before its end), so every query reads a full ~7 minutes of samples. Figures are per
//    simulated minute: seconds of Prometheus time (engine, HTTP) / (N × minutes), CPU above idle
//    / minutes.
//  - rules: the rule file is loaded with a reload, evaluated every --rule-interval seconds, and
//    measured for --measure seconds after every group has run once. Figures are per round (group
//    evaluations / N, from the `prometheus_rule_group_duration_seconds` summary's count) times
//    the rounds a minute: rule-group seconds (that summary's sum), engine seconds and CPU above
//    idle. --eval-every runs the rounds more often than the modelled interval (each round reads
//    the same windows over the same samples) to see more of them in a short run; its CPU per
//    round holds, but once rounds overlap the durations count waiting for the CPU.
// The written history ends when the bench starts: in a later run the rules' 5m and 30m windows
// partly fall in the minutes before its live scrape (fewer samples, which favours the rules).
// The pull reads inside the history, so it never sees that gap.
// Query time is `prometheus_engine_query_duration_seconds` (sum of every slice; it also times
// rule evaluations) and, for the pull, `prometheus_http_request_duration_seconds{handler=
// "/api/v1/query_range"}`; CPU is `process_cpu_seconds_total`. On a shared machine the
// durations include waiting for a core; CPU seconds do not.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { freePort, ROOT } from './support.mjs';

const require = createRequire(import.meta.url);
const run = promisify(execFile);
const dist = path.join(ROOT, 'server/dist/server/src');
if (!fs.existsSync(path.join(dist, 'slo/prometheus/pull-plan.js'))) {
  console.error('build the server first: npm run build -w server');
  process.exit(1);
}
const { pulledSeriesOf, nextRange, rangeQuery, rateWindowOf, counterIncreases, MINUTE_MS } = require(path.join(dist, 'slo/prometheus/pull-plan.js'));
const { FetchPrometheusClient } = require(path.join(dist, 'slo/prometheus/prometheus-client.js'));
const { createLimiter } = require(path.join(dist, 'slo/prometheus/concurrency.js'));
const { renderWindowQuery } = require(path.join(dist, 'slo/prometheus/promql.js'));
const { loadRules } = require(path.join(dist, 'rules/rules-loader.js'));
const { loadConfig } = require(path.join(dist, 'config/config.js'));

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const opt = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SLO_COUNTS = opt('slos', '100,1000').split(',').map(Number);
const ROUNDS = Number(opt('rounds', 1));
const PULL_MINUTES = Number(opt('pull-minutes', 10));
const MEASURE_S = Number(opt('measure', 60));
const RULE_INTERVAL_S = Number(opt('rule-interval', 60));
const EVAL_EVERY_S = Number(opt('eval-every', RULE_INTERVAL_S));
const IDLE_S = Number(opt('idle', 20));
const SCRAPE_S = Number(opt('scrape-interval', 60));
const PERIOD_DAYS = Number(opt('period-days', 30));
const KEEP_TMP = process.argv.includes('--keep-tmp');
const MAX_N = Math.max(...SLO_COUNTS);
const RAW_DAYS = 3; // Sloth's longest rate window
const HOUR = 3600;
const BLOCK = 54 * HOUR; // see writeHistory
const SLOTH_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const RETENTION = '60d';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-prom-'));
const children = new Set();
const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The exporter: 2 counters per service, integer values growing at a service's own rate.

const EPOCH = Math.floor(Date.now() / 1000) - 40 * 86_400;
const okRate = (i) => 40 + ((i * 7919) % 600) / 10; // 40–100 requests a second
const errRate = (i) => okRate(i) * (0.0005 + (i % 10) * 0.0002);
const counter = (rate, t) => Math.floor(rate * (t - EPOCH));
const serviceLabels = (i) => `service="svc-${i}"`;

function startExporter() {
  const server = http.createServer((req, res) => {
    if (req.url !== '/metrics') return res.writeHead(404).end();
    const t = Date.now() / 1000;
    const lines = ['# TYPE http_requests_total counter'];
    for (let i = 0; i < MAX_N; i++) {
      lines.push(`http_requests_total{${serviceLabels(i)},code="200"} ${counter(okRate(i), t)}`);
      lines.push(`http_requests_total{${serviceLabels(i)},code="500"} ${counter(errRate(i), t)}`);
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(lines.join('\n') + '\n');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, target: `127.0.0.1:${server.address().port}` })));
}

// ---------------------------------------------------------------------------------------------
// History: one OpenMetrics file per block, each made into one block by promtool.

// A recorded 5m error ratio that moves like one (values from a table: formatting floats per
// sample would cost more than promtool).
const RATIOS = Array.from({ length: 1009 }, (_, k) => String(Number((0.0008 + 0.0004 * (((k * 7793) % 1009) / 1009)).toPrecision(6))));

/** Writes the samples in [from, to) into `file`, series by series; returns how many. */
function writeBlockFile(file, from, to, rawFrom, recordedFrom) {
  const fd = fs.openSync(file, 'w');
  let samples = 0;
  const stamps = (start, step) => {
    const out = [];
    for (let t = Math.ceil(Math.max(from, start) / step) * step; t < to; t += step) out.push(t);
    return out;
  };
  const raw = stamps(rawFrom, SCRAPE_S);
  if (raw.length > 0) {
    fs.writeSync(fd, '# TYPE http_requests counter\n');
    for (let i = 0; i < MAX_N; i++) {
      for (const [code, rate] of [['200', okRate(i)], ['500', errRate(i)]]) {
        const head = `http_requests_total{code="${code}",instance="exporter",job="bench",${serviceLabels(i)}} `;
        fs.writeSync(fd, raw.map((t) => `${head}${counter(rate, t)} ${t}\n`).join(''));
        samples += raw.length;
      }
    }
  }
  const rec = stamps(recordedFrom, RULE_INTERVAL_S);
  if (rec.length > 0) {
    fs.writeSync(fd, '# TYPE slo:sli_error:ratio_rate5m gauge\n');
    for (let i = 0; i < MAX_N; i++) {
      const head = `slo:sli_error:ratio_rate5m{${slothLabels(i, '5m')}} `;
      fs.writeSync(fd, rec.map((t) => `${head}${RATIOS[(t / RULE_INTERVAL_S + i * 31) % 1009]} ${t}\n`).join(''));
      samples += rec.length;
    }
  }
  fs.writeSync(fd, '# EOF\n');
  fs.closeSync(fd);
  return samples;
}

/**
 * The written history, in blocks of 54 h: what Prometheus' compaction leaves with retention 60d
 * (its largest block range under a tenth of the retention), so it finds nothing to compact.
 * (promtool's hidden --max-block-duration; with 2-hour blocks, 2.42 parses the whole input once
 * per block, and Prometheus would spend the runs compacting them.)
 */
async function writeHistory(templateDir, end) {
  const rawFrom = end - RAW_DAYS * 86_400 - HOUR;
  const recordedFrom = end - PERIOD_DAYS * 86_400 - HOUR;
  const slots = [];
  for (let b = Math.floor(recordedFrom / BLOCK) * BLOCK; b <= end; b += BLOCK) slots.push(b);
  const parallel = Math.max(1, Math.min(2, os.availableParallelism()));
  const running = new Set();
  let samples = 0;
  for (const b of slots) {
    while (running.size >= parallel) await Promise.race(running);
    const file = path.join(tmp, `history-${b}.om`);
    samples += writeBlockFile(file, b, Math.min(b + BLOCK, end + 1), rawFrom, recordedFrom);
    const p = runChild(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', `--max-block-duration=${BLOCK}s`, file, templateDir], { GOGC: '400' }).then(() => {
      fs.rmSync(file);
      running.delete(p);
    });
    running.add(p);
  }
  await Promise.all(running);
  return { samples, blocks: slots.length };
}

/** Runs a command to its end, killed with the bench if it is interrupted. */
function runChild(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(child);
    let err = '';
    child.stderr.on('data', (c) => (err = (err + c).slice(-4000)));
    child.once('exit', (code) => {
      children.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${err}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Prometheus processes and their own metrics.

async function startPrometheus(dir, dataDir, { target, evalEvery }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  fs.writeFileSync(path.join(dir, 'rules.yml'), 'groups: []\n');
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global:',
      `  scrape_interval: ${SCRAPE_S}s`,
      `  evaluation_interval: ${evalEvery}s`,
      'rule_files:',
      `  - ${path.join(dir, 'rules.yml')}`,
      ...(target
        ? [
            'scrape_configs:',
            '  - job_name: bench',
            '    static_configs:',
            `      - targets: ["${target}"]`,
            '    relabel_configs:',
            '      - target_label: instance',
            '        replacement: exporter',
          ]
        : []),
      '',
    ].join('\n'),
  );
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${dataDir}`,
      `--storage.tsdb.retention.time=${RETENTION}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let output = '';
  const keep = (c) => (output = (output + c).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/-/ready`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`prometheus not ready after 120 s:\n${output}`);
    await sleep(200);
  }
  return {
    url,
    dir,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        // Its data is thrown away: no need to wait for rule groups in flight.
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      children.delete(child);
    },
  };
}

/** Prometheus' own /metrics as [name, labels, value] rows. */
async function scrapeSelf(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const rows = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    rows.push([m[1], labels, Number(m[3])]);
  }
  return rows;
}

const total = (rows, name, where = () => true) => rows.filter(([n, l]) => n === name && where(l)).reduce((s, [, , v]) => s + v, 0);

/** The figures both modes are read from, at one moment. */
async function snapshot(url) {
  const rows = await scrapeSelf(url);
  return {
    at: performance.now(),
    cpu: total(rows, 'process_cpu_seconds_total'),
    engineSeconds: total(rows, 'prometheus_engine_query_duration_seconds_sum'),
    engineQueries: total(rows, 'prometheus_engine_query_duration_seconds_count', (l) => l.slice === 'inner_eval'),
    httpSeconds: total(rows, 'prometheus_http_request_duration_seconds_sum', (l) => l.handler === '/api/v1/query_range'),
    httpRequests: total(rows, 'prometheus_http_request_duration_seconds_count', (l) => l.handler === '/api/v1/query_range'),
    ruleSeconds: total(rows, 'prometheus_rule_group_duration_seconds_sum'),
    // Group evaluations done (prometheus_rule_group_iterations_total also counts missed ones).
    ruleEvaluations: total(rows, 'prometheus_rule_group_duration_seconds_count'),
    ruleMissed: total(rows, 'prometheus_rule_group_iterations_missed_total'),
    ruleFailures: total(rows, 'prometheus_rule_evaluation_failures_total'),
    groupsEvaluated: rows.filter(([n, , v]) => n === 'prometheus_rule_group_last_evaluation_timestamp_seconds' && v > 0).length,
    lastRoundSeconds: total(rows, 'prometheus_rule_group_last_duration_seconds'),
    compactions: total(rows, 'prometheus_tsdb_compactions_total'),
    blocks: total(rows, 'prometheus_tsdb_blocks_loaded'),
  };
}

const delta = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, b[k] - a[k]]));

async function instant(url, promql) {
  const body = await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(120_000) })).json();
  if (body.status !== 'success') throw new Error(`${promql}: ${JSON.stringify(body)}`);
  return body.data.result.map((r) => Number(r.value[1]));
}

// ---------------------------------------------------------------------------------------------
// The SLOs, as Headroom reads them and as Sloth's rules.

const errorTemplate = (i) => `sum(rate(http_requests_total{job="bench",${serviceLabels(i)},code=~"5.."}[{{window}}]))`;
const totalTemplate = (i) => `sum(rate(http_requests_total{job="bench",${serviceLabels(i)}}[{{window}}]))`;
const slothId = (i) => `svc-${i}-availability`;
const slothLabels = (i, window) => `sloth_id="${slothId(i)}",sloth_service="svc-${i}",sloth_slo="availability",sloth_window="${window}"`;

/** Headroom alerts files for the first n services, loaded by the server's own loader. */
function headroomSlos(n) {
  const dir = path.join(tmp, `alerts-${n}`);
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    fs.writeFileSync(
      path.join(dir, `svc-${i}.yaml`),
      `service: svc-${i}
${i === 0 ? 'prometheus:\n  - name: bench\n    url: http://127.0.0.1:9090\n    timeout: 30s\n' : ''}slos:
  - name: availability
    objective: 0.999
    period: ${PERIOD_DAYS}d
    sli:
      kind: events
      source: prometheus
      prometheus:
        server: bench
        errorQuery: '${errorTemplate(i)}'
        totalQuery: '${totalTemplate(i)}'
    runbook: bench.md
`,
    );
  }
  const rules = loadRules(dir, () => true);
  const config = loadConfig({ HEADROOM_ALERTS_DIR: dir, HEADROOM_SIMULATOR: 'false' }, ROOT);
  return { slos: rules.slos, server: rules.prometheusServers[0], config };
}

/** Sloth's SLI recording rules (one group per SLO) for the same SLIs. */
function slothRules(n) {
  const indent = (text, pad) => text.split('\n').map((l) => pad + l).join('\n');
  const out = ['groups:'];
  for (let i = 0; i < n; i++) {
    out.push(`- name: sloth-slo-sli-recordings-${slothId(i)}`, '  rules:');
    for (const w of SLOTH_WINDOWS) {
      const seconds = { m: 60, h: 3600, d: 86_400 }[w.slice(-1)] * Number(w.slice(0, -1));
      const expr = `(${renderWindowQuery(errorTemplate(i), seconds)})\n/\n(${renderWindowQuery(totalTemplate(i), seconds)})`;
      out.push(`  - record: slo:sli_error:ratio_rate${w}`, '    expr: |', indent(expr, '      '), '    labels:');
      out.push(`      sloth_id: ${slothId(i)}`, `      sloth_service: svc-${i}`, '      sloth_slo: availability', `      sloth_window: ${w}`);
    }
    const sel = `{sloth_id="${slothId(i)}", sloth_service="svc-${i}", sloth_slo="availability"}`;
    out.push(
      `  - record: slo:sli_error:ratio_rate${PERIOD_DAYS}d`,
      '    expr: |',
      `      sum_over_time(slo:sli_error:ratio_rate5m${sel}[${PERIOD_DAYS}d])`,
      '      / ignoring (sloth_window)',
      `      count_over_time(slo:sli_error:ratio_rate5m${sel}[${PERIOD_DAYS}d])`,
      '    labels:',
      `      sloth_window: ${PERIOD_DAYS}d`,
    );
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// One measured run of a mode.

async function freshPrometheus(templateDir, target, name) {
  const dir = fs.mkdtempSync(path.join(tmp, `${name}-`));
  const dataDir = path.join(dir, 'data');
  await run('cp', ['-al', templateDir, dataDir]);
  const prom = await startPrometheus(dir, dataDir, { target, evalEvery: EVAL_EVERY_S });
  await sleep(5000);
  const a = await snapshot(prom.url);
  await sleep(IDLE_S * 1000);
  const b = await snapshot(prom.url);
  const idle = (b.cpu - a.cpu) / ((b.at - a.at) / 1000);
  return {
    prom,
    idle,
    async remove() {
      await prom.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function runPull(n, templateDir, target, historyEnd) {
  const { slos, server, config } = headroomSlos(n);
  const { prom, idle, remove } = await freshPrometheus(templateDir, target, `pull-${n}`);
  try {
    const client = new FetchPrometheusClient({ ...server, url: prom.url });
    const pulled = pulledSeriesOf(slos);
    const settings = { rateWindowSeconds: rateWindowOf(server), minuteRetentionSeconds: config.retention.minuteSeconds };
    // Simulated minutes ending at the last whole minute of the written history.
    const lastMinute = Math.floor((historyEnd * 1000) / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    const firstMinute = lastMinute - PULL_MINUTES * MINUTE_MS;
    // Caught up a minute before the warm-up pass: the steady state.
    const cursors = new Map(pulled.map((p) => [p.series, { backfillFrom: firstMinute - 86_400_000, minuteFrom: firstMinute - 86_400_000, pulledUntil: firstMinute - MINUTE_MS, tail: {}, caughtUpAt: firstMinute - MINUTE_MS }]));
    let empty = 0;
    const pass = async (minute) => {
      const now = minute + MINUTE_MS + 20_000;
      const limit = createLimiter(config.prometheus.concurrencyPerServer);
      let queries = 0;
      await Promise.all(
        pulled.map((p) =>
          limit(async () => {
            const cursor = cursors.get(p.series);
            const range = nextRange(cursor, now, settings);
            if (!range) return;
            const result = await client.queryRange(rangeQuery(p, range.stepSeconds, settings), { start: new Date(range.start), end: new Date(range.end), stepSeconds: range.stepSeconds });
            queries++;
            if (counterIncreases(result, range.stepSeconds).size === 0) empty++;
            cursor.pulledUntil = range.until;
          }),
        ),
      );
      return queries;
    };
    await pass(firstMinute - MINUTE_MS); // warm-up, not measured
    const before = await snapshot(prom.url);
    let queries = 0;
    for (let m = 0; m < PULL_MINUTES; m++) queries += await pass(firstMinute + m * MINUTE_MS);
    const after = await snapshot(prom.url);
    const d = delta(before, after);
    if (empty > 0) throw new Error(`${empty} pulled queries answered no series: the history does not cover the simulated minutes`);
    const wall = d.at / 1000;
    return {
      n,
      mode: 'pull',
      idle,
      wall,
      minutes: PULL_MINUTES,
      queriesPerMinute: queries / PULL_MINUTES,
      engine: d.engineSeconds / (n * PULL_MINUTES),
      own: d.httpSeconds / (n * PULL_MINUTES),
      ownLabel: 'HTTP query_range',
      cpuNet: (d.cpu - idle * wall) / PULL_MINUTES,
      compactions: d.compactions,
      check: `${d.httpRequests} query_range requests for ${queries} sent, ${d.engineQueries} engine queries`,
    };
  } finally {
    await remove();
  }
}

async function runRules(n, templateDir, target) {
  const { prom, idle, remove } = await freshPrometheus(templateDir, target, `rules-${n}`);
  try {
    fs.writeFileSync(path.join(prom.dir, 'rules.yml'), slothRules(n));
    const reload = await fetch(`${prom.url}/-/reload`, { method: 'POST' });
    if (reload.status !== 200) throw new Error(`reload failed: ${reload.status} ${await reload.text()}\n${prom.output()}`);
    // Every group evaluated once (groups start at their own offset within the interval).
    const deadline = Date.now() + 10 * EVAL_EVERY_S * 1000 + 60_000;
    while ((await snapshot(prom.url)).groupsEvaluated < n) {
      if (Date.now() > deadline) throw new Error(`not every rule group ran:\n${prom.output()}`);
      await sleep(1000);
    }
    const before = await snapshot(prom.url);
    await sleep(MEASURE_S * 1000);
    const after = await snapshot(prom.url);
    const d = delta(before, after);
    // The rules answer: every SLO has its 3d and period ratios, near the written 5m ratios.
    const [count3d] = await instant(prom.url, 'count(slo:sli_error:ratio_rate3d)');
    const [periodAvg] = await instant(prom.url, `avg(slo:sli_error:ratio_rate${PERIOD_DAYS}d)`);
    const [periodCount] = await instant(prom.url, `count(slo:sli_error:ratio_rate${PERIOD_DAYS}d)`);
    if (count3d !== n || periodCount !== n || !(periodAvg > 0.0005 && periodAvg < 0.003)) {
      throw new Error(`the rules did not answer for every SLO: 3d ${count3d}, ${PERIOD_DAYS}d ${periodCount} (avg ${periodAvg})`);
    }
    if (d.ruleFailures > 0) throw new Error(`${d.ruleFailures} rule evaluations failed:\n${prom.output()}`);
    // Which rules the time goes to: each rule's last evaluation time, added up over the SLOs.
    const byRule = new Map();
    const groups = (await (await fetch(`${prom.url}/api/v1/rules?type=record`, { signal: AbortSignal.timeout(120_000) })).json()).data.groups;
    for (const g of groups) for (const r of g.rules) byRule.set(r.name, (byRule.get(r.name) ?? 0) + r.evaluationTime);
    const allRules = [...byRule.values()].reduce((a, b) => a + b, 0);
    const shares = [...byRule].map(([name, t]) => `${name.replace('slo:sli_error:ratio_rate', '')} ${((100 * t) / allRules).toFixed(0)}%`).join(', ');
    const rounds = d.ruleEvaluations / n;
    const perMinute = 60 / RULE_INTERVAL_S;
    const wall = d.at / 1000;
    return {
      n,
      mode: 'rules',
      idle,
      wall,
      rounds,
      queriesPerMinute: (d.engineQueries / rounds) * perMinute,
      engine: (d.engineSeconds / rounds / n) * perMinute,
      own: (d.ruleSeconds / rounds / n) * perMinute,
      ownLabel: 'rule groups',
      cpuNet: ((d.cpu - idle * wall) / rounds) * perMinute,
      compactions: d.compactions,
      check: `${rounds.toFixed(1)} rounds in ${wall.toFixed(0)} s (${d.ruleMissed} missed), last round ${(after.lastRoundSeconds * 1000).toFixed(0)} ms of rule groups (by window: ${shares}); ${PERIOD_DAYS}d ratio avg ${periodAvg.toPrecision(3)}`,
    };
  } finally {
    await remove();
  }
}

// ---------------------------------------------------------------------------------------------

const fmt = (v, digits = 3) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toPrecision(3) : v.toPrecision(digits));
const ms = (seconds) => `${fmt(seconds * 1000)} ms`;

async function main() {
  const started = Date.now();
  log(`Prometheus load bench: SLOs ${SLO_COUNTS.join(', ')}, ${ROUNDS} round(s); scrape every ${SCRAPE_S}s, Sloth rules every ${RULE_INTERVAL_S}s${EVAL_EVERY_S === RULE_INTERVAL_S ? '' : ` (run every ${EVAL_EVERY_S}s)`}, period ${PERIOD_DAYS}d; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const version = await run(PROMETHEUS, ['--version']);
  log((version.stdout || version.stderr).split('\n')[0]);
  const exporter = await startExporter();
  const templateDir = path.join(tmp, 'template');
  const historyEnd = Math.floor(Date.now() / 1000 / SCRAPE_S) * SCRAPE_S - SCRAPE_S;
  const written = await writeHistory(templateDir, historyEnd);
  log(`history written: ${(written.samples / 1e6).toFixed(1)} M samples in ${written.blocks} blocks (${((Date.now() - started) / 1000).toFixed(0)} s)`);

  const results = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const n of SLO_COUNTS) {
      const modes = round % 2 === 0 ? ['pull', 'rules'] : ['rules', 'pull'];
      for (const mode of modes) {
        const r = mode === 'pull' ? await runPull(n, templateDir, exporter.target, historyEnd) : await runRules(n, templateDir, exporter.target);
        results.push(r);
        log(
          `${n} SLOs ${mode}: engine ${ms(r.engine)}/SLO/min, ${r.ownLabel} ${ms(r.own)}/SLO/min, CPU ${fmt(r.cpuNet)} s/min above idle (${fmt(r.idle * 60)} s/min idle), ${fmt(r.queriesPerMinute)} queries/min; ${r.check}${r.compactions ? `; ${r.compactions} compactions during the measurement` : ''}`,
        );
      }
    }
  }
  await new Promise((r) => exporter.server.close(r));

  console.log('');
  console.log(`Prometheus time and CPU per minute of steady state (${ROUNDS} round(s); ranges over rounds), load at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('');
  console.log('| SLOs | mode | engine query s per SLO per min | HTTP query_range / rule-group s per SLO per min | Prometheus CPU s per min (above idle) | CPU s per min incl. idle | queries per min |');
  console.log('|---|---|---|---|---|---|---|');
  const range = (xs, f) => {
    const lo = f(Math.min(...xs));
    const hi = f(Math.max(...xs));
    return lo === hi ? lo : `${lo}–${hi}`;
  };
  for (const n of SLO_COUNTS) {
    for (const mode of ['pull', 'rules']) {
      const rs = results.filter((r) => r.n === n && r.mode === mode);
      const sec = (v) => fmt(v, 2);
      console.log(
        `| ${n.toLocaleString('en')} | ${mode === 'pull' ? 'Headroom pull' : `Sloth rules @${RULE_INTERVAL_S}s`} | ${range(rs.map((r) => r.engine), sec)} | ${range(rs.map((r) => r.own), sec)} | ${range(rs.map((r) => r.cpuNet), sec)} | ${range(rs.map((r) => r.cpuNet + r.idle * 60), sec)} | ${range(rs.map((r) => r.queriesPerMinute), (v) => v.toFixed(0))} |`,
      );
    }
    const pull = results.filter((r) => r.n === n && r.mode === 'pull');
    const rules = results.filter((r) => r.n === n && r.mode === 'rules');
    const avg = (rs, k) => rs.reduce((s, r) => s + r[k], 0) / rs.length;
    console.log(`|  | rules ÷ pull | ${fmt(avg(rules, 'engine') / avg(pull, 'engine'), 2)}× | | ${fmt(avg(rules, 'cpuNet') / avg(pull, 'cpuNet'), 2)}× | | |`);
  }
  console.log('');
  console.log(`total ${((Date.now() - started) / 60_000).toFixed(1)} min`);
}

async function cleanup() {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  if (!KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log(`kept ${tmp}`);
}

process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
main()
  .then(cleanup)
  .catch(async (err) => {
    console.error(err);
    await cleanup();
    process.exit(1);
  });
