// Evaluation of 10,000 rollup-backed SLOs (events and latency, every window of the SRE-workbook
// pairs and the 30-day budget) in one process, on the embedded database or on PostgreSQL.
// Prints milliseconds per full pass (median and p95), the cache hydration time and RSS.
// Not a test. Build first: npm run build -w server
//   node bench/slo-evaluation.cjs [--services 2500] [--passes 20]        (PGlite)
//   DATABASE_URL=postgresql://… node bench/slo-evaluation.cjs            (PostgreSQL)
//   --profile FILE writes a CPU profile of the steady cached passes, FILE-new-rows.cpuprofile of
//   the passes after new rows (with the writes of those rows) and FILE-hydration.cpuprofile
// --keep keeps the seeded database for the next run with --keep (seeding 10,000 SLOs' history
// takes minutes): a PostgreSQL database headroom_bench_slo_<services>, or a PGlite folder in
// the system temp folder.
// Each service has a requests and an errors counter and an 8-bucket latency histogram, and
// four SLOs on them (two events SLOs, two latency thresholds: one on a bucket bound, one
// interpolated); 30 days of hour rows and 6 hours of minute rows are seeded with SQL.
require('reflect-metadata');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const { Client } = require('pg');
const { DataSource } = require('typeorm');

const ROOT = path.join(__dirname, '..');
const dist = path.join(ROOT, 'server/dist/server/src');
const load = (p) => require(path.join(dist, p));
const { dataSourceOptions } = load('database/data-source-options.js');
const { startEmbeddedPostgres } = load('database/embedded-postgres.js');
const { LeaseService } = load('common/lease.service.js');
const { loadConfig } = load('config/config.js');
const { ManualClock } = load('common/clock.js');
const { AppMetrics } = load('common/metrics.js');
const { createLogger } = load('common/logger.js');
const { RulesService } = load('rules/rules.service.js');
const { PostgresSliStore } = load('slo/postgres-sli-store.js');
const { RollupSliReader } = load('slo/rollup-sli-reader.js');
const { CachedRollupSliReader } = load('slo/cached-rollup-sli-reader.js');
const { SimulatorSeriesResolver, simulatorSeries } = load('slo/series.js');
const { SloEvaluator } = load('slo/slo-evaluator.service.js');
const { alertPairsFor } = load('slo/alert-pairs.js');
const { requiredWindows } = load('slo/burn-rate.js');
const { SchedulerRegistry } = require(require.resolve('@nestjs/schedule', { paths: [path.join(ROOT, 'server')] }));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SERVICES = arg('services', 2500);
const PASSES = arg('passes', 20);
const SQL_PASSES = arg('sql-passes', 2);
const KEEP = process.argv.includes('--keep');
// Writes a V8 CPU profile of the steady cached passes only (open it in Chrome DevTools).
const PROFILE = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1] : null;

