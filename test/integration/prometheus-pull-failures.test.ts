import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ManualClock } from '../../server/src/common/clock';
import { LeaseService } from '../../server/src/common/lease.service';
import { AppMetrics } from '../../server/src/common/metrics';
import type { Signal } from '../../server/src/common/signals';
import { loadConfig } from '../../server/src/config/config';
import { RulesService } from '../../server/src/rules/rules.service';
import { CachedRollupSliReader } from '../../server/src/slo/cached-rollup-sli-reader';
import { PostgresSliStore } from '../../server/src/slo/postgres-sli-store';
import { DeclaredPrometheusClients } from '../../server/src/slo/prometheus/prometheus-client';
import { PrometheusPuller } from '../../server/src/slo/prometheus/prometheus-puller';
import { createSeriesResolvers } from '../../server/src/slo/series-resolvers';
import { SloEvaluator, type SloEvaluation } from '../../server/src/slo/slo-evaluator.service';
import { FakePrometheus, type FakeAnswer } from '../fakes/fake-prometheus';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { silentLogger } from '../support/test-logger';

const ROOT = path.resolve(__dirname, '../..');
const SVC = 'now-playing-ranker';
const EVENTS = `${SVC}.availability`;
const LATENCY = `${SVC}.latency`;
const TOKEN = 'prom-bearer-token';
const PASSWORD = 'prom-password';
const MINUTE = 60_000;
const NOW = Date.parse('2026-11-25T03:00:30Z');

const ERRORS = /^sum\(rate\(http_requests_total\{job="ranker",code=~"5\.\."\}\[2m\]\)\)$/;
const TOTAL = /^sum\(rate\(http_requests_total\{job="ranker"\}\[2m\]\)\)$/;
const BUCKETS = /^sum by \(le\) \(rate\(http_request_duration_seconds_bucket\{job="ranker"\}\[2m\]\)\)$/;

/** A rate at every minute of the last two hours (the puller keeps the steps it asked for). */
const steady = (series: Array<{ metric?: Record<string, string>; rate: number }>): FakeAnswer => {
  const minutes = Array.from({ length: 121 }, (_, i) => Math.floor(NOW / MINUTE) * MINUTE - (120 - i) * MINUTE);
  return { matrix: series.map((s) => ({ metric: s.metric ?? {}, values: minutes.map((t) => [t / 1000, s.rate] as [number, number]) })) };
};

/**
 * The puller's failure handling against a fake Prometheus speaking the HTTP API (range
 * queries): each server's credentials, and every way a query can fail — Prometheus' error
 * answer, a proxy's 503, a refused token, a timeout, no series — puts the SLOs of that query,
 * and only those, in no-data with the server, the query and the reason; an error query without
 * series is zero errors.
 */
