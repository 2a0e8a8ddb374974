import * as path from 'node:path';
import { AuditService } from '../../server/src/audit/audit.service';
import { ManualClock } from '../../server/src/common/clock';
import { loadConfig } from '../../server/src/config/config';
import { IncidentReportsService } from '../../server/src/incidents/incident-reports.service';
import { AppMetrics } from '../../server/src/common/metrics';
import type { Signal } from '../../server/src/common/signals';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { OutboxService } from '../../server/src/outbox/outbox.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { incidentWriter, outboxService, changesService } from '../support/services';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import { silentLogger } from '../support/test-logger';
import { noEscalation } from '../support/pipeline-stages';

const alice = { type: 'user' as const, id: 'u-alice', name: 'alice' };

function signal(status: Signal['status'], at: Date, fingerprint = 'slo:now-playing-ranker.availability:page'): Signal {
  return {
    fingerprint, status, source: 'slo', service: 'now-playing-ranker', title: 'ranker availability burning', severity: 'critical',
    sloId: 'now-playing-ranker.availability', runbookId: 'now-playing-ranker-availability', evidence: { burnRates: { '5m': 1000 } }, at,
  };
}

describe.each(databaseKinds())('incidents on %s', (kind) => {
  let db: TestDatabase;
  let incidents: IncidentsService;
  let outbox: OutboxService;
  const clock = new ManualClock(new Date('2026-11-25T03:00:00Z'));

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    outbox = outboxService(db.dataSource);
    incidents = new IncidentsService(db.dataSource, outbox, new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outbox, noEscalation), noEscalation, clock, silentLogger);
  });
  afterAll(() => db.close());
  beforeEach(() => db.dataSource.query(`TRUNCATE incidents, incident_timeline, outbox, audit_log RESTART IDENTITY CASCADE`));

  const outboxRows = () => db.dataSource.query(`SELECT key, topic, incident_id FROM outbox ORDER BY id`);

  it('opens one incident and queues one page when the same signal fires concurrently', async () => {
    await Promise.all(Array.from({ length: 20 }, () => incidents.handleSignals([signal('firing', clock.now())])));
    const rows = await db.dataSource.query(`SELECT id, status FROM incidents`);
    expect(rows).toHaveLength(1);
    expect(await outboxRows()).toEqual([{ key: `incident:${rows[0].id}:page`, topic: 'incident.triggered', incident_id: rows[0].id }]);
    const timeline = await incidents.timeline(rows[0].id);
    expect(timeline.map((t) => t.kind)).toEqual(['incident.triggered']);
  });

  it('the database itself refuses a second open incident for a fingerprint', async () => {
    await incidents.handleSignals([signal('firing', clock.now())]);
    await expect(
      db.dataSource.query(
        `INSERT INTO incidents (title, service, source, severity, status, fingerprint, triggered_at, version) VALUES ('x', 's', 'slo', 'critical', 'triggered', $1, now(), 1)`,
        ['slo:now-playing-ranker.availability:page'],
      ),
    ).rejects.toThrow(/uq_incidents_open_fingerprint/);
  });

  it('acknowledges and resolves with a timeline row and an outbox message each, naming the actor', async () => {
    await incidents.handleSignals([signal('firing', clock.now())]);
    const [{ id }] = await db.dataSource.query(`SELECT id FROM incidents`);
    clock.advance(60_000);
    const acked = await incidents.acknowledge(id, alice);
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice', acknowledgedAt: clock.now() });
    await expect(incidents.acknowledge(id, alice)).rejects.toMatchObject({ status: 409 });
    clock.advance(60_000);
    await incidents.resolve(id, alice);
    await expect(incidents.resolve(id, alice)).rejects.toMatchObject({ status: 409 });
    await expect(incidents.acknowledge(999, alice)).rejects.toMatchObject({ status: 404 });

    const timeline = await incidents.timeline(id);
    expect(timeline.map((t) => [t.kind, t.actorName])).toEqual([
      ['incident.triggered', 'Headroom'],
      ['incident.acknowledged', 'alice'],
      ['incident.resolved', 'alice'],
    ]);
    expect((await outboxRows()).map((r: { topic: string }) => r.topic)).toEqual(['incident.triggered', 'incident.acknowledged', 'incident.resolved']);
  });

  it('records the signal resolving and refiring without paging again, and a new incident after resolution', async () => {
    await incidents.handleSignals([signal('firing', clock.now())]);
    await incidents.handleSignals([signal('firing', clock.now())]);
    await incidents.handleSignals([signal('resolved', clock.now())]);
    await incidents.handleSignals([signal('resolved', clock.now())]);
    await incidents.handleSignals([signal('firing', clock.now())]);
    const [{ id }] = await db.dataSource.query(`SELECT id FROM incidents`);
    expect((await incidents.timeline(id)).map((t) => t.kind)).toEqual(['incident.triggered', 'incident.signal-resolved', 'incident.signal-refired']);
    expect((await outboxRows()).filter((r: { topic: string }) => r.topic === 'incident.triggered')).toHaveLength(1);

    await incidents.resolve(id, alice);
    await incidents.handleSignals([signal('firing', clock.now())]);
    const all = await db.dataSource.query(`SELECT id, status FROM incidents ORDER BY id`);
    expect(all.map((r: { status: string }) => r.status)).toEqual(['resolved', 'triggered']);
    expect((await outboxRows()).filter((r: { topic: string }) => r.topic === 'incident.triggered')).toHaveLength(2);
  });

  it('lists with react-admin filters, sort and range', async () => {
    await incidents.handleSignals([signal('firing', clock.now(), 'a'), signal('firing', clock.now(), 'b'), signal('firing', clock.now(), 'c')]);
    await incidents.acknowledge(2, alice);
    const page = await incidents.list({ sort: { field: 'id', order: 'ASC' }, offset: 1, limit: 1, filter: {} });
    expect(page.total).toBe(3);
    expect(page.items.map((i) => i.id)).toEqual([2]);
    const triggered = await incidents.list({ sort: { field: 'id', order: 'DESC' }, offset: 0, limit: 10, filter: { status: 'triggered' } });
    expect(triggered.items.map((i) => i.id)).toEqual([3, 1]);
    const byIds = await incidents.list({ sort: { field: 'id', order: 'ASC' }, offset: 0, limit: 10, filter: { id: [1, 3] } });
    expect(byIds.items.map((i) => i.id)).toEqual([1, 3]);
    const text = await incidents.list({ sort: { field: 'id', order: 'ASC' }, offset: 0, limit: 10, filter: { q: 'RANKER avail' } });
    expect(text.total).toBe(3);
    const none = await incidents.list({ sort: { field: 'id', order: 'ASC' }, offset: 0, limit: 10, filter: { q: '100%_' } });
    expect(none.total).toBe(0);
  });
});