/** Runs fn under the V8 profiler when --profile is given, writing the profile into that file. */
async function profiled(fn, file = PROFILE) {
  if (!PROFILE) return fn();
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile written to ${file}`);
  }
}
const HOURS = 30 * 24;
const MINUTES = 6 * 60;
const BOUNDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 'Infinity'];
// Per-bucket (not cumulative) requests per minute in each bucket: 1000 a minute in all.
const PER_MINUTE = [100, 300, 350, 150, 50, 30, 15, 5];

const mb = (bytes) => `${Math.round(bytes / 1048576)} MB`;
const ms = (x) => `${x.toFixed(1)} ms`;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const memory = () => {
  // With --expose-gc (as npm run bench:slo runs it), count live memory, not garbage.
  if (global.gc) global.gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
};

async function openDatabase() {
  const base = process.env.DATABASE_URL;
  if (!base) {
    const dir = KEEP ? path.join(os.tmpdir(), `headroom-bench-slo-${SERVICES}`) : fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-bench-'));
    const pg = await startEmbeddedPostgres(dir);
    return {
      kind: 'pglite',
      url: pg.url,
      embedded: true,
      close: async () => {
        await pg.stop();
        if (!KEEP) fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = KEEP ? `headroom_bench_slo_${SERVICES}` : `headroom_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount > 0;
  if (!exists) await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    url: url.toString(),
    embedded: false,
    close: async () => {
      if (KEEP) return;
      const c = new Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

const SECONDARY_INDEXES = ['counter_minute', 'histogram_minute', 'counter_hour', 'histogram_hour'].map((t) => {
  const column = t.endsWith('hour') ? 'hour' : 'minute';
  return { name: `ix_sli_${t}_${column}`, sql: `CREATE INDEX "ix_sli_${t}_${column}" ON "sli_${t}" USING brin ("${column}")` };
});

/** 30 days of hour rows and 6 hours of minute rows for every service, by INSERT … SELECT generate_series. */
async function seed(ds, nowMs) {
  const nowMinute = Math.floor(nowMs / 60_000);
  const nowHour = Math.floor(nowMinute / 60);
  // Secondary indexes are built once at the end: much faster than maintaining them row by row.
  for (const ix of SECONDARY_INDEXES) await ds.query(`DROP INDEX "${ix.name}"`);
  const name = (kind) => `'simulator/svc-' || lpad(s::text, 5, '0') || '/${kind}'`;
  const chunk = 250;
  for (let from = 0; from < SERVICES; from += chunk) {
    const to = Math.min(SERVICES, from + chunk) - 1;
    // Hours before the minutes held are seeded whole; the later ones are the sums of their
    // minutes below, as the store keeps them (the window cache adds completed hours up from
    // minutes, and is compared with the SQL path over hour rows).
    for (const [res, first, last, per] of [
      ['hour', nowHour - HOURS, Math.floor((nowMinute - MINUTES) / 60) - 1, 60],
      ['minute', nowMinute - MINUTES, nowMinute, 1],
    ]) {
      const unit = res === 'hour' ? 3600 : 60;
      const range = `generate_series(${from}, ${to}) s, generate_series(${first}, ${last}) t`;
      await ds.query(
        `INSERT INTO sli_counter_${res} (series, ${res}, value)
         SELECT ${name('requests')}, to_timestamp(t::float8 * ${unit}), ${per} * 1000 FROM ${range}
         UNION ALL
         SELECT ${name('errors')}, to_timestamp(t::float8 * ${unit}), ${per} * ((s + t) % 3) FROM ${range}`,
      );
      await ds.query(
        `INSERT INTO sli_histogram_${res} (series, ${res}, le, count)
         SELECT ${name('latency_seconds')}, to_timestamp(t::float8 * ${unit}), b.le, ${per} * b.c
         FROM ${range}, unnest($1::float8[], $2::float8[]) AS b(le, c)`,
        [BOUNDS, PER_MINUTE],
      );
    }
    process.stderr.write(`\rseeding ${to + 1}/${SERVICES} services`);
  }
  process.stderr.write('\n');
  await ds.query(`INSERT INTO sli_counter_hour (series, hour, value) SELECT series, to_timestamp(floor(date_part('epoch', minute) / 3600) * 3600), sum(value) FROM sli_counter_minute GROUP BY 1, 2`);
  await ds.query(`INSERT INTO sli_histogram_hour (series, hour, le, count) SELECT series, to_timestamp(floor(date_part('epoch', minute) / 3600) * 3600), le, sum(count) FROM sli_histogram_minute GROUP BY 1, 2, 3`);
  for (const ix of SECONDARY_INDEXES) await ds.query(ix.sql);
  await ds.query('ANALYZE');
}

function slos() {
  const out = [];
  const base = { objective: 0.999, periodSeconds: 30 * 86400, alerting: { page: true, ticket: true, windows: null, minEvents: 0 }, severity: 'critical', runbookId: 'r.md', labels: {}, file: 'bench' };
  for (let i = 0; i < SERVICES; i++) {
    const service = `svc-${String(i).padStart(5, '0')}`;
    out.push(
      { ...base, id: `${service}.availability`, service, name: 'availability', sli: { kind: 'events', source: 'simulator' } },
      { ...base, id: `${service}.availability-99`, service, name: 'availability-99', objective: 0.99, sli: { kind: 'events', source: 'simulator' } },
      { ...base, id: `${service}.latency-100ms`, service, name: 'latency-100ms', objective: 0.8, sli: { kind: 'latency', source: 'simulator', thresholdSeconds: 0.1 } },
      { ...base, id: `${service}.latency-300ms`, service, name: 'latency-300ms', objective: 0.95, sli: { kind: 'latency', source: 'simulator', thresholdSeconds: 0.3 } },
    );
  }
  return out;
}

/** One minute of traffic for every series, the way ingest writes it (minute and hour rows). */
function minuteBatch(atMs) {
  const at = new Date(atMs);
  const batch = { source: 'bench', counters: [], histograms: [] };
  for (let i = 0; i < SERVICES; i++) {
    const service = `svc-${String(i).padStart(5, '0')}`;
    batch.counters.push({ series: simulatorSeries.requests(service), at, value: 1000 }, { series: simulatorSeries.errors(service), at, value: i % 2 });
    batch.histograms.push({ series: simulatorSeries.latency(service), at, buckets: BOUNDS.map((le, k) => ({ le: Number(le), count: PER_MINUTE[k] })) });
  }
  return batch;
}

function evaluator(ds, reader, clock, config) {
  // Signals go nowhere: the pass, not what incidents do with it, is measured.
  const signals = { handleSignals: async () => new Map() };
  return new SloEvaluator(ds, new RulesService(config), signals, new LeaseService(ds), new SchedulerRegistry(),
    new AppMetrics(), [reader], clock, config, createLogger('silent'));
}

/** Wall time, and this process's CPU time (a fairer figure on a busy machine; on PGlite it includes the database). */
async function timed(fn) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const result = await fn();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, result };
}

