import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSource } from 'typeorm';
import { AuditService } from '../../server/src/audit/audit.service';
import { ManualClock } from '../../server/src/common/clock';
import { AppMetrics } from '../../server/src/common/metrics';
import type { Signal } from '../../server/src/common/signals';
import { dataSourceOptions } from '../../server/src/database/data-source-options';
import { AlertIngestService } from '../../server/src/incidents/intake/alert-ingest.service';
import { alertContent } from '../../server/src/incidents/intake/alert-repeats';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { SilencesService } from '../../server/src/incidents/silences.service';
import type { IncomingAlert } from '../../server/src/incidents/intake/incoming-alert';
import { routeSchema, toRoute } from '../../server/src/rules/route-definition';
import { RoutesService } from '../../server/src/rules/routes.service';
import { toIncomingAlert as fromAlertmanager, webhookSchema } from '../../server/src/incidents/intake/alertmanager-payload';
import { eventSchema, toIncomingAlert as fromPagerDuty } from '../../server/src/incidents/intake/pagerduty-event';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { incidentWriter, outboxService } from '../support/services';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import { silentLogger } from '../support/test-logger';
import { noEscalation } from '../support/pipeline-stages';

const AM = { id: '00000000-0000-4000-8000-000000000001', name: 'prod-alertmanager' };
const PD = { id: '00000000-0000-4000-8000-000000000002', name: 'grafana' };
const alice = { type: 'user' as const, id: 'u-alice', name: 'alice' };
const fixturesDir = path.resolve(__dirname, '../fixtures');

/** The alerts of a real Alertmanager notification (test/fixtures/alertmanager). */
function amAlerts(name: string): IncomingAlert[] {
  const raw = JSON.parse(fs.readFileSync(path.join(fixturesDir, 'alertmanager', name), 'utf8'));
  const payload = webhookSchema.parse(raw);
  return payload.alerts.map((a, i) => fromAlertmanager(payload, a, raw.alerts[i], AM));
}

function pdEvent(name: string, overrides: Record<string, unknown> = {}, at = new Date()): IncomingAlert {
  const raw = { ...JSON.parse(fs.readFileSync(path.join(fixturesDir, 'pagerduty', name), 'utf8')), ...overrides };
  const event = eventSchema.parse(raw);
  return fromPagerDuty(event, event.dedup_key ?? 'generated', PD, at);
}

