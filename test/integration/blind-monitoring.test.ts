import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AuditService } from '../../server/src/audit/audit.service';
import { ManualClock } from '../../server/src/common/clock';
import { LeaseService } from '../../server/src/common/lease.service';
import { AppMetrics } from '../../server/src/common/metrics';
import { loadConfig } from '../../server/src/config/config';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import type { IncidentTransitionHandler } from '../../server/src/incidents/incident-transitions';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { CachedRollupSliReader } from '../../server/src/slo/cached-rollup-sli-reader';
import { PostgresSliStore } from '../../server/src/slo/postgres-sli-store';
import { SimulatorSeriesResolver, simulatorSeries } from '../../server/src/slo/series';
import type { CounterSample } from '../../server/src/slo/sli-store';
import type { SliReader } from '../../server/src/slo/sli-reader';
import { SloEvaluator } from '../../server/src/slo/slo-evaluator.service';
import * as fs from 'node:fs';
import { alertsWithDefaultPolicy } from '../support/alerts-with-default-policy';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { escalationEngine, incidentWriter, oncallService, outboxService } from '../support/services';
import { silentLogger } from '../support/test-logger';

const ROOT = path.resolve(__dirname, '../..');
const SVC = 'now-playing-ranker';
const SLO = `${SVC}.availability`;
const BLIND = `slo:${SLO}:no-data`;
const MIN = 60_000;

/**
 * Alerting on silence, through the real evaluator, incidents and escalation engine over a real
 * database: the ranker's source goes down, its SLO is no-data, and after 10 minutes a ticket
 * (not a page) opens naming the reason; it resolves by itself when data returns.
 */