/** Keeps the figures, not the 10,000 results, so the memory figures are the cache's. */
const stripped = ({ ms, cpuMs }) => ({ ms, cpuMs });
const line = (label, runs) => {
  const wall = runs.map((r) => r.ms);
  const cpu = runs.map((r) => r.cpuMs);
  console.log(`${label}: median ${ms(quantile(wall, 0.5))}, p95 ${ms(quantile(wall, 0.95))} (CPU of this process: median ${ms(quantile(cpu, 0.5))}, p95 ${ms(quantile(cpu, 0.95))}; ${runs.length} passes)`);
};
const showMemory = (label, m) => console.log(`${label}: rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}, arrayBuffers ${mb(m.arrayBuffers)}`);

(async () => {
  const db = await openDatabase();
  const ds = new DataSource(dataSourceOptions(db.url, db.embedded));
  await ds.initialize();
  try {
    await ds.runMigrations();
    const all = slos();
    console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const [latest] = await ds.query(`SELECT max(minute) AS m FROM sli_counter_minute`);
    let now;
    if (latest.m) {
      // A kept database: carry on from its newest minute.
      now = new Date(latest.m).getTime() + 30_000;
      console.log(`database: ${db.kind} (kept from an earlier run, newest minute ${new Date(latest.m).toISOString()})`);
    } else {
      now = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
      const seeding = await timed(() => seed(ds, now));
      console.log(`database: ${db.kind}; seeded in ${(seeding.ms / 1000).toFixed(1)} s`);
    }
    const [rows] = await ds.query(
      `SELECT (SELECT count(*) FROM sli_counter_hour) + (SELECT count(*) FROM sli_histogram_hour) AS hour_rows,
              (SELECT count(*) FROM sli_counter_minute) + (SELECT count(*) FROM sli_histogram_minute) AS minute_rows`,
    );
    console.log(`${all.length} SLOs (events and latency) on ${SERVICES} services; ${rows.hour_rows} hour rows, ${rows.minute_rows} minute rows`);

    const config = loadConfig({}, ROOT);
    const clock = new ManualClock(new Date(now));
    const store = new PostgresSliStore(ds);
    const resolvers = [new SimulatorSeriesResolver()];
    const cached = new CachedRollupSliReader(store, resolvers);
    const live = evaluator(ds, cached, clock, config);
    const states = (results) => {
      const out = {};
      for (const r of results) out[r.state] = (out[r.state] ?? 0) + 1;
      return out;
    };

    showMemory('memory before hydration', memory());
    // The first pass starts loading the cache in the background and is answered by SQL meanwhile.
    const loadStart = performance.now();
    const loadCpu = process.cpuUsage();
    let first;
    await profiled(async () => {
      first = await timed(() => live.compute(all, new Date(now)));
      console.log(`first pass (answered by SQL while the cache loads): ${ms(first.ms)}; states ${JSON.stringify(states(first.result))}`);
      await cached.cache.whenLoaded();
    }, PROFILE && `${PROFILE.replace(/\.cpuprofile$/, '')}-hydration.cpuprofile`);
    const loadCpuUsed = process.cpuUsage(loadCpu);
    console.log(`cache loaded (hydration) ${ms(performance.now() - loadStart)} after the first pass started (CPU of this process ${ms((loadCpuUsed.user + loadCpuUsed.system) / 1000)}); cache ${JSON.stringify(cached.cache.stats())}`);
    showMemory('memory after hydration', memory());

    // Steady passes: the evaluation clock moves 30 s a pass; each refresh finds nothing new.
    const steady = [];
    await profiled(async () => {
      for (let i = 0; i < PASSES; i++) {
        now += 30_000;
        steady.push(stripped(await timed(() => live.compute(all, new Date(now)))));
      }
    });
    line(`cached pass (every window of ${all.length} SLOs), no new rows`, steady);
    console.log(`  (answered by the cache: ${cached.answered.cache}, by SQL: ${cached.answered.database})`);
    // The reader's share of that pass: window sums for every SLO, without the burn-rate rules.
    const windows = [...new Set(all.flatMap((slo) => requiredWindows(alertPairsFor(slo)).concat(slo.periodSeconds)))];
    const readerOnly = [];
    for (let i = 0; i < PASSES; i++) readerOnly.push(stripped(await timed(() => cached.windowTable(all, new Date(now), windows))));
    line('  of which the cached reader (refresh + window sums)', readerOnly);
    // Passes right after one more minute of data for every series (the refresh reads it).
    const ingest = [];
    const writes = [];
    await profiled(async () => {
      for (let i = 0; i < PASSES; i++) {
        now += 60_000;
        const batch = minuteBatch(now - 30_000);
        writes.push(stripped(await timed(() => ds.transaction((m) => store.write(m, batch)))));
        ingest.push(stripped(await timed(() => live.compute(all, new Date(now)))));
      }
    }, PROFILE && `${PROFILE.replace(/\.cpuprofile$/, '')}-new-rows.cpuprofile`);
    line('cached pass after a minute of new rows for every series', ingest);
    line('  (writing that minute for every series, not part of the pass)', writes);
    showMemory('memory after the cached passes', memory());

    // The SQL path (what back-testing and other times read), for comparison.
    const sqlReader = new RollupSliReader(store, resolvers);
    const sqlEval = evaluator(ds, sqlReader, clock, config);
    const sql = [];
    for (let i = 0; i < SQL_PASSES; i++) sql.push(await timed(() => sqlEval.compute(all, new Date(now))));
    if (sql.length > 0) line('SQL path pass (hour rollups, no cache)', sql);
    const cachedSample = await live.compute(all, new Date(now));
    let maxDiff = 0;
    sql.at(-1)?.result.forEach((r, i) => {
      for (const [w, other] of Object.entries(r.burnRates)) {
        const v = cachedSample[i].burnRates[w];
        if (v !== null && other !== null) maxDiff = Math.max(maxDiff, Math.abs(v - other) / Math.max(1e-9, Math.abs(other)));
      }
    });
    console.log(`cached vs SQL burn rates: largest relative difference ${maxDiff.toExponential(2)}`);

    // A whole evaluate(): the cached pass plus storing the statuses and publishing signals.
    // First with no status stored (after the rules load, or on a new database): every row written.
    const full = [];
    for (let i = 0; i < 3; i++) {
      now += 30_000;
      clock.set(new Date(now));
      await ds.query('TRUNCATE slo_status');
      full.push(stripped(await timed(() => live.evaluate('manual', all))));
    }
    line('full evaluate() with the cache, storing every status (none stored before)', full);
    // Then steady: the clock moves 30 s a pass and every other pass brings a minute of new rows;
    // only statuses whose state or shown figures changed, or older than 5 minutes, are written.
    const steadyFull = [];
    const written = [];
    for (let i = 0; i < PASSES; i++) {
      now += 30_000;
      if (i % 2 === 0) await ds.transaction((m) => store.write(m, minuteBatch(now - 15_000)));
      clock.set(new Date(now));
      steadyFull.push(stripped(await timed(() => live.evaluate('manual', all))));
      const [w] = await ds.query('SELECT count(*)::int AS n FROM slo_status WHERE evaluated_at = $1', [new Date(now).toISOString()]);
      written.push(w.n);
    }
    line('full evaluate() with the cache, steady (a minute of new rows every other pass)', steadyFull);
    console.log(`  status rows written per pass: median ${quantile(written, 0.5)}, max ${Math.max(...written)} of ${all.length}`);
    if (db.embedded) console.log('(on PGlite the RSS includes the embedded database, which runs in this process)');
  } finally {
    await ds.destroy();
    await db.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
