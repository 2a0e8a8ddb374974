import { spawnSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AuditService } from '../../server/src/audit/audit.service';
import { ManualClock } from '../../server/src/common/clock';
import { LeaseService } from '../../server/src/common/lease.service';
import { AppMetrics } from '../../server/src/common/metrics';
import { loadConfig } from '../../server/src/config/config';
import { RulesService } from '../../server/src/rules/rules.service';
import { CachedRollupSliReader } from '../../server/src/slo/cached-rollup-sli-reader';
import { PostgresSliStore } from '../../server/src/slo/postgres-sli-store';
import { SimulatorSeriesResolver, simulatorSeries } from '../../server/src/slo/series';
import { SloEvaluator } from '../../server/src/slo/slo-evaluator.service';
import { decodeRequest } from '../../server/src/sources/otlp/otlp-proto';
import { normalizeRequest } from '../../server/src/sources/otlp/otlp-points';
import { SimulatorExportService } from '../../server/src/sources/simulator/simulator-export.service';
import { SimulatorService } from '../../server/src/sources/simulator/simulator.service';
import { DEFAULT_SERVICE_PROFILES, LATENCY_BUCKET_BOUNDS_SECONDS, expectedRequests, simulateInterval, type Fault } from '../../server/src/sources/simulator/traffic-model';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { silentLogger } from '../support/test-logger';

const ROOT = path.resolve(__dirname, '../..');
const PROMTOOL = '/usr/bin/promtool';
const KEY = 'simulator-export-test-key-0123456789';
const SEED = 42;
// Minute- and slot-aligned, at the evening peak (traffic close to baseRps).
const T0 = new Date('2026-11-25T20:00:00Z');
const MINUTES = 10;
const ranker = DEFAULT_SERVICE_PROFILES[0];

