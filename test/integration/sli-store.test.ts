import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { ManualClock } from '../../server/src/common/clock';
import { loadConfig } from '../../server/src/config/config';
import { dataSourceOptions } from '../../server/src/database/data-source-options';
import { LeaseService } from '../../server/src/common/lease.service';
import { RulesService } from '../../server/src/rules/rules.service';
import type { SloDefinition } from '../../server/src/rules/slo-definition';
import { CachedRollupSliReader } from '../../server/src/slo/cached-rollup-sli-reader';
import { PostgresSliStore, SLI_CHANGES_KEPT_MS } from '../../server/src/slo/postgres-sli-store';
import { RollupSliReader } from '../../server/src/slo/rollup-sli-reader';
import { SimulatorSeriesResolver, simulatorSeries } from '../../server/src/slo/series';
import type { SloWindowCounts } from '../../server/src/slo/sli-reader';
import { SliRetentionService } from '../../server/src/slo/sli-retention.service';
import type { CounterSample, HistogramSample, SampleBatch } from '../../server/src/slo/sli-store';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { silentLogger } from '../support/test-logger';

const ROOT = path.resolve(__dirname, '../..');
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const SVC = 'now-playing-ranker';
const REQ = simulatorSeries.requests(SVC);
const ERR = simulatorSeries.errors(SVC);
const LAT = simulatorSeries.latency(SVC);
const BOUNDS = [0.05, 0.1, 0.25, 0.5, 1, Infinity];
const WINDOWS = [300, 1800, 3600, 7200, 21_600, 86_400, 259_200, 2_592_000];
const START = Date.UTC(2026, 10, 20, 0, 0);

/** Deterministic, uneven traffic so a bucket that lands in the wrong window changes the sums. */
const requests = (m: number) => 500 + ((m * 7919) % 1000);
const errors = (m: number) => (m * 31) % 17;
const bucket = (m: number, i: number) => 10 + ((m * 13 + i * 7) % 50);

function minuteBatch(fromMinute: number, toMinute: number, part: 'all' | 'a' | 'b' = 'all'): SampleBatch {
  const counters: CounterSample[] = [];
  const histograms: HistogramSample[] = [];
  for (let m = fromMinute; m < toMinute; m++) {
    const at = new Date(m * MINUTE + 1_000);
    if (part !== 'b') counters.push({ series: REQ, at, value: requests(m) });
    if (part !== 'a') counters.push({ series: ERR, at, value: errors(m) });
    // Two writers each add part of every bucket: the upsert must add them up.
    const share = part === 'all' ? 1 : part === 'a' ? 0.25 : 0.75;
    histograms.push({ series: LAT, at, buckets: BOUNDS.map((le, i) => ({ le, count: bucket(m, i) * share * 4 })) });
  }
  return { source: 'test', counters, histograms };
}

function slo(name: string, sli: SloDefinition['sli']): SloDefinition {
  return {
    id: `${SVC}.${name}`, service: SVC, name, objective: 0.99, periodSeconds: 30 * 86_400, sli,
    alerting: { page: true, ticket: true, windows: null, minEvents: 0, noData: null }, severity: 'critical',
    runbookId: 'ranker.md', labels: {}, file: 'test',
  };
}

const SLOS = [
  slo('availability', { kind: 'events', source: 'simulator' }),
  slo('latency', { kind: 'latency', source: 'simulator', thresholdSeconds: 0.3 }),
  slo('latency-on-bound', { kind: 'latency', source: 'simulator', thresholdSeconds: 0.1 }),
];

function expectSameCounts(got: Map<string, SloWindowCounts>, want: Map<string, SloWindowCounts>) {
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [id, w] of want) {
    for (const seconds of WINDOWS) {
      const g = got.get(id)!.windows.get(seconds)!;
      const x = w.windows.get(seconds)!;
      expect({ id, seconds, total: g.total }).toEqual({ id, seconds, total: x.total });
      expect(Math.abs(g.good - x.good)).toBeLessThan(1e-6 * Math.max(1, x.total));
    }
  }
}

