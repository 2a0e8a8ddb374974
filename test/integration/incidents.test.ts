import { ManualClock } from '../../server/src/common/clock';
import { AppMetrics } from '../../server/src/common/metrics';
import { SignalBus, type Signal } from '../../server/src/common/signals';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { OutboxService } from '../../server/src/outbox/outbox.service';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { silentLogger } from '../support/test-logger';

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
    outbox = new OutboxService(db.dataSource);
    incidents = new IncidentsService(db.dataSource, outbox, new SignalBus(), new AppMetrics(), clock, silentLogger);
  });
  afterAll(() => db.close());
  beforeEach(() => db.dataSource.query(`TRUNCATE incidents, incident_timeline, outbox RESTART IDENTITY CASCADE`));

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
