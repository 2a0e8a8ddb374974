import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataPointType, type ExponentialHistogram as SdkExponentialHistogram } from '@opentelemetry/sdk-metrics';
import { DataSource } from 'typeorm';
import { SystemClock } from '../../server/src/common/clock';
import { AppMetrics } from '../../server/src/common/metrics';
import type { Signal } from '../../server/src/common/signals';
import { loadConfig } from '../../server/src/config/config';
import { dataSourceOptions } from '../../server/src/database/data-source-options';
import { LeaseService } from '../../server/src/common/lease.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { exponentialQuantile, relativeBucketWidth, STORAGE_MAX_SCALE, type ExponentialHistogram } from '../../server/src/slo/exponential-histogram';
import { histogramQuantile } from '../../server/src/slo/histogram-quantile';
import { OtlpSeriesResolver } from '../../server/src/slo/otlp-series-resolver';
import { OtlpSeriesStore } from '../../server/src/slo/otlp-series-store';
import { PostgresSliStore } from '../../server/src/slo/postgres-sli-store';
import { RollupSliReader } from '../../server/src/slo/rollup-sli-reader';
import { SloEvaluator } from '../../server/src/slo/slo-evaluator.service';
import { OtlpHttpError, OtlpIngestService } from '../../server/src/sources/otlp/otlp-ingest.service';
import { decodeRequest, type ExportMetricsServiceRequest } from '../../server/src/sources/otlp/otlp-proto';
import { FakeInstrumentedService } from '../fakes/otlp-service';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { silentLogger } from '../support/test-logger';

const ROOT = path.resolve(__dirname, '../..');
const SERVICE = 'now-playing-ranker';
const ROUTE = { 'http.route': '/v1/now-playing' };

/** OTLP-backed SLOs of the ranker: availability from a request counter, latency from a histogram. */
const ALERTS = `service: ${SERVICE}
slos:
  - name: availability
    objective: 0.99
    sli:
      kind: events
      source: otlp
      otlp:
        total: { metric: http.server.requests }
        bad: { metric: http.server.requests, attributes: { http.response.status_code: 500 } }
    runbook: now-playing-ranker-availability.md
  - name: latency
    objective: 0.99
    sli:
      kind: latency
      source: otlp
      threshold: 250ms
      otlp:
        histogram: { metric: http.server.duration, attributes: { http.route: /v1/now-playing } }
    runbook: now-playing-ranker-latency.md
`;

const nowNs = () => Date.now() * 1e6;
const str = (n: number) => String(Math.round(n));

/** A handmade OTLP/JSON export (64-bit integers as strings, enums as numbers). */
function jsonRequest(service: string, metrics: unknown[], instance = 'pod-1'): Buffer {
  return Buffer.from(
    JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }, { key: 'service.instance.id', value: { stringValue: instance } }] },
          scopeMetrics: [{ scope: { name: 'handmade' }, metrics }],
        },
      ],
    }),
  );
}
const cumulativeSum = (name: string, points: Array<{ start: number; time: number; value: number | string }>, temporality = 2) => ({
  name,
  sum: { isMonotonic: true, aggregationTemporality: temporality, dataPoints: points.map((p) => ({ startTimeUnixNano: str(p.start), timeUnixNano: str(p.time), asDouble: p.value })) },
});

