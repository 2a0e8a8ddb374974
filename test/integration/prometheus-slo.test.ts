import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ManualClock } from '../../server/src/common/clock';
import { AppMetrics } from '../../server/src/common/metrics';
import type { Signal } from '../../server/src/common/signals';
import { loadConfig } from '../../server/src/config/config';
import { LeaseService } from '../../server/src/common/lease.service';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { DeclaredPrometheusClients } from '../../server/src/slo/prometheus/prometheus-client';
import { PromqlSliReader } from '../../server/src/slo/prometheus/promql-sli-reader';
import { SloEvaluator, type SloEvaluation } from '../../server/src/slo/slo-evaluator.service';
import { FakePrometheus, type FakeAnswer } from '../fakes/fake-prometheus';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { incidentWriter, outboxService } from '../support/services';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import { silentLogger } from '../support/test-logger';
import { inOrder, noEscalation } from '../support/pipeline-stages';
import { AuditService } from '../../server/src/audit/audit.service';

const ROOT = path.resolve(__dirname, '../..');
const SVC = 'now-playing-ranker';
const EVENTS = `${SVC}.availability`;
const LATENCY = `${SVC}.latency`;
const TOKEN = 'prom-bearer-token';
const PASSWORD = 'prom-password';

const ERRORS = /^sum\(rate\(http_requests_total\{job="ranker",code=~"5\.\."\}\[\w+\]\)\)$/;
const TOTAL = /^sum\(rate\(http_requests_total\{job="ranker"\}\[\w+\]\)\)$/;
const BUCKETS = /^sum by \(le\) \(increase\(http_request_duration_seconds_bucket\{job="ranker"\}\[\w+\]\)\)$/;

/** A histogram answer: `fast` of 1000 requests at or under 100 ms, the rest over 1 s. */
const histogram = (fast: number): FakeAnswer => ({
  vector: [
    { metric: { le: '0.1' }, value: fast },
    { metric: { le: '0.25' }, value: fast },
    { metric: { le: '1' }, value: fast },
    { metric: { le: '+Inf' }, value: 1000 },
  ],
});

/**
 * Prometheus-backed SLOs through the real evaluator and incidents service, against a fake
 * Prometheus speaking the HTTP API: an events SLO (Sloth-style queries, bearer token file) and
 * a latency SLO (Pyrra-style histogram, basic auth) page on a burn, stay ok when healthy, and
 * go to no-data, without an incident, when Prometheus errors, times out or has no series.
 */