describe.each(databaseKinds())('people acting on incidents, reviews and the audit log on %s', (kind) => {
  let db: TestDatabase;
  let incidents: IncidentsService;
  let reports: IncidentReportsService;
  const clock = new ManualClock(new Date('2026-11-25T03:00:00Z'));
  const bob = { type: 'slack' as const, id: 'U0BOB', name: 'bob' };

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    const audit = new AuditService(db.dataSource);
    incidents = new IncidentsService(db.dataSource, outboxService(db.dataSource), new AppMetrics(), audit, new IncidentStore(db.dataSource), incidentWriter(outboxService(db.dataSource), noEscalation), noEscalation, clock, silentLogger);
    const config = loadConfig({ HEADROOM_PUBLIC_URL: 'https://headroom.example.com' }, path.resolve(__dirname, '../..'));
    reports = new IncidentReportsService(db.dataSource, incidents, new RulesService(config), config, clock, changesService(db.dataSource, clock));
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    clock.set(new Date('2026-11-25T03:00:00Z'));
    await db.dataSource.query(`TRUNCATE incidents, incident_timeline, outbox, audit_log RESTART IDENTITY CASCADE`);
  });

  const q = (sql: string, params: unknown[] = []) => db.dataSource.query(sql, params);
  const topics = async () => (await q(`SELECT topic FROM outbox ORDER BY id`)).map((r: { topic: string }) => r.topic);

  it('snooze, reassign, note and re-open each write a timeline row, a Slack update and an audit entry with before and after', async () => {
    await incidents.handleSignals([signal('firing', clock.now())]);
    clock.advance(60_000);
    await incidents.snooze(1, alice, 1800);
    await incidents.reassign(1, alice, 'bob');
    await incidents.addUserNote(1, bob, 'rolled back ranker v42');
    await incidents.resolve(1, bob);
    clock.advance(60_000);
    const reopened = await incidents.reopen(1, alice);
    expect(reopened).toMatchObject({ status: 'triggered', resolvedAt: null, assignee: 'bob', snoozedUntil: null });
    expect((await incidents.timeline(1)).map((t) => [t.kind, t.actorName])).toEqual([
      ['incident.triggered', 'Headroom'],
      ['incident.snoozed', 'alice'],
      ['incident.reassigned', 'alice'],
      ['incident.note-added', 'bob'],
      ['incident.resolved', 'bob'],
      ['incident.reopened', 'alice'],
    ]);
    expect(await topics()).toEqual(['incident.triggered', 'incident.snoozed', 'incident.reassigned', 'incident.note-added', 'incident.resolved', 'incident.reopened']);
    const audit = await q(`SELECT action, actor_type, actor_name, before->>'status' AS before, after->>'status' AS after, after->>'assignee' AS assignee FROM audit_log ORDER BY id`);
    expect(audit).toEqual([
      { action: 'incident.snoozed', actor_type: 'user', actor_name: 'alice', before: 'triggered', after: 'snoozed', assignee: null },
      { action: 'incident.reassigned', actor_type: 'user', actor_name: 'alice', before: 'snoozed', after: 'snoozed', assignee: 'bob' },
      { action: 'incident.note-added', actor_type: 'slack', actor_name: 'bob', before: 'snoozed', after: 'snoozed', assignee: 'bob' },
      { action: 'incident.resolved', actor_type: 'slack', actor_name: 'bob', before: 'snoozed', after: 'resolved', assignee: 'bob' },
      { action: 'incident.reopened', actor_type: 'user', actor_name: 'alice', before: 'resolved', after: 'triggered', assignee: 'bob' },
    ]);
  });

  it('refuses actions that do not apply with a 409 and records nothing', async () => {
    await incidents.handleSignals([signal('firing', clock.now())]);
    await expect(incidents.reopen(1, alice)).rejects.toMatchObject({ status: 409 });
    await expect(incidents.reassign(1, alice, null)).rejects.toMatchObject({ status: 409 });
    await incidents.resolve(1, alice);
    for (const attempt of [
      () => incidents.resolve(1, alice),
      () => incidents.acknowledge(1, alice),
      () => incidents.snooze(1, alice, 60),
      () => incidents.reassign(1, alice, 'bob'),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ status: 409 });
    }
    await expect(incidents.snooze(99, alice, 60)).rejects.toMatchObject({ status: 404 });
    expect((await incidents.timeline(1)).map((t) => t.kind)).toEqual(['incident.triggered', 'incident.resolved']);
    expect(await q(`SELECT action FROM audit_log`)).toEqual([{ action: 'incident.resolved' }]);
  });

  it('will not re-open an incident while another is open for the same alert', async () => {
    await incidents.handleSignals([signal('firing', clock.now())]);
    await incidents.resolve(1, alice);
    await incidents.handleSignals([signal('firing', clock.now())]);
    await expect(incidents.reopen(1, alice)).rejects.toMatchObject({ status: 409, message: expect.stringContaining('incident 2 is open for the same alert') });
  });

  it('opens a manual incident that pages, audited with its creator', async () => {
    const created = await incidents.createManual({ title: 'Recommendations look stale', service: 'candidate-retrieval', severity: 'warning', description: 'Reported by support', assignee: 'alice' }, alice);
    expect(created).toMatchObject({ source: 'manual', status: 'triggered', assignee: 'alice', fingerprint: expect.stringMatching(/^manual:/) });
    expect(await topics()).toEqual(['incident.triggered']);
    expect(await q(`SELECT action, actor_name, after->>'source' AS source FROM audit_log`)).toEqual([{ action: 'incident.created', actor_name: 'alice', source: 'manual' }]);
  });

  it('keeps the audit log append-only in the database', async () => {
    await incidents.createManual({ title: 't', service: 's', severity: 'info' }, alice);
    await expect(q(`UPDATE audit_log SET actor_name = 'mallory'`)).rejects.toThrow(/append-only/);
    await expect(q(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
    expect(await q(`SELECT actor_name FROM audit_log`)).toEqual([{ actor_name: 'alice' }]);
  });

  it('filters the list by status, assignee, source and trigger time, and names a bad status', async () => {
    await incidents.handleSignals([signal('firing', clock.now(), 'a'), signal('firing', clock.now(), 'b')]);
    clock.advance(3_600_000);
    await incidents.createManual({ title: 'manual', service: 's', severity: 'info', assignee: 'carol' }, alice);
    await incidents.acknowledge(1, alice);
    const list = (filter: Record<string, unknown>) => incidents.list({ sort: { field: 'id', order: 'ASC' }, offset: 0, limit: 10, filter });
    expect((await list({ status: ['triggered', 'acknowledged'] })).items.map((i) => i.id)).toEqual([1, 2, 3]);
    expect((await list({ assignee: 'carol' })).items.map((i) => i.id)).toEqual([3]);
    expect((await list({ source: 'slo', status: 'triggered' })).items.map((i) => i.id)).toEqual([2]);
    expect((await list({ triggeredAt_gte: '2026-11-25T03:30:00Z' })).items.map((i) => i.id)).toEqual([3]);
    await expect(list({ status: 'open' })).rejects.toMatchObject({ status: 400, response: { issues: [{ field: 'filter.status' }] } });
    const sorted = await incidents.list({ sort: { field: 'triggeredAt', order: 'DESC' }, offset: 0, limit: 1, filter: {} });
    expect(sorted).toMatchObject({ total: 3, items: [{ id: 3 }] });
  });

  it('counts exactly up to 1,000 matches and estimates beyond', async () => {
    await q(`INSERT INTO incidents (title, service, source, severity, status, fingerprint, triggered_at, version)
             SELECT 'seeded ' || g, 'svc-' || (g % 4), 'slo', 'error', 'resolved', 'seed:' || g, now(), 1 FROM generate_series(1, 1050) g`);
    await q(`ANALYZE incidents`);
    const page = await incidents.list({ sort: { field: 'id', order: 'DESC' }, offset: 0, limit: 25, filter: { status: 'resolved' } });
    expect(page.items).toHaveLength(25);
    expect(page.items[0].id).toBe(1050);
    expect(page.total).toBeGreaterThan(1000);
    expect(page.total).toBeLessThan(1200);
    expect((await incidents.list({ sort: { field: 'id', order: 'DESC' }, offset: 0, limit: 25, filter: { service: 'svc-1' } })).total).toBe(263);
  });

  it('reports time to acknowledge and resolve per service and week', async () => {
    clock.set(new Date('2026-11-16T10:00:00Z')); // the week before
    await incidents.handleSignals([signal('firing', clock.now(), 'old')]);
    clock.advance(600_000);
    await incidents.acknowledge(1, alice);
    clock.set(new Date('2026-11-24T10:00:00Z'));
    await incidents.handleSignals([signal('firing', clock.now(), 'x'), signal('firing', clock.now(), 'y')]);
    clock.advance(120_000);
    await incidents.acknowledge(2, alice);
    clock.advance(120_000);
    await incidents.acknowledge(3, alice);
    clock.advance(3_360_000);
    await incidents.resolve(2, alice);
    // A ticket paged nobody: how fast someone acknowledged it says nothing of the on-call's response.
    await incidents.handleSignals([{ ...signal('firing', clock.now(), 'slow'), urgency: 'ticket' }]);
    clock.advance(7_200_000);
    await incidents.acknowledge(4, alice);
    clock.set(new Date('2026-11-25T03:00:00Z'));
    const rows = await reports.responseTimes({ weeks: 2 });
    expect(rows).toEqual([
      { id: 'now-playing-ranker@2026-11-23', service: 'now-playing-ranker', week: '2026-11-23', incidents: 2, acknowledged: 2, resolved: 1, mttaSeconds: 180, medianTtaSeconds: 180, mttrSeconds: 3600, medianTtrSeconds: 3600 },
      { id: 'now-playing-ranker@2026-11-16', service: 'now-playing-ranker', week: '2026-11-16', incidents: 1, acknowledged: 1, resolved: 0, mttaSeconds: 600, medianTtaSeconds: 600, mttrSeconds: null, medianTtrSeconds: null },
    ]);
    expect(await reports.responseTimes({ weeks: 1, services: ['feature-store'] })).toEqual([]);
  });

  it('drafts a postmortem with the timeline, response times and the runbook', async () => {
    await incidents.handleSignals([signal('firing', clock.now())]);
    clock.advance(252_000);
    await incidents.acknowledge(1, alice);
    clock.advance(3_468_000);
    await incidents.resolve(1, alice);
    const md = await reports.postmortem(1);
    expect(md).toContain('# Postmortem: ranker availability burning');
    expect(md).toContain('4m 12s (time to acknowledge)');
    expect(md).toContain('1h 2m (time to resolve)');
    expect(md).toContain('| Headroom (system) | Triggered: ranker availability burning |');
    expect(md).toContain('(https://headroom.example.com/#/runbooks/now-playing-ranker-availability/show)');
    expect(md).toContain('"burnRates"');
    await expect(reports.postmortem(42)).rejects.toMatchObject({ status: 404 });
  });
});