describe.each(databaseKinds())('OTLP metrics ingest on %s', (kind) => {
  let db: TestDatabase;
  let store: PostgresSliStore;
  let otlp: OtlpIngestService;
  let evaluator: SloEvaluator;
  const signals: Signal[] = [];
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-otlp-alerts-'));
  const clock = new SystemClock();

  const seriesOf = async (service: string, metric: string): Promise<Array<{ series_id: string; attributes: Record<string, unknown>; kind: string }>> =>
    db.dataSource.query(`SELECT series_id, attributes, kind FROM otlp_series WHERE service_name = $1 AND metric_name = $2 ORDER BY series_id`, [service, metric]);
  const counterTotal = async (ids: string[]): Promise<number> =>
    Number((await db.dataSource.query(`SELECT COALESCE(sum(value), 0) AS v FROM sli_counter_minute WHERE series = ANY($1)`, [ids]))[0].v);
  const cumulativeBuckets = async (ids: string[]) => {
    const sums = await store.histogramSums({ series: ids, now: new Date(Date.now() + 60_000), windowsSeconds: [3600] });
    const merged = new Map<number, number>();
    for (const id of ids) for (const b of sums.get(id)?.get(3600) ?? []) merged.set(b.le, (merged.get(b.le) ?? 0) + b.count);
    return [...merged.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
  };
  const service = (ds: DataSource) => new OtlpIngestService(ds, evaluator, new AppMetrics(), new PostgresSliStore(ds), new OtlpSeriesStore(), clock, silentLogger);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    fs.writeFileSync(path.join(alertsDir, `${SERVICE}.yaml`), ALERTS);
    store = new PostgresSliStore(db.dataSource);
    const config = loadConfig({ HEADROOM_ALERTS_DIR: alertsDir, HEADROOM_RUNBOOKS_DIR: path.join(ROOT, 'runbooks') }, ROOT);
    const recorder = { handleSignals: async (batch: Signal[]) => { signals.push(...batch); return new Map<string, number>(); } };
    evaluator = new SloEvaluator(
      db.dataSource, new RulesService(config), recorder, new LeaseService(db.dataSource), new SchedulerRegistry(),
      new AppMetrics(), [new RollupSliReader(store, [new OtlpSeriesResolver(db.dataSource)])], clock, config, silentLogger,
    );
    otlp = new OtlpIngestService(db.dataSource, evaluator, new AppMetrics(), store, new OtlpSeriesStore(), clock, silentLogger);
  });
  afterAll(async () => {
    await otlp.idle();
    await db.close();
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  it('stores a counter and a histogram exported by the SDK (protobuf, then JSON) and pages on their burn rate', async () => {
    const svc = new FakeInstrumentedService({ serviceName: SERVICE, boundaries: [0.05, 0.1, 0.25, 0.5, 1] });
    const requests = svc.meter.createCounter('http.server.requests');
    const duration = svc.meter.createHistogram('http.server.duration', { unit: 's' });
    requests.add(80, { ...ROUTE, 'http.response.status_code': 200 });
    requests.add(20, { ...ROUTE, 'http.response.status_code': 500 });
    for (let i = 0; i < 50; i++) duration.record(0.03, ROUTE);
    for (let i = 0; i < 30; i++) duration.record(0.2, ROUTE);
    for (let i = 0; i < 20; i++) duration.record(0.7, ROUTE);

    const answer = await otlp.export({ encoding: 'protobuf', buffer: await svc.body('protobuf') });
    expect(answer.getHeaders().type).toBe('application/x-protobuf');
    await otlp.idle();

    const requestSeries = await seriesOf(SERVICE, 'http.server.requests');
    expect(requestSeries.map((s) => s.attributes)).toEqual(
      expect.arrayContaining([{ ...ROUTE, 'http.response.status_code': 200 }, { ...ROUTE, 'http.response.status_code': 500 }]),
    );
    const ids = requestSeries.map((s) => s.series_id);
    const bad = requestSeries.filter((s) => s.attributes['http.response.status_code'] === 500).map((s) => s.series_id);
    expect(await counterTotal(ids)).toBe(100);
    expect(await counterTotal(bad)).toBe(20);
    const latency = (await seriesOf(SERVICE, 'http.server.duration')).map((s) => s.series_id);
    expect(latency).toHaveLength(1);
    expect(await cumulativeBuckets(latency)).toEqual([
      { le: 0.05, count: 50 },
      { le: 0.1, count: 50 },
      { le: 0.25, count: 80 },
      { le: 0.5, count: 80 },
      { le: 1, count: 100 },
      { le: Infinity, count: 100 },
    ]);

    // The evaluation that ran right after the batch: 20% bad against a 1% budget is a 20x burn.
    const status = await db.dataSource.query(`SELECT slo_id, state FROM slo_status ORDER BY slo_id`);
    expect(status).toEqual([
      { slo_id: `${SERVICE}.availability`, state: 'page' },
      { slo_id: `${SERVICE}.latency`, state: 'page' },
    ]);
    expect(signals.map((s) => [s.fingerprint, s.status])).toEqual([
      [`slo:${SERVICE}.availability:page`, 'firing'],
      [`slo:${SERVICE}.latency:page`, 'firing'],
    ]);
    const [availability, latencySlo] = await evaluator.evaluate('manual');
    expect(availability.burnRates['5m']).toBeCloseTo(20, 6);
    expect(availability.burnRates['1h']).toBeCloseTo(20, 6);
    expect(latencySlo.burnRates['5m']).toBeCloseTo(20, 6);

    // The next cumulative export, as JSON this time: only the increases are added.
    requests.add(100, { ...ROUTE, 'http.response.status_code': 200 });
    for (let i = 0; i < 100; i++) duration.record(0.03, ROUTE);
    await otlp.export({ encoding: 'json', buffer: await svc.body('json') });
    expect(await counterTotal(ids)).toBe(200);
    expect(await counterTotal(bad)).toBe(20);
    expect((await cumulativeBuckets(latency))[0]).toEqual({ le: 0.05, count: 150 });
    const [after] = await evaluator.evaluate('manual', [availability.slo]);
    expect(after.burnRates['5m']).toBeCloseTo(10, 6);
    await svc.shutdown();
  });

  it('treats a restarted exporter (new start time) and a dropping total as counter resets', async () => {
    const first = new FakeInstrumentedService({ serviceName: 'resets' });
    const c1 = first.meter.createCounter('jobs');
    c1.add(100);
    await otlp.export({ encoding: 'protobuf', buffer: await first.body('protobuf') });
    c1.add(50);
    await otlp.export({ encoding: 'protobuf', buffer: await first.body('protobuf') });
    await first.shutdown();
    // The process restarts: same resource, same series, counting from zero with a new start time.
    const second = new FakeInstrumentedService({ serviceName: 'resets' });
    second.meter.createCounter('jobs').add(7);
    await otlp.export({ encoding: 'json', buffer: await second.body('json') });
    await second.shutdown();
    const ids = (await seriesOf('resets', 'jobs')).map((s) => s.series_id);
    expect(ids).toHaveLength(1);
    expect(await counterTotal(ids)).toBe(157);

    // Same start time, but the total went down: a reset too (the new total is the increase).
    const start = nowNs() - 30e9;
    const points = [
      { start, time: start + 10e9, value: 20 },
      { start, time: start + 20e9, value: 26 },
      { start, time: start + 30e9, value: 5 },
    ];
    for (const p of points) await otlp.export({ encoding: 'json', buffer: jsonRequest('resets', [cumulativeSum('drops', [p])]) });
    expect(await counterTotal((await seriesOf('resets', 'drops')).map((s) => s.series_id))).toBe(20 + 6 + 5);
  });

  it('adds delta points directly and drops an exact retry', async () => {
    const svc = new FakeInstrumentedService({ serviceName: 'deltas', temporality: 'delta', boundaries: [0.1, 1] });
    const c = svc.meter.createCounter('jobs');
    const h = svc.meter.createHistogram('job.duration');
    c.add(5);
    h.record(0.05);
    await otlp.export({ encoding: 'json', buffer: await svc.body('json') });
    c.add(3);
    h.record(0.5);
    h.record(5);
    const second = await svc.body('protobuf');
    const result = await otlp.ingest(decodeRequest(second, 'protobuf'));
    expect(result.outcomes.stored).toBe(2);
    // The same request again (its answer was lost): nothing more is counted.
    const retried = await otlp.ingest(decodeRequest(second, 'protobuf'));
    expect(retried.outcomes).toMatchObject({ stored: 0, duplicate: 2 });
    expect(await counterTotal((await seriesOf('deltas', 'jobs')).map((s) => s.series_id))).toBe(8);
    expect(await cumulativeBuckets((await seriesOf('deltas', 'job.duration')).map((s) => s.series_id))).toEqual([
      { le: 0.1, count: 1 },
      { le: 1, count: 2 },
      { le: Infinity, count: 3 },
    ]);
    await svc.shutdown();
  });

  it('stores exponential histograms from the SDK so classic quantiles stay within the stated error', async () => {
    const svc = new FakeInstrumentedService({ serviceName: 'exp', exponential: true });
    const h = svc.meter.createHistogram('http.server.duration', { unit: 's' });
    const values = [0, 0, 0.0011, 0.004, ...Array.from({ length: 200 }, (_, i) => 0.01 * Math.pow(1.03, i))];
    for (const v of values) h.record(v);
    const rm = await svc.collect();
    const point = rm.scopeMetrics[0].metrics[0];
    expect(point.dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
    const sdk = point.dataPoints[0].value as SdkExponentialHistogram;
    const native: ExponentialHistogram = {
      scale: sdk.scale,
      zeroCount: sdk.zeroCount,
      zeroThreshold: 0,
      positive: { offset: sdk.positive.offset, counts: sdk.positive.bucketCounts },
      negative: { offset: sdk.negative.offset, counts: sdk.negative.bucketCounts },
    };
    await otlp.export({ encoding: 'protobuf', buffer: await svc.body('protobuf') });
    const ids = (await seriesOf('exp', 'http.server.duration')).map((s) => s.series_id);
    expect((await seriesOf('exp', 'http.server.duration'))[0].kind).toBe('exponential_histogram');
    const buckets = await cumulativeBuckets(ids);
    expect(buckets[buckets.length - 1]).toEqual({ le: Infinity, count: values.length });
    expect(buckets.find((b) => b.le === 0)).toEqual({ le: 0, count: 2 }); // the zero bucket
    const bound = relativeBucketWidth(Math.min(native.scale, STORAGE_MAX_SCALE));
    for (const q of [0.5, 0.9, 0.99]) {
      const stored = histogramQuantile(q, buckets);
      const exact = exponentialQuantile(q, native);
      expect(Math.abs(stored - exact) / exact).toBeLessThanOrEqual(bound);
    }
    await svc.shutdown();
  });

  it('keeps negative buckets and the zero bucket of exponential histograms (OTLP/JSON)', async () => {
    const t = nowNs();
    const exp = {
      name: 'temperature.delta',
      exponentialHistogram: {
        aggregationTemporality: 1,
        dataPoints: [
          {
            startTimeUnixNano: str(t - 10e9),
            timeUnixNano: str(t),
            count: '16',
            scale: 2,
            zeroCount: '4',
            negative: { offset: 0, bucketCounts: ['3', '1'] },
            positive: { offset: -8, bucketCounts: ['2', '6'] },
          },
        ],
      },
    };
    await otlp.export({ encoding: 'json', buffer: jsonRequest('exp', [exp]) });
    const buckets = await cumulativeBuckets((await seriesOf('exp', 'temperature.delta')).map((s) => s.series_id));
    expect(buckets.map((b) => [b.le, b.count])).toEqual([
      [-Math.pow(2, 0.5), 0],
      [-Math.pow(2, 0.25), 1],
      [-1, 4],
      [0, 8],
      [Math.pow(2, -2), 8],
      [Math.pow(2, -1.75), 10],
      [Math.pow(2, -1.5), 16],
      [Infinity, 16],
    ]);
    const native: ExponentialHistogram = { scale: 2, zeroCount: 4, zeroThreshold: 0, negative: { offset: 0, counts: [3, 1] }, positive: { offset: -8, counts: [2, 6] } };
    expect(exponentialQuantile(0.4, native)).toBe(0); // in the zero bucket
    expect(exponentialQuantile(0.1, native)).toBeLessThan(-1);
    expect(exponentialQuantile(0.9, native)).toBeGreaterThan(Math.pow(2, -1.75));
  });

  it('refuses bad input with the reason and stores nothing; partially bad input stores the good points', async () => {
    const t = nowNs();
    const before = Number((await db.dataSource.query(`SELECT count(*) AS n FROM otlp_series`))[0].n);
    const nan = jsonRequest('bad-input', [cumulativeSum('jobs', [{ start: t - 1e9, time: t, value: 'NaN' }])]);
    await expect(otlp.export({ encoding: 'json', buffer: nan })).rejects.toThrow(/value is NaN/);
    const err = await otlp.export({ encoding: 'json', buffer: nan }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OtlpHttpError);
    expect((err as OtlpHttpError).getStatus()).toBe(400);

    const svc = new FakeInstrumentedService({ serviceName: 'bad-input' });
    svc.meter.createCounter('jobs').add(3);
    const body = await svc.body('protobuf');
    await svc.shutdown();
    await expect(otlp.export({ encoding: 'protobuf', buffer: body.subarray(0, body.length - 7) })).rejects.toThrow(/invalid protobuf ExportMetricsServiceRequest/);
    await expect(otlp.export({ encoding: 'json', buffer: Buffer.from('{"resourceMetrics": [') })).rejects.toThrow(/invalid JSON/);
    await expect(otlp.export({ encoding: 'json', buffer: Buffer.from('{"resourceMetrics": {"x": 1}}') })).rejects.toThrow(/resourceMetrics: array expected/);
    expect(Number((await db.dataSource.query(`SELECT count(*) AS n FROM otlp_series`))[0].n)).toBe(before);
    expect(await seriesOf('bad-input', 'jobs')).toEqual([]);

    const mixed = jsonRequest('bad-input', [cumulativeSum('jobs', [{ start: t - 1e9, time: t, value: 4 }, { start: t - 1e9, time: t, value: 'Infinity' }])]);
    const answer = await otlp.export({ encoding: 'json', buffer: mixed });
    const text = await new Promise<string>((resolve) => {
      let s = '';
      answer.getStream().on('data', (d: Buffer) => (s += d.toString())).on('end', () => resolve(s));
    });
    expect(JSON.parse(text)).toEqual({ partialSuccess: { rejectedDataPoints: '1', errorMessage: '1 data point rejected: bad-input jobs: value is +Inf' } });
    expect(await counterTotal((await seriesOf('bad-input', 'jobs')).map((s) => s.series_id))).toBe(4);
  });

  it('does not rewrite the state of a stream whose total stays put, and counts on from it', async () => {
    const start = nowNs() - 60e9;
    const push = (i: number, value: number) => otlp.ingest(decodeRequest(jsonRequest('quiet', [cumulativeSum('jobs', [{ start, time: start + i * 1e9, value }])]), 'json'));
    const state = async () =>
      (await db.dataSource.query(`SELECT s.version, s.state FROM otlp_stream_state s JOIN otlp_series o USING (series_id) WHERE o.service_name = 'quiet'`)) as Array<{ version: number; state: { timeNs: number; value: number } }>;
    await push(1, 10);
    const [first] = await state();
    expect((await push(2, 10)).outcomes).toMatchObject({ stored: 1 });
    expect((await push(3, 10)).series.size).toBe(0);
    // Two quiet points later the row is the one the first point wrote.
    expect(await state()).toEqual([first]);
    await push(4, 16);
    const [moved] = await state();
    expect(moved.version).toBe(Number(first.version) + 1);
    expect(moved.state).toMatchObject({ value: 16, timeNs: start + 4e9 });
    // A late retry of a quiet point adds nothing.
    expect((await push(3, 10)).outcomes).toMatchObject({ duplicate: 1 });
    expect(await counterTotal((await seriesOf('quiet', 'jobs')).map((s) => s.series_id))).toBe(16);
  });

  it('re-reads a stream another process advanced since this one last wrote it', async () => {
    const other = new DataSource(dataSourceOptions(db.url, db.embedded));
    await other.initialize();
    const a = service(db.dataSource);
    const b = service(other);
    try {
      const start = nowNs() - 60e9;
      const push = (s: OtlpIngestService, i: number, value: number) =>
        s.ingest(decodeRequest(jsonRequest('handover', [cumulativeSum('jobs', [{ start, time: start + i * 1e9, value }])]), 'json'));
      await push(a, 1, 10); // a remembers the stream at 10
      await push(b, 2, 25); // b moves it to 25
      const third = await push(a, 3, 40); // a's memory is stale: it must count 15, not 30
      expect(third.outcomes.stored).toBe(1);
      expect(await counterTotal((await seriesOf('handover', 'jobs')).map((s) => s.series_id))).toBe(40);
    } finally {
      await a.idle();
      await b.idle();
      await other.destroy();
    }
  });

  it('stays exact when two processes take consecutive points of one stream at the same time', async () => {
    // A second data source is a second Headroom process: its own connections and caches.
    const other = new DataSource(dataSourceOptions(db.url, db.embedded));
    await other.initialize();
    const a = service(db.dataSource);
    const b = service(other);
    try {
      const start = nowNs() - 60e9;
      const req = (metric: string, temporality: number, i: number, value: number): ExportMetricsServiceRequest =>
        JSON.parse(jsonRequest('race', [cumulativeSum(metric, [{ start: temporality === 1 ? start + (i - 1) * 1e9 : start, time: start + i * 1e9, value }], temporality)]).toString());
      const decode = (r: ExportMetricsServiceRequest) => decodeRequest(Buffer.from(JSON.stringify(r)), 'json');
      const order = Array.from({ length: 20 }, (_, k) => k + 1).sort((x, y) => ((x * 7919) % 23) - ((y * 7919) % 23));
      await Promise.all(order.map(async (i) => (i % 2 ? a : b).ingest(decode(req('cumulative.jobs', 2, i, 10 * i)))));
      await Promise.all(order.map(async (i) => (i % 2 ? b : a).ingest(decode(req('delta.jobs', 1, i, i)))));
      // A total that stays put every other point (its state is not rewritten then).
      await Promise.all(order.map(async (i) => (i % 3 ? a : b).ingest(decode(req('plateau.jobs', 2, i, 10 * Math.ceil(i / 2))))));
      // Whatever the order, a cumulative stream adds up to its last total, and deltas to their sum.
      expect(await counterTotal((await seriesOf('race', 'cumulative.jobs')).map((s) => s.series_id))).toBe(200);
      expect(await counterTotal((await seriesOf('race', 'plateau.jobs')).map((s) => s.series_id))).toBe(100);
      expect(await counterTotal((await seriesOf('race', 'delta.jobs')).map((s) => s.series_id))).toBe(210);
    } finally {
      await a.idle();
      await b.idle();
      await other.destroy();
    }
  });
});