describe.each(databaseKinds())('SLI store on %s', (kind) => {
  let db: TestDatabase;
  let store: PostgresSliStore;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    store = new PostgresSliStore(db.dataSource);
  });
  afterAll(() => db.close());

  const write = (batch: SampleBatch, s: PostgresSliStore = store, ds: DataSource = db.dataSource) => ds.transaction((m) => s.write(m, batch));
  const reset = () => db.dataSource.query(`TRUNCATE sli_counter_minute, sli_histogram_minute, sli_counter_hour, sli_histogram_hour, sli_changes`);

  async function minuteSum(series: string, fromMs: number, toMs: number): Promise<number> {
    const [row] = await db.dataSource.query(
      `SELECT COALESCE(sum(value), 0) AS s FROM sli_counter_minute WHERE series = $1 AND minute >= $2 AND minute <= $3`,
      [series, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
    );
    return Number(row.s);
  }

  describe('hour rollups', () => {
    beforeAll(async () => {
      await reset();
      const first = START / MINUTE;
      for (let m = first; m < first + 3 * 1440; m += 720) await write(minuteBatch(m, m + 720));
    });

    it('are written with the minutes: every hour row is the sum of its minute rows', async () => {
      const mismatches = await db.dataSource.query(
        `SELECT h.series, h.hour, h.value, m.value AS minutes FROM sli_counter_hour h
         JOIN (SELECT series, date_bin('1 hour', minute, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS hour, sum(value) AS value
               FROM sli_counter_minute GROUP BY 1, 2) m USING (series, hour)
         WHERE h.value <> m.value`,
      );
      expect(mismatches).toEqual([]);
      const [counts] = await db.dataSource.query(
        `SELECT (SELECT count(*) FROM sli_counter_hour)::int AS counters, (SELECT count(*) FROM sli_histogram_hour)::int AS buckets`,
      );
      expect(counts).toEqual({ counters: 2 * 72, buckets: BOUNDS.length * 72 });
    });

    it('answer a day from full hours plus the current hour, the same sums as the minutes of that span', async () => {
      for (const now of [START + 2 * DAY, START + 2 * DAY + 30 * MINUTE + 15_000, START + 2 * DAY + 59 * MINUTE + 59_000]) {
        const sums = await store.counterSums({ series: [REQ, ERR], now: new Date(now), windowsSeconds: [300, 86_400] });
        const alignedStart = Math.ceil((now - DAY) / HOUR) * HOUR;
        expect(sums.get(REQ)!.get(86_400)).toBe(await minuteSum(REQ, alignedStart, now));
        expect(sums.get(ERR)!.get(86_400)).toBe(await minuteSum(ERR, alignedStart, now));
        expect(sums.get(REQ)!.get(300)).toBe(await minuteSum(REQ, now - 300_000, now));
        // The documented approximation: what is left out is the oldest partial hour, < 1/24 of the day.
        const full = await minuteSum(REQ, now - DAY, now);
        expect(full - sums.get(REQ)!.get(86_400)!).toBe(await minuteSum(REQ, now - DAY, alignedStart - 1));
        expect((full - sums.get(REQ)!.get(86_400)!) / full).toBeLessThan(1 / 24 + 0.01);
      }
    });

    it('give histogram buckets for long windows from hours, matching the minute buckets of the span', async () => {
      const now = START + 2 * DAY + 17 * MINUTE + 3_000;
      const sums = await store.histogramSums({ series: [LAT], now: new Date(now), windowsSeconds: [86_400, 3600] });
      const alignedStart = Math.ceil((now - DAY) / HOUR) * HOUR;
      const rows: Array<{ le: number; c: number }> = await db.dataSource.query(
        `SELECT le, sum(count) AS c FROM sli_histogram_minute WHERE series = $1 AND minute >= $2 AND minute <= $3 GROUP BY le ORDER BY le`,
        [LAT, new Date(alignedStart).toISOString(), new Date(now).toISOString()],
      );
      let running = 0;
      expect(sums.get(LAT)!.get(86_400)).toEqual(rows.map((r) => ({ le: Number(r.le), count: (running += Number(r.c)) })));
      expect(sums.get(LAT)!.get(3600)!.map((b) => b.le)).toEqual(BOUNDS);
    });
  });

  it('backfills hour rows from the minute rows already stored when the migration runs', async () => {
    const fresh = await openTestDatabase(kind);
    // One connection, so the session time zone set below is the one the migration runs in.
    const base = dataSourceOptions(fresh.url, fresh.embedded);
    const ds = new DataSource({ ...base, extra: { ...(base.extra as object), max: 1 } } as typeof base);
    await ds.initialize();
    try {
      const applied = async () => (await ds.query(`SELECT name FROM migrations`)).map((r: { name: string }) => r.name);
      while ((await applied()).includes('SliHourRollups1764150000000')) await ds.undoLastMigration();
      await ds.query(
        `INSERT INTO sli_counter_minute (series, minute, value) SELECT 'a', TIMESTAMPTZ '2026-11-25 09:30:00+00' + make_interval(mins => m), m FROM generate_series(0, 89) m`,
      );
      await ds.query(`SET TIME ZONE 'Asia/Kolkata'`);
      await ds.runMigrations();
      await ds.query(`SET TIME ZONE 'UTC'`);
      const rows: Array<{ hour: Date; value: number }> = await ds.query(`SELECT hour, value FROM sli_counter_hour ORDER BY hour`);
      // Hours are UTC hours whatever the session's time zone (Kolkata is UTC+5:30).
      expect(rows.map((r) => [new Date(r.hour).toISOString(), Number(r.value)])).toEqual([
        ['2026-11-25T09:00:00.000Z', (29 * 30) / 2],
        ['2026-11-25T10:00:00.000Z', ((30 + 89) * 60) / 2],
      ]);
    } finally {
      await ds.destroy();
      await fresh.close();
    }
  });

  describe('window cache', () => {
    let second: DataSource;
    let storeB: PostgresSliStore;

    beforeAll(async () => {
      await reset();
      // A second pool and store on the same database: another Headroom process.
      second = new DataSource(dataSourceOptions(db.url, db.embedded));
      await second.initialize();
      storeB = new PostgresSliStore(second);
    });
    afterAll(() => second.destroy());

    it('equals the SQL path after interleaved writes from two processes, including a late commit', async () => {
      const resolvers = [new SimulatorSeriesResolver()];
      const sql = new RollupSliReader(store, resolvers);
      // No clock allowance: a late row must be found through the open transaction, not by luck.
      const cacheA = new CachedRollupSliReader(store, resolvers, { clockSafetyMs: 0 });
      const cacheB = new CachedRollupSliReader(storeB, resolvers, { clockSafetyMs: 0 });
      const compare = async (nowMs: number) => {
        const now = new Date(nowMs);
        const want = await sql.windowCounts(SLOS, now, WINDOWS);
        expectSameCounts(await cacheA.windowCounts(SLOS, now, WINDOWS), want);
        expectSameCounts(await cacheB.windowCounts(SLOS, now, WINDOWS), want);
        return want;
      };

      const first = START / MINUTE;
      const live = first + 2 * 1440;
      for (let m = first; m < live; m += 720) await write(minuteBatch(m, Math.min(live, m + 720)));
      // The first read starts loading the caches and is answered by the database meanwhile.
      await compare(live * MINUTE);
      await Promise.all([cacheA.cache!.whenLoaded(), cacheB.cache!.whenLoaded()]);
      const fromCache = { a: cacheA.answered.cache, b: cacheB.answered.cache };
      const hydrated = await compare(live * MINUTE);
      expect(hydrated.get(`${SVC}.availability`)!.windows.get(2_592_000)!.total).toBeGreaterThan(0);
      expect({ a: cacheA.answered.cache, b: cacheB.answered.cache }).toEqual({ a: fromCache.a + 1, b: fromCache.b + 1 });

      // Ninety minutes, across hour boundaries: each process writes its part of every minute,
      // and now and then a correction lands in a minute already read.
      for (let k = 0; k < 90; k++) {
        const m = live + k;
        await write(minuteBatch(m, m + 1, 'a'), store, db.dataSource);
        await write(minuteBatch(m, m + 1, 'b'), storeB, second);
        if (k % 11 === 5) await write(minuteBatch(m - 3, m - 2, 'b'), storeB, second);
        if (k % 6 === 0) await compare((m + 1) * MINUTE - 1);
      }

      // A writer that sends only some bounds of a bucket already read (a sparse histogram): the
      // change log names the bucket, the caches read it again whole, minute and hour, and still
      // equal the SQL path.
      await compare((live + 90) * MINUTE - 1);
      const sparse = { le: 0.1, count: 5 };
      await write({ source: 'test', counters: [], histograms: [{ series: LAT, at: new Date((live + 80) * MINUTE), buckets: [sparse, { le: Infinity, count: 2 }] }] });
      const logged: Array<{ series: string[]; minutes: number[] }> = await db.dataSource.query(`SELECT series, minutes FROM sli_changes ORDER BY id DESC LIMIT 1`);
      expect(logged).toEqual([{ series: [LAT], minutes: [live + 80] }]);
      await compare((live + 90) * MINUTE);

      // A slow transaction in process B writes, and commits only after A's cache has refreshed.
      const now = (live + 90) * MINUTE + 30_000;
      const before = await sql.windowCounts(SLOS, new Date(now + 1000), WINDOWS);
      const runner = second.createQueryRunner();
      await runner.connect();
      try {
        await runner.startTransaction();
        await storeB.write(runner.manager, minuteBatch(live + 89, live + 91));
        // Older than the probe that follows, so a watermark at the probe time would miss it.
        await new Promise((r) => setTimeout(r, 1200));
        // On PostgreSQL this refresh runs while the transaction is open and cannot see it; on
        // PGlite (one session) it waits for the commit.
        const during = cacheA.windowCounts(SLOS, new Date(now), WINDOWS);
        await new Promise((r) => setTimeout(r, 200));
        await runner.commitTransaction();
        await during;
      } finally {
        await runner.release();
      }
      const after = await compare(now + 1000);
      expect(cacheA.answered.database).toBe(1);
      expect(after.get(`${SVC}.availability`)!.windows.get(300)!.total).toBeGreaterThan(before.get(`${SVC}.availability`)!.windows.get(300)!.total);
    });

    it('falls back to SQL for a time the cache does not hold (back-testing)', async () => {
      const resolvers = [new SimulatorSeriesResolver()];
      const cache = new CachedRollupSliReader(store, resolvers);
      const sql = new RollupSliReader(store, resolvers);
      const live = START + 2 * DAY + 100 * MINUTE;
      await cache.windowCounts(SLOS, new Date(live), WINDOWS);
      await cache.cache!.whenLoaded();
      await cache.windowCounts(SLOS, new Date(live), WINDOWS);
      expect(cache.answered).toEqual({ cache: 1, database: 1 });
      const past = new Date(START + DAY + 7 * HOUR + 12 * MINUTE);
      expectSameCounts(await cache.windowCounts(SLOS, past, WINDOWS), await sql.windowCounts(SLOS, past, WINDOWS));
      expect(cache.answered).toEqual({ cache: 1, database: 2 });
    });
  });

  describe('retention', () => {
    const now = Date.UTC(2026, 10, 25, 12, 0);
    const config = { ...loadConfig({ HEADROOM_RETENTION_MINUTES: '2d', HEADROOM_RETENTION_HOURS: '10d' }, ROOT) };
    const clock = new ManualClock(new Date(now));
    const service = () =>
      new SliRetentionService(db.dataSource, new LeaseService(db.dataSource), new SchedulerRegistry(), new RulesService(config), clock, config, silentLogger);

    beforeAll(async () => {
      await reset();
      // Minute rows every minute for 3 days (more than one delete batch is too old), hour rows for 12 days.
      await db.dataSource.query(
        `INSERT INTO sli_counter_minute (series, minute, value)
         SELECT s, $1::timestamptz - make_interval(mins => m), 1 FROM generate_series(0, 3 * 1440 - 1) m, unnest(ARRAY['a', 'b']) s`,
        [new Date(now).toISOString()],
      );
      await db.dataSource.query(
        `INSERT INTO sli_histogram_minute (series, minute, le, count)
         SELECT 'h', $1::timestamptz - make_interval(mins => m), le, 1 FROM generate_series(0, 3 * 1440 - 1) m, unnest(ARRAY[0.1, 'Infinity'::float8]) le`,
        [new Date(now).toISOString()],
      );
      await db.dataSource.query(
        `INSERT INTO sli_counter_hour (series, hour, value) SELECT 'a', $1::timestamptz - make_interval(hours => h), 1 FROM generate_series(0, 12 * 24 - 1) h`,
        [new Date(now).toISOString()],
      );
      await db.dataSource.query(
        `INSERT INTO sli_histogram_hour (series, hour, le, count) SELECT 'h', $1::timestamptz - make_interval(hours => h), 1, 1 FROM generate_series(0, 12 * 24 - 1) h`,
        [new Date(now).toISOString()],
      );
      // The change log goes by the database clock, whatever the app clock says: a row just past
      // SLI_CHANGES_KEPT_MS and one just inside it.
      await db.dataSource.query(
        `INSERT INTO sli_changes (at, series, minutes) VALUES (clock_timestamp() - make_interval(secs => $1 + 60), '{a}', '{1}'), (clock_timestamp() - make_interval(secs => $1 - 60), '{a}', '{2}')`,
        [SLI_CHANGES_KEPT_MS / 1000],
      );
    });

    it('waits while another process holds its lease', async () => {
      const other = new LeaseService(db.dataSource);
      expect(await other.tryAcquire('sli-retention', 60)).toBe(true);
      expect(await service().run()).toBeNull();
      const [{ n }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM sli_counter_minute`);
      expect(n).toBe(2 * 3 * 1440);
      await other.release('sli-retention');
    });

    it('deletes minute and hour rows older than their retention, in batches, and nothing newer', async () => {
      const result = await service().run();
      // Rows at exactly the cutoff are kept: minute 0 … 2880 minutes back.
      expect(result).toEqual({
        sli_counter_minute: 2 * (3 * 1440 - (2 * 1440 + 1)),
        sli_histogram_minute: 2 * (3 * 1440 - (2 * 1440 + 1)),
        sli_counter_hour: 12 * 24 - (10 * 24 + 1),
        sli_histogram_hour: 12 * 24 - (10 * 24 + 1),
        sli_changes: 1,
      });
      expect(await db.dataSource.query(`SELECT minutes FROM sli_changes`)).toEqual([{ minutes: [2] }]);
      const oldest = async (table: string, column: string) =>
        new Date((await db.dataSource.query(`SELECT min(${column}) AS t, count(*)::int AS n FROM ${table}`))[0].t).getTime();
      expect(await oldest('sli_counter_minute', 'minute')).toBe(now - 2 * DAY);
      expect(await oldest('sli_histogram_minute', 'minute')).toBe(now - 2 * DAY);
      expect(await oldest('sli_counter_hour', 'hour')).toBe(now - 10 * DAY);
      expect(await oldest('sli_histogram_hour', 'hour')).toBe(now - 10 * DAY);
      expect(await service().run()).toEqual({ sli_counter_minute: 0, sli_histogram_minute: 0, sli_counter_hour: 0, sli_histogram_hour: 0, sli_changes: 0 });
      // It releases its lease when done, so any process may run the next pass.
      expect(await new LeaseService(db.dataSource).tryAcquire('sli-retention', 60)).toBe(true);
    });
  });
});
