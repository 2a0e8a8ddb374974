import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AuditService } from '../../server/src/audit/audit.service';
import { ManualClock } from '../../server/src/common/clock';
import { LeaseService } from '../../server/src/common/lease.service';
import { AppMetrics } from '../../server/src/common/metrics';
import type { Signal } from '../../server/src/common/signals';
import { loadConfig } from '../../server/src/config/config';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { CachedRollupSliReader } from '../../server/src/slo/cached-rollup-sli-reader';
import { histogramQuantile } from '../../server/src/slo/histogram-quantile';
import { PostgresSliStore } from '../../server/src/slo/postgres-sli-store';
import { DeclaredPrometheusClients } from '../../server/src/slo/prometheus/prometheus-client';
import { PrometheusPuller } from '../../server/src/slo/prometheus/prometheus-puller';
import { RollupSliReader } from '../../server/src/slo/rollup-sli-reader';
import { createSeriesResolvers } from '../../server/src/slo/series-resolvers';
import { SloEvaluator, type SloEvaluation } from '../../server/src/slo/slo-evaluator.service';
import { SlosService } from '../../server/src/slo/slos.service';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { BOUNDS, KnownRateExporter } from '../support/known-rate-exporter';
import { inOrder, noEscalation } from '../support/pipeline-stages';
import { PrometheusServer } from '../support/prometheus-server';
import { incidentWriter, outboxService } from '../support/services';
import { silentLogger } from '../support/test-logger';

const ROOT = path.resolve(__dirname, '../..');
const SVC = 'now-playing-ranker';
const EVENTS = `${SVC}.availability`;
const LATENCY = `${SVC}.latency`;
const BROKEN = `${SVC}.relabelled`;
const MINUTE = 60_000;

/**
 * Prometheus-backed SLOs on a real Prometheus (Debian's), pulled into the SLI store: a service
 * whose counters and histogram grow at known rates, with three days of history written into
 * Prometheus' TSDB ahead (promtool) and scraped live each second, failing 20% of its requests
 * and slowing down for the last few minutes. Headroom backfills the SLOs' 3-day period (hours
 * beyond the 2-day minute retention, minutes after), then the SLOs page, and history, the
 * latency panel (whose buckets match Prometheus' own increase()), the back-test and the page's
 * quantiles work as on pushed data. A Prometheus outage puts them in no-data with the reason,
 * and the minutes missed are pulled once it is back.
 */