describe.each(databaseKinds())('Prometheus-backed SLOs on %s', (kind) => {
  const prom = new FakePrometheus();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-prom-slo-'));
  const alertsDir = path.join(tmp, 'alerts');
  const tokenFile = path.join(tmp, 'token');
  const clock = new ManualClock(new Date('2026-11-25T03:00:00Z'));
  const signals: Signal[] = [];
  let db: TestDatabase;
  let evaluator: SloEvaluator;

  const healthy = () => {
    prom.reset();
    prom.requireAuthorization(undefined);
    // 100 requests a second, 1 in 10 000 failing or slow: a 0.1× burn of a 99.9% objective.
    prom.on(ERRORS, { vector: [{ metric: {}, value: 0.01 }] });
    prom.on(TOTAL, { vector: [{ metric: {}, value: 100 }] });
    prom.on(BUCKETS, histogram(999.9));
  };
  const byId = (results: SloEvaluation[], id: string) => results.find((r) => r.slo.id === id)!;
  const incidents = (): Promise<Array<{ fingerprint: string; status: string }>> => db.dataSource.query(`SELECT fingerprint, status FROM incidents ORDER BY id`);

  beforeAll(async () => {
    await prom.start();
    fs.mkdirSync(alertsDir);
    fs.writeFileSync(tokenFile, `${TOKEN}\n`);
    fs.writeFileSync(path.join(tmp, 'password'), PASSWORD);
    fs.writeFileSync(
      path.join(alertsDir, 'prometheus.yaml'),
      [
        'prometheus:',
        '  - name: main',
        `    url: ${prom.url}`,
        `    bearerTokenFile: ${tokenFile}`,
        '    timeout: 1s',
        '  - name: edge',
        `    url: ${prom.url}`,
        `    basicAuth: { username: headroom, passwordFile: ${path.join(tmp, 'password')} }`,
        '    timeout: 1s',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(alertsDir, `${SVC}.yaml`),
      `service: ${SVC}
slos:
  - name: availability
    objective: 0.999
    sli:
      kind: events
      source: prometheus
      prometheus:
        server: main
        errorQuery: sum(rate(http_requests_total{job="ranker",code=~"5.."}[{{window}}]))
        totalQuery: sum(rate(http_requests_total{job="ranker"}[{{window}}]))
    runbook: ${SVC}-availability.md
  - name: latency
    objective: 0.999
    sli:
      kind: latency
      source: prometheus
      threshold: 250ms
      prometheus:
        server: edge
        histogramMetric: http_request_duration_seconds
        selector: '{job="ranker"}'
    runbook: ${SVC}-latency.md
`,
    );
    db = await openTestDatabase(kind);
    const config = loadConfig({ HEADROOM_ALERTS_DIR: alertsDir, HEADROOM_RUNBOOKS_DIR: path.join(ROOT, 'runbooks'), HEADROOM_SIMULATOR: 'false' }, ROOT);
    const rules = new RulesService(config, silentLogger);
    const recorder = { handleSignals: async (batch: Signal[]) => { signals.push(...batch); return new Map<string, number>(); } };
    const incidentsService = new IncidentsService(db.dataSource, outboxService(db.dataSource, config), new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outboxService(db.dataSource, config), noEscalation), noEscalation, clock, silentLogger);
    const reader = new PromqlSliReader(new DeclaredPrometheusClients(() => rules.prometheusServers()));
    evaluator = new SloEvaluator(
      db.dataSource, rules, inOrder(recorder, incidentsService), new LeaseService(db.dataSource), new SchedulerRegistry(),
      new AppMetrics(), [reader], clock, config, silentLogger,
    );
  });

  afterAll(async () => {
    await db?.close();
    await prom.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const clean = async () => {
    await db.dataSource.query(`TRUNCATE incidents, incident_timeline, outbox, slo_status RESTART IDENTITY CASCADE`);
    signals.length = 0;
    healthy();
  };

  it('is ok when healthy, asking every window at the evaluation time with each server’s credentials', async () => {
    await clean();
    const results = await evaluator.evaluate('manual');
    expect(byId(results, EVENTS).state).toBe('ok');
    expect(byId(results, LATENCY).state).toBe('ok');
    expect(byId(results, EVENTS).burnRates['1h']).toBeCloseTo(0.1, 6);
    expect(byId(results, LATENCY).burnRates['5m']).toBeCloseTo(0.1, 6);
    // rate × window: 100 requests a second over 5 minutes.
    expect((byId(results, EVENTS).evidence.events as Record<string, unknown>)['5m']).toEqual({ total: 30000, good: 29997 });
    expect(signals).toEqual([]);

    const windows = ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d'];
    expect(prom.queries().filter((q) => TOTAL.test(q)).map((q) => /\[(\w+)\]/.exec(q)![1]).sort()).toEqual([...windows].sort());
    expect(prom.requests.every((r) => r.time === (clock.now().getTime() / 1000).toFixed(3))).toBe(true);
    const auth = (re: RegExp) => new Set(prom.requests.filter((r) => re.test(r.query)).map((r) => r.headers.authorization));
    expect(auth(TOTAL)).toEqual(new Set([`Bearer ${TOKEN}`]));
    expect(auth(BUCKETS)).toEqual(new Set([`Basic ${Buffer.from(`headroom:${PASSWORD}`).toString('base64')}`]));
    expect(await incidents()).toEqual([]);
  });

  it('pages on a high error ratio and on slow requests, and each page opens an incident', async () => {
    await clean();
    prom.on(ERRORS, { vector: [{ metric: { code: '500' }, value: 30 }, { metric: { code: '503' }, value: 20 }] });
    prom.on(BUCKETS, histogram(500));
    const results = await evaluator.evaluate('manual');
    expect(byId(results, EVENTS).state).toBe('page');
    expect(byId(results, EVENTS).burnRates['5m']).toBeCloseTo(500, 6);
    expect(byId(results, LATENCY).state).toBe('page');
    expect(signals.map((s) => [s.fingerprint, s.status])).toEqual([
      [`slo:${EVENTS}:page`, 'firing'],
      [`slo:${LATENCY}:page`, 'firing'],
    ]);
    expect(await incidents()).toEqual([
      { fingerprint: `slo:${EVENTS}:page`, status: 'triggered' },
      { fingerprint: `slo:${LATENCY}:page`, status: 'triggered' },
    ]);

    // Prometheus then fails for the events SLO only: it goes to no-data, which neither resolves
    // its page nor pages again; the healthy latency SLO's signal resolves (the incident itself
    // stays for a person to close).
    signals.length = 0;
    healthy();
    prom.on(ERRORS, { error: 'query processing would load too many samples into memory in query execution', errorType: 'execution', status: 422 });
    const after = await evaluator.evaluate('manual');
    expect(byId(after, EVENTS).state).toBe('no-data');
    expect(byId(after, LATENCY).state).toBe('ok');
    expect(signals.map((s) => [s.fingerprint, s.status])).toEqual([[`slo:${LATENCY}:page`, 'resolved']]);
    expect(await incidents()).toHaveLength(2);
  });

  it.each<[string, () => void, string | RegExp]>([
    ['Prometheus answers an error', () => prom.on(ERRORS, { error: '1:50: parse error: unexpected character', errorType: 'bad_data' }),
      /^main: errorQuery \[5m\]: bad_data: 1:50: parse error: unexpected character \(HTTP 400\) \(and in 7 more windows\)$/],
    ['Prometheus is unavailable', () => prom.on(TOTAL, { httpStatus: 503, body: 'Service Unavailable' }), /^main: totalQuery \[5m\]: HTTP 503: Service Unavailable/],
    ['Prometheus times out', () => prom.on(TOTAL, { vector: [{ value: 100 }], delayMs: 1_500 }), /^main: totalQuery \[5m\]: no answer within 1s/],
    ['the vector is empty', () => prom.on(TOTAL, { vector: [] }), /^main: totalQuery \[5m\]: no series matched \(empty vector\)/],
    ['the token is refused', () => prom.requireAuthorization('Bearer another-token'), /^main: errorQuery \[5m\]: HTTP 401: Unauthorized/],
  ])('goes to no-data with the reason, and opens no incident, when %s (the other SLO unaffected)', async (_what, breakIt, reason) => {
    await clean();
    prom.on(ERRORS, { vector: [{ value: 50 }] }); // a burn that would page if it were read
    breakIt();
    const results = await evaluator.evaluate('manual');
    const events = byId(results, EVENTS);
    expect(events.state).toBe('no-data');
    expect(events.evidence.error).toMatch(reason);
    expect(events.burnRates).toEqual({});
    if (!/refused/.test(_what)) expect(byId(results, LATENCY).state).toBe('ok');
    const [row] = await db.dataSource.query(`SELECT state, evidence FROM slo_status WHERE slo_id = $1`, [EVENTS]);
    expect(row.state).toBe('no-data');
    expect(row.evidence.error).toMatch(reason);
    expect(signals).toEqual([]);
    expect(await incidents()).toEqual([]);
  });

  it('stops asking a server that timed out for the rest of the pass, so a pass takes about one timeout', async () => {
    await clean();
    prom.on(TOTAL, { vector: [{ value: 100 }], delayMs: 5_000 });
    const started = Date.now();
    const results = await evaluator.evaluate('manual');
    expect(byId(results, EVENTS).state).toBe('no-data');
    expect(byId(results, LATENCY).state).toBe('ok');
    // 4 queries in flight per server when the first timeout came back; the other 4 windows'
    // total queries were never sent (8 × 1 s at concurrency 4 would take 2 s).
    expect(prom.requests.filter((r) => TOTAL.test(r.query))).toHaveLength(4);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('latency: no-data when the histogram has no series', async () => {
    await clean();
    prom.on(BUCKETS, { vector: [] });
    const latency = byId(await evaluator.evaluate('manual'), LATENCY);
    expect(latency.state).toBe('no-data');
    expect(latency.evidence.error).toMatch(/^edge: http_request_duration_seconds_bucket \[5m\]: no series matched \(empty vector\)/);
    expect(await incidents()).toEqual([]);
  });
});