describe.each(databaseKinds())('blind monitoring (alerting.noData) on %s', (kind) => {
  let db: TestDatabase;
  const alertsDir = alertsWithDefaultPolicy();
  let store: PostgresSliStore;
  let evaluator: SloEvaluator;
  let rules: RulesService;
  const start = new Date('2026-12-01T00:00:00Z');
  const clock = new ManualClock(start);
  /** The source's failure while it is down (what a Prometheus outage looks like to the evaluator). */
  let down: string | null = null;

  async function traffic(from: Date, minutes: number) {
    const counters: CounterSample[] = [];
    for (let i = 0; i < minutes; i++) {
      const at = new Date(from.getTime() + i * MIN);
      counters.push({ series: simulatorSeries.requests(SVC), at, value: 6000 }, { series: simulatorSeries.errors(SVC), at, value: 1 });
    }
    await db.dataSource.transaction((m) => store.write(m, { source: 'test', counters, histograms: [] }));
  }

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    store = new PostgresSliStore(db.dataSource);
    const config = loadConfig({ HEADROOM_ALERTS_DIR: alertsDir }, ROOT);
    rules = new RulesService(config);
    const outbox = outboxService(db.dataSource, config);
    const engine = escalationEngine(db.dataSource, { outbox, oncall: oncallService(db.dataSource, config, clock), config, clock });
    const transitions: IncidentTransitionHandler = { incidentPaged: (m, id) => engine.start(m, id), incidentStatusChanged: (m, id) => engine.wake(m, id) };
    const incidents = new IncidentsService(
      db.dataSource, outbox, new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outbox, transitions), transitions, clock, silentLogger,
    );
    const real = new CachedRollupSliReader(store, [new SimulatorSeriesResolver()]);
    const flaky: SliReader = {
      sources: real.sources,
      windowCounts: async (slos, now, windows) => {
        if (down) throw new Error(down);
        return real.windowCounts(slos, now, windows);
      },
    };
    evaluator = new SloEvaluator(db.dataSource, rules, incidents, new LeaseService(db.dataSource), new SchedulerRegistry(), new AppMetrics(), [flaky], clock, config, silentLogger);
  });
  afterAll(async () => {
    await db.close();
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  const incidentRows = () =>
    db.dataSource.query(`SELECT id, title, severity, status, evidence, runbook_id, resolved_by FROM incidents WHERE fingerprint = $1 ORDER BY id`, [BLIND]);

  it('opens a ticket naming the reason after 10 minutes of no-data, pages nobody, and resolves when data returns', async () => {
    const slo = [rules.slo(SLO)!];
    await traffic(new Date(start.getTime() - 180 * MIN), 180);
    expect((await evaluator.evaluate('manual', slo))[0].state).toBe('ok');

    // The source goes down: no-data with its reason, counted from this pass.
    down = 'prometheus default: connect ECONNREFUSED 127.0.0.1:9090';
    clock.advance(MIN);
    const downAt = clock.now();
    expect((await evaluator.evaluate('manual', slo))[0].state).toBe('no-data');
    for (let i = 0; i < 9; i++) {
      clock.advance(MIN);
      await evaluator.evaluate('manual', slo);
    }
    // 9 minutes: nothing yet.
    expect(await incidentRows()).toEqual([]);

    clock.advance(MIN);
    await evaluator.evaluate('manual', slo);
    const [opened] = await incidentRows();
    expect(opened).toMatchObject({
      title: `monitoring of ${SLO} is blind: prometheus default: connect ECONNREFUSED 127.0.0.1:9090`,
      severity: 'warning',
      status: 'triggered',
      runbook_id: 'now-playing-ranker-availability',
    });
    expect(opened.evidence).toMatchObject({ reason: down, noDataSince: downAt.toISOString(), noDataFor: '10m', after: '10m' });
    // A ticket: no page in the outbox, no escalation started (the default policy starts one for a page).
    expect(await db.dataSource.query(`SELECT key FROM outbox WHERE incident_id = $1`, [opened.id])).toEqual([]);
    expect(await db.dataSource.query(`SELECT incident_id FROM escalations WHERE incident_id = $1`, [opened.id])).toEqual([]);
    const [triggered] = await db.dataSource.query(`SELECT message FROM incident_timeline WHERE incident_id = $1 AND kind = 'incident.triggered'`, [opened.id]);
    expect(triggered.message).toMatch(/a ticket.*nobody paged/);
    // The burn alert has its own fingerprint: nothing opened for it.
    expect(await db.dataSource.query(`SELECT id FROM incidents WHERE fingerprint = $1`, [`slo:${SLO}:page`])).toEqual([]);

    // Still blind: the same incident, its evidence kept current.
    clock.advance(5 * MIN);
    await evaluator.evaluate('manual', slo);
    const still = await incidentRows();
    expect(still).toHaveLength(1);
    expect(still[0].evidence.noDataFor).toBe('15m');

    // Data returns (the source answers again): resolved by itself, with a line saying why.
    down = null;
    await traffic(new Date(clock.now().getTime() - 15 * MIN), 16);
    clock.advance(MIN);
    expect((await evaluator.evaluate('manual', slo))[0].state).toBe('ok');
    const [resolved] = await incidentRows();
    expect(resolved).toMatchObject({ id: opened.id, status: 'resolved', resolved_by: 'Headroom' });
    const lines = await db.dataSource.query(`SELECT kind, message FROM incident_timeline WHERE incident_id = $1 ORDER BY id`, [opened.id]);
    expect(lines.at(-1)).toEqual({ kind: 'incident.resolved', message: `Resolved automatically: ${SLO} has data again (state ok)` });
  });

  it('counts a never-evaluated SLO from its first no-data pass, and names the missing data', async () => {
    const [feature] = [rules.slo('feature-store.availability')!];
    clock.advance(60 * MIN);
    await evaluator.evaluate('manual', [feature]);
    clock.advance(9 * MIN);
    await evaluator.evaluate('manual', [feature]);
    expect(await db.dataSource.query(`SELECT id FROM incidents WHERE fingerprint = 'slo:feature-store.availability:no-data'`)).toEqual([]);
    clock.advance(MIN);
    await evaluator.evaluate('manual', [feature]);
    const [row] = await db.dataSource.query(`SELECT title, status FROM incidents WHERE fingerprint = 'slo:feature-store.availability:no-data'`);
    expect(row).toEqual({ title: 'monitoring of feature-store.availability is blind: no events in any window (is the source sending data?)', status: 'triggered' });
  });

  it('pages, with the SLO severity and an escalation, when alerting.noData says severity: page', async () => {
    const slo = rules.slo('candidate-retrieval.availability')!;
    const paging = { ...slo, alerting: { ...slo.alerting, noData: { afterSeconds: 300, severity: 'page' as const } } };
    clock.advance(60 * MIN);
    await evaluator.evaluate('manual', [paging]);
    clock.advance(5 * MIN);
    await evaluator.evaluate('manual', [paging]);
    const [row] = await db.dataSource.query(`SELECT id, severity FROM incidents WHERE fingerprint = 'slo:candidate-retrieval.availability:no-data'`);
    expect(row.severity).toBe(slo.severity);
    expect(await db.dataSource.query(`SELECT topic FROM outbox WHERE incident_id = $1`, [row.id])).toContainEqual({ topic: 'incident.triggered' });
    expect(await db.dataSource.query(`SELECT incident_id FROM escalations WHERE incident_id = $1`, [row.id])).toHaveLength(1);
  });

  it('does nothing for an SLO whose alerting.noData is false', async () => {
    const slo = rules.slo('model-serving.availability')!;
    const off = { ...slo, alerting: { ...slo.alerting, noData: null } };
    clock.advance(60 * MIN);
    await evaluator.evaluate('manual', [off]);
    clock.advance(30 * MIN);
    await evaluator.evaluate('manual', [off]);
    expect(await db.dataSource.query(`SELECT id FROM incidents WHERE fingerprint = 'slo:model-serving.availability:no-data'`)).toEqual([]);
  });
});