describe.each(databaseKinds())('alerts into incidents on %s', (kind) => {
  let db: TestDatabase;
  let incidents: IncidentsService;
  let ingest: AlertIngestService;
  let silences: SilencesService;
  const clock = new ManualClock(new Date('2026-11-25T03:00:00Z'));
  const routes = new RoutesService([
    // One incident per group however close together they open.
    toRoute(routeSchema.parse({ name: 'no-wait', match: ['team="no-wait"'], groupWait: '0s' }), 'test'),
    // The feature-store route resolves its incidents when the source resolves every alert.
    toRoute(routeSchema.parse({ name: 'feature-store', match: ['service="feature-store"'], autoResolve: true }), 'test'),
    toRoute(routeSchema.parse({ name: 'pagerduty', source: ['pagerduty'], autoResolve: true }), 'test'),
    // The ranker's incidents are closed by a person.
    toRoute(routeSchema.parse({ name: 'by-hand', match: ['service="now-playing-ranker"'], autoResolve: false }), 'test'),
  ]);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    const outbox = outboxService(db.dataSource);
    const audit = new AuditService(db.dataSource);
    incidents = new IncidentsService(db.dataSource, outbox, new AppMetrics(), audit, new IncidentStore(db.dataSource), incidentWriter(outbox, noEscalation), noEscalation, clock, silentLogger);
    ingest = new AlertIngestService(db.dataSource, outbox, routes, incidentWriter(outbox, noEscalation), new AppMetrics(), audit, noEscalation, clock, silentLogger);
    silences = new SilencesService(db.dataSource, audit, clock);
  });
  afterAll(() => db.close());
  beforeEach(() =>
    db.dataSource.query(`TRUNCATE incidents, incident_timeline, incident_alerts, outbox, silences, audit_log RESTART IDENTITY CASCADE`),
  );

  const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
  const pages = async () => (await q(`SELECT incident_id FROM outbox WHERE topic = 'incident.triggered' ORDER BY id`)).map((r: { incident_id: number }) => r.incident_id);
  const kinds = async (id: number) => (await incidents.timeline(id)).map((t) => t.kind);

  it('50 copies of the same alert posted at once: one incident, 50 alerts counted, one page', async () => {
    const [alert] = amAlerts('firing.json');
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => ingest.ingest([alert])));
    const rows = await q(`SELECT id, alert_count, status FROM incidents`);
    expect(rows).toEqual([{ id: expect.any(Number), alert_count: 50, status: 'triggered' }]);
    const id = rows[0].id;
    expect(await q(`SELECT alert_key, count FROM incident_alerts`)).toEqual([{ alert_key: `alertmanager:${alert.key}`, count: 50 }]);
    expect(await pages()).toEqual([id]);
    expect(outcomes.flat().filter((o) => o.outcome === 'opened')).toEqual([{ key: alert.key, outcome: 'opened', incidentId: id }]);
    expect(outcomes.flat().filter((o) => o.outcome === 'grouped' && o.incidentId === id)).toHaveLength(49);
    expect(await kinds(id)).toEqual(['incident.triggered']);
  });

  it('the database refuses a second open incident for the same group', async () => {
    await ingest.ingest(amAlerts('firing.json'));
    const [{ fingerprint }] = await q(`SELECT fingerprint FROM incidents`);
    await expect(q(`INSERT INTO incidents (title, service, source, severity, status, fingerprint, triggered_at, version) VALUES ('x', 's', 'alertmanager', 'error', 'triggered', $1, now(), 1)`, [fingerprint]))
      .rejects.toThrow(/uq_incidents_open_fingerprint/);
  });

  it('groups alerts by service and alertname; a new alert on an acknowledged incident is added without paging', async () => {
    const [ranker0, ranker1] = amAlerts('grouped-firing.json');
    await ingest.ingest([ranker0]);
    await incidents.acknowledge(1, alice);
    clock.advance(60_000);
    const [outcome] = await ingest.ingest([ranker1]);
    expect(outcome).toEqual({ key: ranker1.key, outcome: 'grouped', incidentId: 1 });
    const [incident] = await q(`SELECT status, alert_count, labels, route, runbook_url FROM incidents`);
    expect(incident).toEqual({
      status: 'acknowledged', alert_count: 2, labels: { alertname: 'RankerHighErrorRate', service: 'now-playing-ranker' }, route: 'by-hand',
      runbook_url: 'https://runbooks.example.com/now-playing-ranker/errors',
    });
    expect(await pages()).toEqual([1]);
    expect(await kinds(1)).toEqual(['incident.triggered', 'incident.acknowledged', 'incident.alert-grouped']);
    // The grouped alert is bookkeeping: no Slack update, no page.
    expect((await q(`SELECT topic FROM outbox ORDER BY id`)).map((r: { topic: string }) => r.topic)).toEqual(['incident.triggered', 'incident.acknowledged']);
    const detail = await incidents.getWithTimeline(1);
    expect(detail.alerts.map((a) => a.labels.instance).sort()).toEqual(['ranker-0:9090', 'ranker-1:9090']);
  });

  it('groupWait: alerts that would open incidents on one route within 30 s page once, as one incident; later ones open their own', async () => {
    const [ranker0] = amAlerts('grouped-firing.json');
    const other = (alertname: string, key: string) => ({ ...ranker0, key, title: alertname, labels: { ...ranker0.labels, alertname } });
    await ingest.ingest([ranker0]);
    clock.advance(20_000);
    // Another alert name (another group) on the same route, in one webhook with a third.
    const outcomes = await ingest.ingest([other('RankerSlow', 'slow'), other('RankerTimeouts', 'timeouts')]);
    expect(outcomes.map((o) => [o.outcome, o.incidentId])).toEqual([['grouped', 1], ['grouped', 1]]);
    expect(await pages()).toEqual([1]);
    const [line] = (await incidents.timeline(1)).filter((t) => t.kind === 'incident.alert-grouped');
    expect(line.message).toMatch(/^2 alerts grouped into this incident \(no new page, opened on route by-hand within its groupWait of 30s\): RankerSlow .*; RankerTimeouts /);
    expect(await q(`SELECT count(*)::int AS n FROM incident_alerts WHERE incident_id = 1`)).toEqual([{ n: 3 }]);
    // 30 s after the incident opened, a new group opens (and pages) its own incident.
    clock.advance(10_000);
    const [late] = await ingest.ingest([other('RankerLate', 'late')]);
    expect(late).toEqual({ key: 'late', outcome: 'opened', incidentId: 2 });
    // A route with groupWait 0s opens one incident per group, however close together.
    const [a, b] = await ingest.ingest([other('A', 'a'), other('B', 'b')].map((x) => ({ ...x, labels: { ...x.labels, team: 'no-wait' } })));
    expect([a.outcome, b.outcome]).toEqual(['opened', 'opened']);
    expect(await pages()).toEqual([1, 2, 3, 4]);
    // A follow-up finds the alert in the incident it joined.
    await ingest.ingest([{ ...other('RankerSlow', 'slow'), action: 'resolve' }]);
    expect(await q(`SELECT status FROM incident_alerts WHERE incident_id = 1 AND alert_key = 'alertmanager:slow'`)).toEqual([{ status: 'resolved' }]);
  });

  it('handles firing and resolved alerts of one payload; without autoResolve the incident stays open', async () => {
    await ingest.ingest(amAlerts('grouped-firing.json'));
    clock.advance(10_000);
    const outcomes = await ingest.ingest(amAlerts('mixed.json'));
    expect(outcomes.map((o) => o.outcome)).toEqual(['grouped', 'resolved']);
    expect(await q(`SELECT status FROM incident_alerts ORDER BY alert_key`)).toEqual([{ status: 'resolved' }, { status: 'firing' }]);
    expect((await kinds(1)).at(-1)).toBe('incident.alert-resolved');
    clock.advance(10_000);
    await ingest.ingest(amAlerts('grouped-resolved.json'));
    const [incident] = await q(`SELECT status, signal_resolved_at FROM incidents`);
    expect(incident.status).toBe('triggered');
    expect(incident.signal_resolved_at).not.toBeNull();
    const last = (await incidents.timeline(1)).at(-1)!;
    expect(last).toMatchObject({ kind: 'incident.signal-resolved', actorType: 'integration', actorName: 'prod-alertmanager' });
    expect(last.message).toContain('stays open until a person resolves it');
  });

  it('resolves the incident of an alert no route matches when the source resolves it (the default route auto-resolves)', async () => {
    const elsewhere = (alerts: IncomingAlert[]) => alerts.map((a) => ({ ...a, labels: { ...a.labels, service: 'checkout' } }));
    expect((await ingest.ingest(elsewhere(amAlerts('firing.json'))))[0].outcome).toBe('opened');
    clock.advance(60_000);
    expect((await ingest.ingest(elsewhere(amAlerts('resolved.json'))))[0].outcome).toBe('resolved');
    expect(await q(`SELECT status, route, auto_resolve FROM incidents`)).toEqual([{ status: 'resolved', route: 'default', auto_resolve: true }]);
  });

  it('auto-resolves when the route says so, recorded as resolved by the source, and a refiring alert opens a new incident', async () => {
    await ingest.ingest(amAlerts('firing.json'));
    clock.advance(60_000);
    expect((await ingest.ingest(amAlerts('resolved.json')))[0].outcome).toBe('resolved');
    const [incident] = await q(`SELECT status, resolved_by, route, auto_resolve FROM incidents`);
    expect(incident).toEqual({ status: 'resolved', resolved_by: 'prod-alertmanager', route: 'feature-store', auto_resolve: true });
    const resolved = (await incidents.timeline(1)).at(-1)!;
    expect(resolved).toMatchObject({ kind: 'incident.resolved', actorType: 'integration', data: { bySource: true, route: 'feature-store' } });
    const [audit] = await q(`SELECT actor_type, actor_name, before, after FROM audit_log WHERE action = 'incident.resolved'`);
    expect(audit).toMatchObject({ actor_type: 'integration', actor_name: 'prod-alertmanager', before: { status: 'triggered' }, after: { status: 'resolved' } });

    // A second resolved notification for the closed incident is dropped.
    expect((await ingest.ingest(amAlerts('resolved.json')))[0].outcome).toBe('dropped');
    clock.advance(60_000);
    expect((await ingest.ingest(amAlerts('firing.json')))[0]).toMatchObject({ outcome: 'opened', incidentId: 2 });
    expect(await pages()).toEqual([1, 2]);
  });

  it('PagerDuty: trigger, repeat, acknowledge, resolve by dedup_key; follow-ups for closed incidents are dropped', async () => {
    expect(await ingest.ingest([pdEvent('trigger.json')])).toEqual([{ key: `${PD.id}/feature-store/latency/p99`, outcome: 'opened', incidentId: 1 }]);
    expect((await ingest.ingest([pdEvent('trigger.json')]))[0].outcome).toBe('grouped');
    expect((await ingest.ingest([pdEvent('acknowledge.json')]))[0].outcome).toBe('acknowledged');
    // A second acknowledge changes nothing.
    expect((await ingest.ingest([pdEvent('acknowledge.json')]))[0].outcome).toBe('acknowledged');
    expect(await kinds(1)).toEqual(['incident.triggered', 'incident.acknowledged']);
    expect((await incidents.timeline(1))[1]).toMatchObject({ actorType: 'integration', actorName: 'grafana' });
    expect((await ingest.ingest([pdEvent('resolve.json')]))[0].outcome).toBe('resolved');
    expect((await q(`SELECT status FROM incidents`))[0].status).toBe('resolved');
    expect((await ingest.ingest([pdEvent('acknowledge.json')]))[0]).toEqual({ key: `${PD.id}/feature-store/latency/p99`, outcome: 'dropped', incidentId: null });
    expect((await ingest.ingest([pdEvent('resolve.json', { dedup_key: 'never-seen' })]))[0].outcome).toBe('dropped');
    expect(await q(`SELECT count(*)::int AS n FROM incidents`)).toEqual([{ n: 1 }]);
    // After resolution the same dedup_key triggers a new incident.
    expect((await ingest.ingest([pdEvent('trigger.json')]))[0]).toMatchObject({ outcome: 'opened', incidentId: 2 });
  });

  it('a silence mutes matching alerts (recorded, visible, no page); once expired it no longer mutes and the incident pages', async () => {
    const silence = await silences.create('silence', { matchers: [{ name: 'alertname', value: 'RankerHigh.*', isRegex: true, isEqual: true }, { name: 'instance', value: 'ranker-0:9090', isRegex: false, isEqual: true }], duration: '2h', comment: 'ranker-0 is being drained' }, alice);
    expect(silence.status).toBe('active');
    const [ranker0, ranker1] = amAlerts('grouped-firing.json');
    expect((await ingest.ingest([ranker0]))[0].outcome).toBe('opened-muted');
    expect(await pages()).toEqual([]);
    const detail = await incidents.getWithTimeline(1);
    expect(detail).toMatchObject({ muted: true, mutedReason: expect.stringContaining(`silence #${silence.id}`) });
    expect(detail.alerts[0].mutedBy).toContain(`silence #${silence.id}`);
    expect(detail.timeline[0].message).toContain('nobody paged');
    expect((await incidents.list({ sort: { field: 'id', order: 'DESC' }, offset: 0, limit: 10, filter: { muted: true } })).total).toBe(1);

    await ingest.ingest([ranker0]);
    expect(await pages()).toEqual([]);
    await silences.expire('silence', silence.id, alice);
    await expect(silences.expire('silence', silence.id, alice)).rejects.toMatchObject({ status: 409 });
    clock.advance(1000);
    await ingest.ingest([ranker0]);
    expect(await pages()).toEqual([1]);
    expect(await kinds(1)).toEqual(['incident.triggered', 'incident.unmuted']);
    expect((await q(`SELECT muted FROM incidents`))[0].muted).toBe(false);
    // The other instance was never silenced.
    expect((await ingest.ingest([ranker1]))[0].outcome).toBe('grouped');
    const audit = await q(`SELECT action, actor_name FROM audit_log WHERE entity_type = 'silence' ORDER BY id`);
    expect(audit).toEqual([{ action: 'silence.created', actor_name: 'alice' }, { action: 'silence.expired', actor_name: 'alice' }]);
  });

  it('a maintenance window mutes every alert of its service, SLO signals included', async () => {
    await silences.create('maintenance', { service: 'feature-store', duration: '1h', comment: 'reindex' }, alice);
    expect((await ingest.ingest(amAlerts('firing.json')))[0].outcome).toBe('opened-muted');
    const signal: Signal = {
      fingerprint: 'slo:feature-store.latency:page', status: 'firing', source: 'slo', service: 'feature-store', title: 'feature-store latency burning',
      severity: 'critical', sloId: 'feature-store.latency', runbookId: null, evidence: {}, at: clock.now(),
    };
    await incidents.handleSignals([signal]);
    expect(await q(`SELECT source, muted FROM incidents ORDER BY id`)).toEqual([{ source: 'alertmanager', muted: true }, { source: 'slo', muted: true }]);
    expect(await pages()).toEqual([]);
    clock.advance(2 * 3_600_000);
    await incidents.handleSignals([{ ...signal, at: clock.now() }]);
    expect(await pages()).toEqual([2]);
  });

  describe('repeats of stored alerts (one statement, no transaction)', () => {
    const newIngest = () => new AlertIngestService(db.dataSource, outboxService(db.dataSource), routes, incidentWriter(outboxService(db.dataSource), noEscalation), new AppMetrics(), new AuditService(db.dataSource), noEscalation, clock, silentLogger);
    /** Runs `fn` and says how many transactions the ingest opened meanwhile (the general path opens one per batch). */
    const transactionsDuring = async (fn: () => Promise<unknown>) => {
      const spy = jest.spyOn(db.dataSource, 'transaction');
      try {
        await fn();
        return spy.mock.calls.length;
      } finally {
        spy.mockRestore();
      }
    };

    it('count every delivery and keep the last content, like the general path, in one statement', async () => {
      const service = newIngest();
      const [ranker0, ranker1] = amAlerts('grouped-firing.json');
      await service.ingest([ranker0, ranker1]);
      clock.advance(30_000);
      const changed = { ...ranker1, annotations: { ...ranker1.annotations, description: 'now 9%' }, payload: { ...ranker1.payload, note: 'second' } };
      let outcomes: unknown;
      expect(await transactionsDuring(async () => (outcomes = await Promise.all([service.ingest([ranker0, changed]), service.ingest([changed])])))).toBe(0);
      expect(outcomes).toEqual([
        [{ key: ranker0.key, outcome: 'grouped', incidentId: 1 }, { key: ranker1.key, outcome: 'grouped', incidentId: 1 }],
        [{ key: ranker1.key, outcome: 'grouped', incidentId: 1 }],
      ]);
      expect(await q(`SELECT alert_count, last_alert_at FROM incidents`)).toEqual([{ alert_count: 5, last_alert_at: clock.now() }]);
      expect(await q(`SELECT alert_key, count, annotations->>'description' AS description, payload->>'note' AS note, last_received_at FROM incident_alerts ORDER BY count`)).toEqual([
        { alert_key: `alertmanager:${ranker0.key}`, count: 2, description: ranker0.annotations.description, note: null, last_received_at: clock.now() },
        { alert_key: `alertmanager:${ranker1.key}`, count: 3, description: 'now 9%', note: 'second', last_received_at: clock.now() },
      ]);
      expect(await kinds(1)).toEqual(['incident.triggered']);
      expect(await pages()).toEqual([1]);
    });

    it('leave out a content already stored (its hash stands for it), and take the general path when another process stored other content', async () => {
      const service = newIngest();
      const [alert] = amAlerts('firing.json');
      const key = `alertmanager:${alert.key}`;
      const row = () => q(`SELECT annotations, count, content_hash FROM incident_alerts WHERE alert_key = $1`, [key]);
      await service.ingest([alert]);
      // The first repeat sends the content with its hash.
      expect(await transactionsDuring(() => service.ingest([alert]))).toBe(0);
      expect(await row()).toEqual([{ annotations: alert.annotations, count: 2, content_hash: alertContent(alert).hash }]);
      // A probe no writer makes (content changed, hash kept): the next repeat leaves the content out, so the probe stays.
      await q(`UPDATE incident_alerts SET annotations = '{"probe":"kept"}' WHERE alert_key = $1`, [key]);
      expect(await transactionsDuring(() => service.ingest([alert]))).toBe(0);
      expect(await row()).toEqual([{ annotations: { probe: 'kept' }, count: 3, content_hash: alertContent(alert).hash }]);

      // Another process stores a changed alert (general path, then a repeat with its content).
      const other = newIngest();
      const changed = { ...alert, annotations: { ...alert.annotations, summary: 'changed elsewhere' } };
      await other.ingest([changed]);
      await other.ingest([changed]);
      expect(await row()).toEqual([{ annotations: changed.annotations, count: 5, content_hash: alertContent(changed).hash }]);
      // This process's repeat finds another hash: the statement changes nothing and the general path stores this content.
      expect(await transactionsDuring(() => service.ingest([alert]))).toBe(1);
      expect(await row()).toEqual([{ annotations: alert.annotations, count: 6, content_hash: null }]);
      expect(await transactionsDuring(() => service.ingest([alert]))).toBe(0);
      expect(await row()).toEqual([{ annotations: alert.annotations, count: 7, content_hash: alertContent(alert).hash }]);
      expect(await q(`SELECT count(*)::int AS n, sum(alert_count)::int AS alerts FROM incidents`)).toEqual([{ n: 1, alerts: 7 }]);
    });

    it('take the general path when the incident was resolved, the signal cleared or a silence started meanwhile, even in another process', async () => {
      const service = newIngest();
      const [ranker0, ranker1] = amAlerts('grouped-firing.json');
      await service.ingest([ranker0, ranker1]);
      await service.ingest([ranker0]);

      // A silence created by another process: the mutes in force changed, so the alert is recorded as muted.
      await q(`INSERT INTO silences (matchers, starts_at, ends_at, comment, created_by, created_at) VALUES ($1, $2, $3, 'drain', 'bob', $2)`, [
        JSON.stringify([{ name: 'instance', value: 'ranker-0:9090', isRegex: false, isEqual: true }]), new Date(clock.now().getTime() - 1000).toISOString(), new Date(clock.now().getTime() + 3_600_000).toISOString(),
      ]);
      expect(await transactionsDuring(() => service.ingest([ranker0]))).toBe(1);
      expect((await q(`SELECT muted_by FROM incident_alerts WHERE alert_key = $1`, [`alertmanager:${ranker0.key}`]))[0].muted_by).toContain('drain');
      // Mutes unchanged since: repeats again.
      expect(await transactionsDuring(() => service.ingest([ranker0]))).toBe(0);

      // Every alert cleared at the source (the route does not auto-resolve): a repeat is a re-fire, on the timeline.
      await service.ingest(amAlerts('grouped-resolved.json'));
      expect(await transactionsDuring(() => service.ingest([ranker1]))).toBe(1);
      expect((await kinds(1)).at(-1)).toBe('incident.signal-refired');

      // Resolved by a person: the next delivery opens a new incident and pages.
      await incidents.resolve(1, alice);
      const [outcome] = await service.ingest([ranker1]);
      expect(outcome).toEqual({ key: ranker1.key, outcome: 'opened', incidentId: 2 });
      expect(await pages()).toEqual([1, 2]);
      expect(await q(`SELECT id, alert_count FROM incidents ORDER BY id`)).toEqual([{ id: 1, alert_count: 6 }, { id: 2, alert_count: 1 }]);
    });

    it('run as a prepared statement, also from a second connection (the embedded database shares one session between them)', async () => {
      const other = new DataSource(dataSourceOptions(db.url, db.embedded));
      await other.initialize();
      try {
        const a = newIngest();
        const b = new AlertIngestService(other, outboxService(other), routes, incidentWriter(outboxService(other), noEscalation), new AppMetrics(), new AuditService(other), noEscalation, clock, silentLogger);
        const [alert] = amAlerts('firing.json');
        for (const service of [a, a, b, b, a, b]) expect((await service.ingest([alert]))[0]).toMatchObject({ incidentId: 1 });
        expect(await q(`SELECT alert_count FROM incidents`)).toEqual([{ alert_count: 6 }]);
      } finally {
        await other.destroy();
      }
    });

    it('repeats of different incidents commit side by side on PostgreSQL (one at a time on the embedded database), each delivery counted once', async () => {
      const service = newIngest();
      const [base] = amAlerts('firing.json');
      const alerts = Array.from({ length: 6 }, (_, i) => ({ ...base, key: `k${i}`, labels: { ...base.labels, alertname: `Alert${i}`, team: 'no-wait' } }));
      await service.ingest(alerts);
      // Connections held at once by the ingest: one per commit in flight.
      let open = 0;
      let most = 0;
      const create = db.dataSource.createQueryRunner.bind(db.dataSource);
      const spy = jest.spyOn(db.dataSource, 'createQueryRunner').mockImplementation((...args) => {
        const runner = create(...args);
        const release = runner.release.bind(runner);
        most = Math.max(most, ++open);
        runner.release = () => (open--, release());
        return runner;
      });
      try {
        const sent = Array.from({ length: 60 }, (_, i) => [alerts[i % 6], ...(i % 4 ? [] : [alerts[(i + 1) % 6]])]);
        expect(await transactionsDuring(() => Promise.all(sent.map((batch) => service.ingest(batch))))).toBe(0);
        expect(most).toBe(db.embedded ? 1 : 2);
        const expected = new Map(alerts.map((a) => [`alertmanager:${a.key}`, 1]));
        for (const batch of sent) for (const a of batch) expected.set(`alertmanager:${a.key}`, expected.get(`alertmanager:${a.key}`)! + 1);
        const rows: Array<{ alert_key: string; count: number }> = await q(`SELECT alert_key, count FROM incident_alerts ORDER BY alert_key`);
        expect(new Map(rows.map((r) => [r.alert_key, r.count]))).toEqual(expected);
        expect(await q(`SELECT sum(alert_count)::int AS n, count(*)::int AS incidents FROM incidents`)).toEqual([{ n: 6 + 75, incidents: 6 }]);
      } finally {
        spy.mockRestore();
      }
    });

    it('two processes repeating the same alerts concurrently count every delivery once', async () => {
      const [a, b] = [newIngest(), newIngest()];
      const alerts = amAlerts('grouped-firing.json');
      await a.ingest(alerts);
      await b.ingest(alerts);
      await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).ingest(i % 3 ? alerts : [alerts[i % 2]])));
      const [{ alert_count }] = await q(`SELECT alert_count FROM incidents`);
      const [{ total }] = await q(`SELECT sum(count)::int AS total FROM incident_alerts`);
      const expected = 4 + Array.from({ length: 40 }, (_, i) => (i % 3 ? 2 : 1)).reduce((x, y) => x + y, 0);
      expect([alert_count, total]).toEqual([expected, expected]);
      expect(await q(`SELECT count(*)::int AS n FROM incidents`)).toEqual([{ n: 1 }]);
    });
  });

  it('snoozed incidents take new alerts without paging and return to triggered when the snooze ends', async () => {
    await ingest.ingest([pdEvent('trigger.json')]);
    await incidents.snooze(1, alice, 1800);
    await ingest.ingest([pdEvent('trigger.json', { dedup_key: 'another' })]);
    expect((await q(`SELECT status, alert_count FROM incidents`))[0]).toEqual({ status: 'snoozed', alert_count: 2 });
    expect(await pages()).toEqual([1]);
    expect(await incidents.endDueSnoozes()).toBe(0);
    clock.advance(1800_000);
    expect(await incidents.endDueSnoozes()).toBe(1);
    expect((await q(`SELECT status, snoozed_until FROM incidents`))[0]).toEqual({ status: 'triggered', snoozed_until: null });
    expect((await kinds(1)).slice(-1)).toEqual(['incident.unsnoozed']);
  });
});
