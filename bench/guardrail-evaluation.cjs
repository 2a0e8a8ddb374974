// Guardrail evaluation of 1,000 running experiments with 10 metrics each (6 guardrails, 4 success
// metrics; a control and one treatment), one process, on the embedded database or on
// PostgreSQL: milliseconds per scheduled pass (read every experiment and its latest snapshot,
// SRM, the confidence-sequence harm test and the ship decision per metric, store the results
// in one statement, publish the breaches), and the pure statistics alone.
// Not a test. Build first: npm run build -w server
//   node bench/guardrail-evaluation.cjs [--experiments 1000] [--passes 10]
//   DATABASE_URL=postgresql://… node bench/guardrail-evaluation.cjs      (a fresh database)
// 10% of the experiments have harmed treatments, so a pass also builds breach signals.
require('reflect-metadata');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { DataSource } = require('typeorm');

const ROOT = path.join(__dirname, '..');
const load = (p) => require(path.join(ROOT, 'server/dist/server/src', p));
const { dataSourceOptions } = load('database/data-source-options.js');
const { startEmbeddedPostgres } = load('database/embedded-postgres.js');
const { LeaseService } = load('common/lease.service.js');
const { ManualClock } = load('common/clock.js');
const { createLogger } = load('common/logger.js');
const { AuditService } = load('audit/audit.service.js');
const { ExperimentsService, definitionOf } = load('guardrails/experiments.service.js');
const { GuardrailEvaluator } = load('guardrails/guardrail-evaluator.service.js');
const { evaluateExperiment } = load('guardrails/experiment-evaluation.js');
const { experimentSchema, toExperimentDefinition } = load('rules/experiment-definition.js');
const { advanceSnapshot } = load('sources/simulator/experiment-model.js');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const EXPERIMENTS = arg('experiments', 1000);
const PASSES = arg('passes', 10);
const MINUTE = 60_000;

const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)];
async function timed(fn) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}
const line = (label, runs) =>
  console.log(`${label}: median ${quantile(runs.map((r) => r.ms), 0.5).toFixed(1)} ms, p95 ${quantile(runs.map((r) => r.ms), 0.95).toFixed(1)} ms (CPU of this process: median ${quantile(runs.map((r) => r.cpuMs), 0.5).toFixed(1)} ms; ${runs.length} passes)`);

function spec(i) {
  const metric = (name, kind, direction, margin) => ({ name, kind, direction, ...(margin ? { margin } : {}) });
  return experimentSchema.parse({
    name: `exp-${String(i).padStart(4, '0')}`,
    service: `svc-${i % 50}`,
    start: '2026-11-20T00:00:00Z',
    variants: [
      { name: 'control', control: true, share: 0.5 },
      { name: 'treatment', share: 0.5 },
    ],
    guardrails: [
      metric('skip_rate', 'proportion', 'lower_is_better', 0.02),
      metric('crash_rate', 'proportion', 'lower_is_better', 0.05),
      metric('error_rate', 'proportion', 'lower_is_better', 0.05),
      metric('listening_minutes', 'mean', 'higher_is_better', 0.01),
      metric('latency_ms', 'mean', 'lower_is_better', 0.02),
      metric('session_length', 'mean', 'higher_is_better', 0.01),
    ],
    success: [
      metric('stream_starts', 'proportion', 'higher_is_better'),
      metric('saves', 'proportion', 'higher_is_better'),
      metric('shares', 'proportion', 'higher_is_better'),
      metric('minutes_per_day', 'mean', 'higher_is_better'),
    ],
  });
}

async function openDatabase() {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-guardrails-'));
    const pg = await startEmbeddedPostgres(dir);
    return { kind: 'pglite', url: pg.url, embedded: true, close: async () => (await pg.stop(), fs.rmSync(dir, { recursive: true, force: true })) };
  }
  const name = `headroom_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: url.toString(),
    embedded: false,
    close: async () => {
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

(async () => {
  const db = await openDatabase();
  const ds = new DataSource(dataSourceOptions(db.url, db.embedded));
  await ds.initialize();
  try {
    await ds.runMigrations();
    console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; database ${db.kind}`);
    const clock = new ManualClock(new Date('2026-12-02T12:00:00Z'));
    const logger = createLogger('silent');
    const experiments = new ExperimentsService(ds, new AuditService(ds), clock, logger);
    // The next stage only counts breach signals.
    let breachSignals = 0;
    const signals = {
      handleSignals: async (batch) => {
        breachSignals += batch.filter((s) => s.status === 'firing').length;
        return new Map();
      },
    };
    const evaluator = new GuardrailEvaluator(ds, experiments, { experiments: () => [], onReload: () => undefined }, signals, new LeaseService(ds), { addInterval() {}, doesExist: () => false }, clock, { evaluationIntervalSeconds: 30 }, logger);

    // Seed: the experiments, and a snapshot each of 6 hours of traffic (harm in every tenth).
    const seedStart = performance.now();
    const snapshots = [];
    for (let i = 0; i < EXPERIMENTS; i++) {
      const s = spec(i);
      await experiments.create(s, { type: 'system', id: null, name: 'bench' });
      const def = toExperimentDefinition(s, null);
      const fromMs = Date.parse('2026-12-02T06:00:00Z');
      const variants = advanceSnapshot({ def, previous: null, fromMs, toMs: fromMs + 360 * MINUTE, harmAt: () => (i % 10 === 0 ? 0.2 : 0), seed: i });
      snapshots.push({ id: s.name, at: new Date(fromMs + 360 * MINUTE).toISOString(), variants });
    }
    await ds.query(
      `INSERT INTO experiment_observations (experiment_id, at, variants) SELECT x.id, x.at, x.variants FROM jsonb_to_recordset($1::jsonb) AS x(id text, at timestamptz, variants jsonb)`,
      [JSON.stringify(snapshots)],
    );
    console.log(`seeded ${EXPERIMENTS} experiments × 10 metrics with a snapshot each in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    const ids = await experiments.runningIds();
    const passes = [];
    for (let p = 0; p < PASSES; p++) passes.push(await timed(() => evaluator.evaluate(ids)));
    line(`scheduled pass over ${ids.length} running experiments (read, evaluate, store, signal)`, passes);
    console.log(`  breach signals per pass: ${breachSignals / PASSES}`);

    // The statistics alone, on the same snapshots.
    const rows = await ds.query(`SELECT * FROM experiments`);
    const defs = rows.map((r) => definitionOf({ spec: r.spec, file: r.file, status: r.status }));
    const latest = await experiments.latestSnapshots(ids);
    const pure = [];
    for (let p = 0; p < PASSES; p++) pure.push(await timed(async () => defs.forEach((d) => evaluateExperiment(d, latest.get(d.id)))));
    line('  of which the statistics alone (evaluateExperiment for each)', pure);
    console.log(`RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB`);
  } finally {
    await ds.destroy();
    await db.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