/** `name{labels} value` lines of an exposition, keyed by `name{labels}`. */
function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A stand-in OTLP receiver: records each push and answers with `status`. */
async function receiver(status: () => number): Promise<{ url: string; pushes: Received[]; server: Server }> {
  const pushes: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      pushes.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status(), { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`, pushes, server };
}

/**
 * The simulator's exports against its model and against the SLI store: the simulator runs on a
 * manual clock over a real database, its /metrics listener is scraped over HTTP and checked by
 * promtool, and its OTLP push lands on a receiver that decodes it with Headroom's own OTLP code.
 */
describe.each(databaseKinds())('simulator exports on %s', (kind) => {
  let db: TestDatabase;
  let store: PostgresSliStore;
  let simulator: SimulatorService;
  let exports: SimulatorExportService;
  let otlp: Awaited<ReturnType<typeof receiver>>;
  let otlpStatus = 200;
  const clock = new ManualClock(T0);
  let fault: Fault;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    otlp = await receiver(() => otlpStatus);
    const config = loadConfig({
      HEADROOM_SIMULATOR_SEED: String(SEED),
      HEADROOM_SIMULATOR_BACKFILL: '30m',
      HEADROOM_SIMULATOR_METRICS_PORT: '0',
      HEADROOM_SIMULATOR_EXPORT_OTLP_URL: otlp.url,
      HEADROOM_SIMULATOR_EXPORT_OTLP_KEY: KEY,
      HEADROOM_SIMULATOR_EXPORT_INTERVAL_SECONDS: '3600',
    }, ROOT);
    store = new PostgresSliStore(db.dataSource);
    const evaluator = new SloEvaluator(
      db.dataSource, new RulesService(config), { handleSignals: async () => new Map<string, number>() }, new LeaseService(db.dataSource), new SchedulerRegistry(),
      new AppMetrics(), [new CachedRollupSliReader(store, [new SimulatorSeriesResolver()])], clock, config, silentLogger,
    );
    exports = new SimulatorExportService(new SchedulerRegistry(), clock, config, silentLogger);
    await exports.onApplicationBootstrap();
    simulator = new SimulatorService(db.dataSource, evaluator, new AppMetrics(), new SchedulerRegistry(), store, clock, config, silentLogger, new AuditService(db.dataSource), exports);

    // The first pass writes the backfill (before the exports started: not counted), then a 10%
    // error fault and ten minutes of traffic, in 20-second passes as the scheduled job would.
    await simulator.generate();
    const injected = await simulator.injectFault({ service: ranker.name, kind: 'error-rate', value: 0.1, durationSeconds: 3600 }, { type: 'system', id: null, name: 'test' });
    fault = { service: ranker.name, kind: 'error-rate', value: 0.1, startsAt: injected.startsAt, endsAt: injected.endsAt };
    for (let i = 0; i < MINUTES * 3; i++) {
      clock.advance(20_000);
      await simulator.generate();
    }
  });

  afterAll(async () => {
    await exports?.onApplicationShutdown();
    await new Promise((resolve) => otlp?.server.close(resolve));
    await db?.close();
  });

  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${exports.metricsPort()}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    return res.text();
  };

  it('serves /metrics in the text format that promtool accepts, and nothing else on that port', async () => {
    const text = await scrape();
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, output: '' });
    expect((await fetch(`http://127.0.0.1:${exports.metricsPort()}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${exports.metricsPort()}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('counts exactly what the model draws for the exported span, and what the SLI store holds', async () => {
    const m = parseExposition(await scrape());
    const now = clock.now();
    const sums = await store.counterSums({ series: DEFAULT_SERVICE_PROFILES.flatMap((p) => [simulatorSeries.requests(p.name), simulatorSeries.errors(p.name)]), now, windowsSeconds: [MINUTES * 60] });
    const hist = await store.histogramSums({ series: DEFAULT_SERVICE_PROFILES.map((p) => simulatorSeries.latency(p.name)), now, windowsSeconds: [MINUTES * 60] });
    for (const p of DEFAULT_SERVICE_PROFILES) {
      const s = `service="${p.name}"`;
      const model = simulateInterval({ profile: p, from: T0, to: now, faults: p === ranker ? [fault] : [], seed: SEED });
      const requests = m.get(`http_requests_total{${s},code="200"}`)! + m.get(`http_requests_total{${s},code="500"}`)!;
      expect(requests).toBe(model.requests);
      expect(m.get(`http_requests_total{${s},code="500"}`)).toBe(model.errors);
      expect(m.get(`http_request_duration_seconds_count{${s}}`)).toBe(model.requests);
      expect(m.get(`http_request_duration_seconds_sum{${s}}`)).toBe(model.latencySumMicroseconds / 1e6);
      let cumulative = 0;
      model.latencyBucketCounts.forEach((count, i) => {
        cumulative += count;
        const le = i < LATENCY_BUCKET_BOUNDS_SECONDS.length ? String(LATENCY_BUCKET_BOUNDS_SECONDS[i]) : '+Inf';
        expect(m.get(`http_request_duration_seconds_bucket{${s},le="${le}"}`)).toBe(cumulative);
      });
      // The store's last ten minutes are the same requests (the backfill before them is not exported).
      expect(sums.get(simulatorSeries.requests(p.name))!.get(MINUTES * 60)).toBe(requests);
      expect(sums.get(simulatorSeries.errors(p.name))!.get(MINUTES * 60)).toBe(model.errors);
      expect(hist.get(simulatorSeries.latency(p.name))!.get(MINUTES * 60)!.at(-1)).toEqual({ le: Infinity, count: cumulative });
    }
  });

  it('turns rates in into counts out: requests around rps x seconds, errors around the fault\'s rate', () => {
    const snapshot = exports.snapshot()!;
    for (const t of snapshot.services) {
      const profile = DEFAULT_SERVICE_PROFILES.find((p) => p.name === t.service)!;
      const expected = expectedRequests(profile, T0, clock.now());
      // Poisson counts: within 5 standard deviations.
      expect(Math.abs(t.requests - expected)).toBeLessThan(5 * Math.sqrt(expected));
      const errorRate = t.service === ranker.name ? 1 - (1 - profile.baseErrorRate) * 0.9 : profile.baseErrorRate;
      const expectedErrors = t.requests * errorRate;
      expect(Math.abs(t.errors - expectedErrors)).toBeLessThan(5 * Math.sqrt(expectedErrors) + 1);
      // Log-normal mean latency, median * exp(sigma^2 / 2).
      const mean = profile.latencyMedianSeconds * Math.exp(profile.latencySigma ** 2 / 2);
      expect(t.latencySumSeconds / t.requests / mean).toBeCloseTo(1, 1);
    }
    expect(snapshot.startedAt).toEqual(T0);
    expect(snapshot.until).toEqual(clock.now());
  });

  it('pushes the same counts over OTLP/HTTP JSON with the integration key, cumulative since the start', async () => {
    await exports.push();
    const push = otlp.pushes.at(-1)!;
    expect(push.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(push.headers['content-type']).toBe('application/json');
    const decoded = normalizeRequest(decodeRequest(push.body, 'json'), { nowMs: clock.now().getTime(), maxFutureMs: 60_000 });
    expect(decoded.rejected).toEqual([]);
    const m = parseExposition(await scrape());
    for (const p of decoded.points) {
      expect(p.temporality).toBe('cumulative');
      expect(p.startNs).toBe(T0.getTime() * 1e6);
      expect(p.timeNs).toBe(clock.now().getTime() * 1e6);
      const s = `service="${p.service}"`;
      if (p.data.kind === 'sum') expect(p.data.value).toBe(m.get(`http_requests_total{${s},code="${p.attributes['http.response.status_code']}"}`));
      if (p.data.kind === 'histogram') expect(p.data.counts.reduce((a, b) => a + b, 0)).toBe(m.get(`http_request_duration_seconds_count{${s}}`));
    }
    expect(new Set(decoded.points.map((p) => p.service))).toEqual(new Set(DEFAULT_SERVICE_PROFILES.map((p) => p.name)));
  });

  it('survives a receiver that fails: the next push carries everything', async () => {
    const before = otlp.pushes.length;
    otlpStatus = 503;
    await expect(exports.push()).resolves.toBeUndefined();
    otlpStatus = 200;
    clock.advance(20_000);
    await simulator.generate();
    await exports.push();
    expect(otlp.pushes.length).toBe(before + 2);
    const last = normalizeRequest(decodeRequest(otlp.pushes.at(-1)!.body, 'json'), { nowMs: clock.now().getTime(), maxFutureMs: 60_000 });
    const total = last.points.filter((p) => p.service === ranker.name && p.data.kind === 'sum').reduce((a, p) => a + (p.data.kind === 'sum' ? p.data.value : 0), 0);
    expect(total).toBe(simulateInterval({ profile: ranker, from: T0, to: clock.now(), faults: [fault], seed: SEED }).requests);
  });
});
