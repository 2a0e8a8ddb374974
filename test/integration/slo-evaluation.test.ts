import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ManualClock } from '../../server/src/common/clock';
import { AppMetrics } from '../../server/src/common/metrics';
import type { Signal } from '../../server/src/common/signals';
import { loadConfig } from '../../server/src/config/config';
import { LeaseService } from '../../server/src/common/lease.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { PostgresSliStore } from '../../server/src/slo/postgres-sli-store';
import { CachedRollupSliReader } from '../../server/src/slo/cached-rollup-sli-reader';
import { SimulatorSeriesResolver, simulatorSeries } from '../../server/src/slo/series';
import { type CounterSample, type HistogramSample } from '../../server/src/slo/sli-store';
import { SloEvaluator } from '../../server/src/slo/slo-evaluator.service';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { silentLogger } from '../support/test-logger';

const ROOT = path.resolve(__dirname, '../..');
const SVC = 'now-playing-ranker';

describe.each(databaseKinds())('SLO evaluation over minute rollups on %s', (kind) => {
  let db: TestDatabase;
  let store: PostgresSliStore;
  let evaluator: SloEvaluator;
  const signals: Signal[] = [];
  const start = new Date('2026-11-25T00:00:00Z');
  const clock = new ManualClock(start);

  /** Writes `minutes` minutes of traffic for the ranker: 6000 requests a minute, `errors` bad. */
  async function traffic(from: Date, minutes: number, errors: number, slow = 0) {
    const counters: CounterSample[] = [];
    const histograms: HistogramSample[] = [];
    for (let i = 0; i < minutes; i++) {
      const at = new Date(from.getTime() + i * 60_000);
      counters.push({ series: simulatorSeries.requests(SVC), at, value: 6000 }, { series: simulatorSeries.errors(SVC), at, value: errors });
      histograms.push({ series: simulatorSeries.latency(SVC), at, buckets: [{ le: 0.1, count: 6000 - slow }, { le: 0.25, count: 0 }, { le: 1, count: slow }, { le: Infinity, count: 0 }] });
    }
    await db.dataSource.transaction((m) => store.write(m, { source: 'test', counters, histograms }));
  }

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    store = new PostgresSliStore(db.dataSource);
    const config = loadConfig({}, ROOT);
    const recorder = { handleSignals: async (batch: Signal[]) => { signals.push(...batch); return new Map<string, number>(); } };
    evaluator = new SloEvaluator(
      db.dataSource, new RulesService(config), recorder, new LeaseService(db.dataSource), new SchedulerRegistry(),
      new AppMetrics(), [new CachedRollupSliReader(store, [new SimulatorSeriesResolver()])], clock, config, silentLogger,
    );
  });
  afterAll(() => db.close());

  it('sums windows from rollups, with upserts adding to the same minute', async () => {
    await traffic(start, 120, 0);
    await traffic(new Date(start.getTime() + 119 * 60_000), 1, 60);
    const now = new Date(start.getTime() + 120 * 60_000);
    const sums = await store.counterSums({ series: [simulatorSeries.requests(SVC), simulatorSeries.errors(SVC)], now, windowsSeconds: [300, 3600] });
    expect(sums.get(simulatorSeries.requests(SVC))).toEqual(new Map([[300, 5 * 6000 + 6000], [3600, 60 * 6000 + 6000]]));
    expect(sums.get(simulatorSeries.errors(SVC))!.get(300)).toBe(60);
    const hist = await store.histogramSums({ series: [simulatorSeries.latency(SVC)], now, windowsSeconds: [300] });
    expect(hist.get(simulatorSeries.latency(SVC))!.get(300)).toEqual([
      { le: 0.1, count: 36000 }, { le: 0.25, count: 36000 }, { le: 1, count: 36000 }, { le: Infinity, count: 36000 },
    ]);
  });

  it('is ok on healthy traffic, pages on an outage, and resolves after it', async () => {
    await db.dataSource.query(`TRUNCATE sli_counter_minute, sli_histogram_minute, sli_counter_hour, sli_histogram_hour, slo_status`);
    signals.length = 0;
    await traffic(start, 180, 1);
    clock.set(new Date(start.getTime() + 180 * 60_000));
    const healthy = await evaluator.evaluate('manual');
    expect(healthy.find((r) => r.slo.id === `${SVC}.availability`)!.state).toBe('ok');
    expect(signals).toEqual([]);

    // Two minutes of 100% errors: 12000 bad of 360000 in the hour is a 33x burn.
    await traffic(clock.now(), 2, 6000, 6000);
    clock.advance(120_000);
    const outage = await evaluator.evaluate('manual');
    const availability = outage.find((r) => r.slo.id === `${SVC}.availability`)!;
    expect(availability.state).toBe('page');
    expect(availability.burnRates['5m']).toBeGreaterThan(14.4);
    expect(outage.find((r) => r.slo.id === `${SVC}.latency`)!.state).toBe('page');
    expect(signals.map((s) => [s.fingerprint, s.status])).toEqual([
      [`slo:${SVC}.availability:page`, 'firing'],
      [`slo:${SVC}.latency:page`, 'firing'],
    ]);
    expect(signals[0].evidence).toMatchObject({ objective: 0.999, period: '30d' });

    // Healthy again. After 10 minutes the 6x pair still fires (its 30m window holds the
    // outage); after 40 minutes both short windows are clean and the page resets.
    signals.length = 0;
    await traffic(clock.now(), 10, 0);
    clock.advance(10 * 60_000);
    expect((await evaluator.evaluate('manual')).find((r) => r.slo.id === `${SVC}.availability`)!.state).toBe('page');
    expect(signals.every((s) => s.status === 'firing')).toBe(true);
    await traffic(clock.now(), 30, 0);
    clock.advance(30 * 60_000);
    const after = await evaluator.evaluate('manual');
    expect(after.find((r) => r.slo.id === `${SVC}.availability`)!.state).not.toBe('page');
    expect(signals.filter((s) => s.status === 'resolved').map((s) => s.fingerprint)).toContain(`slo:${SVC}.availability:page`);
    const status = await db.dataSource.query(`SELECT state FROM slo_status WHERE slo_id = $1`, [`${SVC}.availability`]);
    expect(status[0].state).not.toBe('page');
  });

  it('reports no-data, not ok, for a service with no traffic', async () => {
    const results = await evaluator.evaluate('manual');
    expect(results.find((r) => r.slo.id === 'feature-store.availability')!.state).toBe('no-data');
  });
});