describe.each(databaseKinds())('Prometheus pulled into the SLI store on %s', (kind) => {
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  // Healthy for days, then failing since 10 minutes ago (and on, live).
  const exporter = new KnownRateExporter(now - 4 * 86_400_000, now - 10 * MINUTE);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-prom-pull-'));
  const alertsDir = path.join(tmp, 'alerts');
  // The evaluation clock follows the real one (Prometheus' data is real-time), set before each
  // step, three minutes behind until the outage test: the minutes an outage makes Headroom miss.
  const clock = new ManualClock(new Date(now));
  let lagMs = 3 * MINUTE;
  const tick = () => clock.set(new Date(Date.now() - lagMs));
  const signals: Signal[] = [];
  let prometheus: PrometheusServer;
  let db: TestDatabase;
  let evaluator: SloEvaluator;
  let puller: PrometheusPuller;
  let slos: SlosService;
  let rules: RulesService;

  const byId = (results: SloEvaluation[], id: string) => results.find((r) => r.slo.id === id)!;
  const evaluate = async () => {
    tick();
    return evaluator.evaluate('manual');
  };

  beforeAll(async () => {
    await exporter.start();
    prometheus = new PrometheusServer({ targets: [`127.0.0.1:${exporter.port}`] });
    // What Prometheus would have scraped over the last 3 days and an hour, once a minute.
    await prometheus.backfill(exporter.openMetricsHistory(now - 3 * 86_400_000 - 3_600_000, Date.now() - 15_000, 60, `job="ranker",instance="127.0.0.1:${exporter.port}"`));
    await prometheus.start();
    await prometheus.waitFor('up{job="ranker"} == 1');
    fs.mkdirSync(alertsDir);
    fs.writeFileSync(
      path.join(alertsDir, `${SVC}.yaml`),
      `service: ${SVC}
prometheus:
  - name: main
    url: ${prometheus.url}
    timeout: 5s
slos:
  - name: availability
    objective: 0.999
    period: 3d
    sli:
      kind: events
      source: prometheus
      prometheus:
        server: main
        errorQuery: sum(rate(http_requests_total{job="ranker",code=~"5.."}[{{window}}]))
        totalQuery: sum(rate(http_requests_total{job="ranker"}[{{window}}]))
    alerting:
      windows:
        - { severity: page, long: 1h, short: 5m, budgetShare: 0.02 }
    runbook: ${SVC}-availability.md
  - name: latency
    objective: 0.999
    period: 3d
    sli:
      kind: latency
      source: prometheus
      threshold: 250ms
      prometheus:
        server: main
        histogramMetric: http_request_duration_seconds
        selector: '{job="ranker"}'
    alerting:
      windows:
        - { severity: page, long: 1h, short: 5m, budgetShare: 0.02 }
    runbook: ${SVC}-latency.md
  - name: relabelled
    objective: 0.999
    period: 3d
    sli:
      kind: events
      source: prometheus
      prometheus:
        server: main
        errorQuery: sum(rate(http_requests_total{job="gone",code=~"5.."}[{{window}}]))
        totalQuery: sum(rate(http_requests_total{job="gone"}[{{window}}]))
    runbook: ${SVC}-availability.md
`,
    );
    db = await openTestDatabase(kind);
    const config = loadConfig(
      { HEADROOM_ALERTS_DIR: alertsDir, HEADROOM_RUNBOOKS_DIR: path.join(ROOT, 'runbooks'), HEADROOM_SIMULATOR: 'false', HEADROOM_RETENTION_MINUTES: '2d' },
      ROOT,
    );
    rules = new RulesService(config, silentLogger);
    const store = new PostgresSliStore(db.dataSource);
    const resolvers = createSeriesResolvers(db.dataSource, clock);
    const recorder = { handleSignals: async (batch: Signal[]) => (signals.push(...batch), new Map<string, number>()) };
    const outbox = outboxService(db.dataSource, config);
    const incidents = new IncidentsService(db.dataSource, outbox, new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outbox, noEscalation), noEscalation, clock, silentLogger);
    const leases = new LeaseService(db.dataSource);
    evaluator = new SloEvaluator(db.dataSource, rules, inOrder(recorder, incidents), leases, new SchedulerRegistry(), new AppMetrics(), [new CachedRollupSliReader(store, resolvers)], clock, config, silentLogger);
    puller = new PrometheusPuller(db.dataSource, rules, store, evaluator, new DeclaredPrometheusClients(() => rules.prometheusServers()), leases, new SchedulerRegistry(), new AppMetrics(), clock, config, silentLogger);
    slos = new SlosService(db.dataSource, rules, evaluator, new RollupSliReader(store, resolvers), store, clock);
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await prometheus?.remove();
    await exporter.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('reads as no-data "backfilling N%" while the period is pulled in bounded chunks, then pages on the error burst', async () => {
    tick();
    // One chunk per query: the hours beyond the minute retention.
    const first = await puller.pull(0);
    expect(first.queries).toBe(5);
    expect(first.backfilling).toBe(5);
    const backfilling = byId(await evaluate(), EVENTS);
    expect(backfilling.state).toBe('no-data');
    expect(backfilling.evidence.error).toMatch(/^backfilling (\d|[1-9]\d)% from Prometheus server main$/);
    const progress = (await slos.get(EVENTS)).pull!;
    expect(progress).toHaveLength(2);
    expect(progress[0].backfillPercent).toBeGreaterThan(0);
    expect(progress[0].backfillPercent).toBeLessThan(100);
    expect(signals).toEqual([]);

    // The rest: two days of minutes in chunks of 12 hours, then the present.
    for (let pass = 0; pass < 3; pass++) {
      tick();
      const outcome = await puller.pull();
      if (outcome.backfilling === 0) break;
    }
    expect((await slos.get(EVENTS)).pull!.every((p) => p.backfillPercent === 100 && p.caughtUpAt !== null && p.lastError === null)).toBe(true);
    const results = await evaluate();
    expect(byId(results, EVENTS).state).toBe('page');
    expect(byId(results, LATENCY).state).toBe('page');
    // 20% failing over the last 5 minutes of a 99.9% objective: a burn rate near 200.
    expect(byId(results, EVENTS).burnRates['5m']).toBeGreaterThan(150);
    expect(byId(results, EVENTS).burnRates['5m']).toBeLessThan(210);
    expect([...new Set(signals.filter((s) => s.status === 'firing').map((s) => s.fingerprint))].sort()).toEqual([`slo:${EVENTS}:page`, `slo:${LATENCY}:page`]);
    const opened: Array<{ fingerprint: string; status: string }> = await db.dataSource.query(`SELECT fingerprint, status FROM incidents ORDER BY fingerprint`);
    expect(opened).toEqual([
      { fingerprint: `slo:${EVENTS}:page`, status: 'triggered' },
      { fingerprint: `slo:${LATENCY}:page`, status: 'triggered' },
    ]);
    // A series that matches nothing is no data, with the query and the reason.
    expect(byId(results, BROKEN).state).toBe('no-data');
    expect(byId(results, BROKEN).evidence.error).toMatch(/^main: sum\(rate\(http_requests_total\{job="gone"\}\[2m\]\)\): no series matched between /);
  }, 120_000);

  it('stores what Prometheus counts: the 3-day total and the latency buckets match its own increase()', async () => {
    tick();
    await puller.pull();
    // At the end of the last minute pulled, where Prometheus is asked too.
    const at = new Date(Math.floor(clock.now().getTime() / MINUTE) * MINUTE);
    clock.set(at);
    const reader = new RollupSliReader(new PostgresSliStore(db.dataSource), createSeriesResolvers(db.dataSource, clock));
    // Two days from minutes and hours the puller stored; three including the hours it backfilled.
    for (const days of [2, 3]) {
      const ours = (await reader.windowCounts([rules.slo(EVENTS)!], at, [days * 86_400])).get(EVENTS)!.windows.get(days * 86_400)!.total;
      // Windows of a day and more start on the first whole hour inside them: ask Prometheus for that span.
      const covered = at.getTime() - Math.ceil((at.getTime() - days * 86_400_000) / 3_600_000) * 3_600_000;
      const [{ value: theirs }] = await prometheus.query(`sum(increase(http_requests_total{job="ranker"}[${covered / 1000}s]))`, at);
      expect(Math.abs(ours - theirs) / theirs).toBeLessThan(0.005);
    }

    // Five minutes inside the burst, where the rates are steady: the 2m rate window Headroom
    // pulls with smooths a change of rate over the minutes around it.
    const latency = await slos.latency(LATENCY, '5m', [0.5, 0.99]);
    const promBuckets = await prometheus.query('sum by (le) (increase(http_request_duration_seconds_bucket{job="ranker"}[5m]))', at);
    expect(latency.buckets.map((b) => b.le)).toEqual([...BOUNDS, '+Inf']);
    const bound = (le: string | number) => (le === '+Inf' ? Infinity : Number(le));
    for (const b of latency.buckets) {
      const theirs = promBuckets.find((p) => bound(p.metric.le) === bound(b.le))!.value;
      expect(Math.abs(b.count - theirs) / theirs).toBeLessThan(0.03);
    }
    // The panel's quantiles are histogram_quantile on exactly the buckets it shows.
    const cumulative = latency.buckets.map((b) => ({ le: bound(b.le), count: b.count }));
    expect(latency.quantiles.map((q) => q.value)).toEqual([histogramQuantile(0.5, cumulative), histogramQuantile(0.99, cumulative)]);
  }, 60_000);

  it('gives pulled SLOs history, a latency history and a back-test, as pushed data does', async () => {
    tick();
    const detail = await slos.get(EVENTS);
    const points = detail.history.burnRates.filter((p) => typeof p['5m'] === 'number');
    expect(points.length).toBeGreaterThan(90);
    expect(Math.max(...points.map((p) => p['5m'] as number))).toBeGreaterThan(100);
    expect(detail.history.budget.some((p) => p.remaining !== null)).toBe(true);

    const history = await slos.latencyHistory(LATENCY, '1h', '5m', [0.99]);
    expect(history.points).toHaveLength(12);
    expect(history.points.every((p) => p.total > 0)).toBe(true);

    const to = new Date(Math.floor(clock.now().getTime() / MINUTE) * MINUTE);
    const test = await slos.backtest(EVENTS, { from: new Date(to.getTime() - 2 * 3_600_000), to });
    expect(test.alerts.some((a) => a.severity === 'page')).toBe(true);
  }, 60_000);

  it('is no-data with the reason while Prometheus is down, and pulls the minutes it missed once it is back', async () => {
    // The last pulls were three minutes behind: the outage began then.
    tick();
    await puller.pull();
    const [{ until: before }]: Array<{ until: Date }> = await db.dataSource.query(`SELECT min(pulled_until) AS until FROM prometheus_pulls`);
    await prometheus.stop();
    lagMs = 0;
    tick();
    const failed = await puller.pull();
    expect(failed.failed.size).toBe(5);
    expect(failed.written.size).toBe(0);
    const down = await evaluate();
    expect(down.find((r) => r.slo.id === EVENTS)!.state).toBe('no-data');
    expect(byId(down, EVENTS).evidence.error).toMatch(/^main: .*(ECONNREFUSED|connect)/);
    expect((await slos.get(EVENTS)).pull![0].lastError).toMatch(/ECONNREFUSED|connect/);

    await prometheus.start();
    tick();
    const back = await puller.pull();
    expect(back.failed.size).toBe(1); // only the relabelled SLO's total, which matches nothing
    const cursor: Array<{ until: Date }> = await db.dataSource.query(`SELECT min(pulled_until) AS until FROM prometheus_pulls WHERE last_error IS NULL`);
    expect(new Date(cursor[0].until).getTime()).toBe(Math.floor(clock.now().getTime() / MINUTE) * MINUTE);
    // Every minute the outage kept Headroom from pulling is stored now.
    const missed = (new Date(cursor[0].until).getTime() - new Date(before).getTime()) / MINUTE;
    expect(missed).toBeGreaterThanOrEqual(3);
    const minutes: Array<{ n: number }> = await db.dataSource.query(
      `SELECT count(DISTINCT minute)::int AS n FROM sli_counter_minute WHERE minute >= $1 AND series LIKE 'prometheus/%'`,
      [new Date(before).toISOString()],
    );
    expect(minutes[0].n).toBe(missed);
    expect(byId(await evaluate(), EVENTS).state).toBe('page');
  }, 60_000);

  it('opens a blind-monitoring ticket once Prometheus has been unreachable for 10 minutes', async () => {
    await prometheus.stop();
    // A minute later (the puller asks once a minute has completed); the clock may run ahead now.
    tick();
    clock.advance(MINUTE);
    await puller.pull();
    expect(byId(await evaluator.evaluate('manual'), EVENTS).state).toBe('no-data');
    clock.advance(9 * MINUTE);
    await puller.pull();
    await evaluator.evaluate('manual');
    expect(signals.filter((s) => s.fingerprint === `slo:${EVENTS}:no-data` && s.status === 'firing')).toEqual([]);
    clock.advance(MINUTE);
    await puller.pull();
    await evaluator.evaluate('manual');
    const [blind]: Array<{ title: string; status: string; urgency: string }> = await db.dataSource.query(`SELECT title, status, urgency FROM incidents WHERE fingerprint = $1`, [`slo:${EVENTS}:no-data`]);
    expect(blind).toMatchObject({ status: 'triggered', urgency: 'ticket' });
    expect(blind.title).toMatch(new RegExp(`^monitoring of ${EVENTS.replace('.', '\\.')} is blind: main: .*(ECONNREFUSED|connect)`));
  }, 60_000);
});