describe.each(databaseKinds())('Prometheus pull failures on %s', (kind) => {
  const prom = new FakePrometheus();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-prom-fail-'));
  const alertsDir = path.join(tmp, 'alerts');
  const clock = new ManualClock(new Date(NOW));
  let db: TestDatabase;
  let evaluator: SloEvaluator;
  let puller: PrometheusPuller;
  /** A new evaluator and puller (an empty window cache), as after a restart. */
  let restart: () => void;

  const byId = (results: SloEvaluation[], id: string) => results.find((r) => r.slo.id === id)!;
  const healthy = () => {
    prom.reset();
    prom.requireAuthorization(undefined);
    prom.on(ERRORS, steady([{ metric: { code: '500' }, rate: 0.01 }]));
    prom.on(TOTAL, steady([{ metric: { code: '200' }, rate: 60 }, { metric: { code: '500' }, rate: 40 }]));
    prom.on(BUCKETS, steady([{ metric: { le: '0.25' }, rate: 99.99 }, { metric: { le: '+Inf' }, rate: 100 }]));
  };
  /** A fresh start: no pulled data, no cursors, no statuses. */
  const clean = async () => {
    await db.dataSource.query(`TRUNCATE prometheus_pulls, sli_counter_minute, sli_counter_hour, sli_histogram_minute, sli_histogram_hour, sli_changes, slo_status`);
    restart();
    clock.set(new Date(NOW));
    healthy();
  };

  beforeAll(async () => {
    await prom.start();
    fs.mkdirSync(alertsDir);
    fs.writeFileSync(path.join(tmp, 'token'), `${TOKEN}\n`);
    fs.writeFileSync(path.join(tmp, 'password'), PASSWORD);
    fs.writeFileSync(
      path.join(alertsDir, `${SVC}.yaml`),
      `service: ${SVC}
prometheus:
  - name: main
    url: ${prom.url}
    bearerTokenFile: ${path.join(tmp, 'token')}
    timeout: 1s
  - name: edge
    url: ${prom.url}
    basicAuth: { username: headroom, passwordFile: ${path.join(tmp, 'password')} }
    timeout: 1s
slos:
  - name: availability
    objective: 0.999
    period: 1h
    sli:
      kind: events
      source: prometheus
      prometheus:
        server: main
        errorQuery: sum(rate(http_requests_total{job="ranker",code=~"5.."}[{{window}}]))
        totalQuery: sum(rate(http_requests_total{job="ranker"}[{{window}}]))
    alerting: { windows: [{ severity: page, long: 1h, short: 5m, budgetShare: 0.5 }] }
    runbook: ${SVC}-availability.md
  - name: latency
    objective: 0.999
    period: 1h
    sli:
      kind: latency
      source: prometheus
      threshold: 250ms
      prometheus:
        server: edge
        histogramMetric: http_request_duration_seconds
        selector: '{job="ranker"}'
    alerting: { windows: [{ severity: page, long: 1h, short: 5m, budgetShare: 0.5 }] }
    runbook: ${SVC}-latency.md
`,
    );
    db = await openTestDatabase(kind);
    // One query in flight per server: the order of a pass is known (errors, then total).
    const config = loadConfig({ HEADROOM_ALERTS_DIR: alertsDir, HEADROOM_RUNBOOKS_DIR: path.join(ROOT, 'runbooks'), HEADROOM_SIMULATOR: 'false', HEADROOM_PROMETHEUS_CONCURRENCY: '1' }, ROOT);
    const rules = new RulesService(config, silentLogger);
    const store = new PostgresSliStore(db.dataSource);
    const recorder = { handleSignals: async (_batch: Signal[]) => new Map<string, number>() };
    const leases = new LeaseService(db.dataSource);
    restart = () => {
      evaluator = new SloEvaluator(db.dataSource, rules, recorder, leases, new SchedulerRegistry(), new AppMetrics(), [new CachedRollupSliReader(store, createSeriesResolvers(db.dataSource, clock))], clock, config, silentLogger);
      puller = new PrometheusPuller(db.dataSource, rules, store, evaluator, new DeclaredPrometheusClients(() => rules.prometheusServers()), leases, new SchedulerRegistry(), new AppMetrics(), clock, config, silentLogger);
    };
  });

  afterAll(async () => {
    await db?.close();
    await prom.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('pulls each query once a minute with its server’s credentials, and the SLOs read what it stored', async () => {
    await clean();
    const outcome = await puller.pull();
    expect(outcome.failed).toEqual(new Map());
    // Three distinct queries; the period (1h, on whole hours) and the minutes since, in one range each.
    expect(prom.requests.map((r) => r.path)).toEqual(Array(3).fill('/api/v1/query_range'));
    const first = prom.requests.find((r) => TOTAL.test(r.query))!;
    expect(first.range).toEqual({ start: ((Date.parse('2026-11-25T02:00:00Z') + MINUTE) / 1000).toFixed(3), end: (Date.parse('2026-11-25T03:00:00Z') / 1000).toFixed(3), step: '60' });
    const auth = (re: RegExp) => prom.requests.filter((r) => re.test(r.query)).map((r) => r.headers.authorization);
    expect(auth(TOTAL)).toEqual([`Bearer ${TOKEN}`]);
    expect(auth(BUCKETS)).toEqual([`Basic ${Buffer.from(`headroom:${PASSWORD}`).toString('base64')}`]);

    const results = await evaluator.evaluate('manual');
    expect(byId(results, EVENTS).state).toBe('ok');
    // 100 requests a second, 0.01 failing: 6,000 a minute. At 03:00:30 the 5-minute window holds
    // the four whole minutes pulled since 02:56 (the minute under way is pulled when it ends).
    expect((byId(results, EVENTS).evidence.events as Record<string, { total: number; good: number }>)['5m']).toEqual({ total: 24_000, good: 23_997.6 });
    expect(byId(results, LATENCY).burnRates['5m']).toBeCloseTo(0.1, 6);

    // The next minute: one range query per query over the re-read tail, nothing new otherwise.
    prom.reset();
    healthy();
    clock.advance(MINUTE);
    await puller.pull();
    expect(prom.requests).toHaveLength(3);
    const again = prom.requests.find((r) => TOTAL.test(r.query))!.range!;
    expect((Number(again.end) - Number(again.start)) / 60 + 1).toBe(5);
    await puller.pull();
    expect(prom.requests).toHaveLength(3);
  });

  it.each<[string, () => void, RegExp]>([
    ['Prometheus answers an error', () => prom.on(TOTAL, { error: '1:50: parse error: unexpected character', errorType: 'bad_data' }),
      /^main: sum\(rate\(http_requests_total\{job="ranker"\}\[2m\]\)\): bad_data: 1:50: parse error: unexpected character \(HTTP 400\) \(backfilling 0%\)$/],
    ['a proxy answers 503', () => prom.on(TOTAL, { httpStatus: 503, body: 'Service Unavailable' }), /^main: sum\(rate\(http_requests_total\{job="ranker"\}\[2m\]\)\): HTTP 503: Service Unavailable/],
    ['Prometheus times out', () => prom.on(TOTAL, { ...steady([{ rate: 100 }]), delayMs: 1_500 }), /^main: sum\(rate\(http_requests_total\{job="ranker"\}\[2m\]\)\): no answer within 1s/],
    ['the total has no series', () => prom.on(TOTAL, { matrix: [] }), /^main: sum\(rate\(http_requests_total\{job="ranker"\}\[2m\]\)\): no series matched between /],
    ['the token is refused', () => prom.requireAuthorization('Bearer another-token'), /^main: sum\(rate\(http_requests_total\{job="ranker"\}\[2m\]\)\): HTTP 401: Unauthorized/],
  ])('puts the SLO in no-data with the reason when %s, the other server’s SLO unaffected', async (what, breakIt, reason) => {
    await clean();
    breakIt();
    await puller.pull();
    const results = await evaluator.evaluate('manual');
    expect(byId(results, EVENTS).state).toBe('no-data');
    expect(byId(results, EVENTS).evidence.error).toMatch(reason);
    if (!/refused/.test(what)) expect(byId(results, LATENCY).state).toBe('ok');
    const [row] = await db.dataSource.query(`SELECT state, evidence FROM slo_status WHERE slo_id = $1`, [EVENTS]);
    expect(row.evidence.error).toMatch(reason);
  });

  it('reads an error query without series as zero errors', async () => {
    await clean();
    prom.reset();
    prom.on(ERRORS, { matrix: [] });
    prom.on(TOTAL, steady([{ rate: 100 }]));
    prom.on(BUCKETS, steady([{ metric: { le: '+Inf' }, rate: 100 }]));
    await puller.pull();
    const events = byId(await evaluator.evaluate('manual'), EVENTS);
    expect(events.state).toBe('ok');
    expect(events.burnRates['5m']).toBe(0);
  });

  it('stops asking a server that timed out for the rest of the pass', async () => {
    await clean();
    prom.reset();
    prom.on(ERRORS, { ...steady([{ rate: 0.01 }]), delayMs: 1_500 });
    prom.on(TOTAL, steady([{ rate: 100 }]));
    prom.on(BUCKETS, steady([{ metric: { le: '+Inf' }, rate: 100 }]));
    const outcome = await puller.pull();
    expect([...outcome.failed.values()]).toEqual([
      expect.stringMatching(/^sum\(rate\(http_requests_total\{job="ranker",code=~"5\.\."\}\[2m\]\)\): no answer within 1s$/),
      expect.stringMatching(/^not pulled: an earlier query of this pass failed with ".*no answer within 1s"$/),
    ]);
    expect(prom.requests.filter((r) => TOTAL.test(r.query))).toHaveLength(0);
    // The other server is asked as usual.
    expect(prom.requests.filter((r) => BUCKETS.test(r.query))).toHaveLength(1);
  });
});
