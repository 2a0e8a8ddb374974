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
import { toHeartbeatDefinition } from '../../server/src/rules/heartbeat-definition';
import { RulesService } from '../../server/src/rules/rules.service';
import { HeartbeatsService } from '../../server/src/sources/heartbeats/heartbeats.service';
import * as fs from 'node:fs';
import { alertsWithDefaultPolicy } from '../support/alerts-with-default-policy';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { escalationEngine, incidentWriter, oncallService, outboxService } from '../support/services';
import { silentLogger } from '../support/test-logger';

const ROOT = path.resolve(__dirname, '../..');
const MIN = 60_000;
const alice = { type: 'user' as const, id: 'u-alice', name: 'alice' };

/**
 * Heartbeats through the real incidents stage and escalation engine over a real database, with a
 * manual clock: a beat on time opens nothing, a missed one opens an incident (paging, or a ticket),
 * the next beat resolves it with a timeline line; declarations from YAML and the API.
 */
describe.each(databaseKinds())('heartbeats on %s', (kind) => {
  let db: TestDatabase;
  const alertsDir = alertsWithDefaultPolicy();
  let heartbeats: HeartbeatsService;
  const clock = new ManualClock(new Date('2026-12-07T10:00:00Z'));
  const watchdog = toHeartbeatDefinition({ name: 'alertmanager', interval: '5m', grace: '1m', severity: 'page', runbook: 'now-playing-ranker-availability.md' }, 'alerts/heartbeats.yaml');
  const backup = toHeartbeatDefinition({ name: 'nightly-backup', interval: '1d', grace: '1h', severity: 'ticket', service: 'feature-store' }, 'alerts/heartbeats.yaml');

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    const config = loadConfig({ HEADROOM_ALERTS_DIR: alertsDir }, ROOT);
    const outbox = outboxService(db.dataSource, config);
    const engine = escalationEngine(db.dataSource, { outbox, oncall: oncallService(db.dataSource, config, clock), config, clock });
    const transitions: IncidentTransitionHandler = { incidentPaged: (m, id) => engine.start(m, id), incidentStatusChanged: (m, id) => engine.wake(m, id) };
    const incidents = new IncidentsService(
      db.dataSource, outbox, new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outbox, transitions), transitions, clock, silentLogger,
    );
    heartbeats = new HeartbeatsService(
      db.dataSource, new RulesService(config), incidents, new AuditService(db.dataSource), new LeaseService(db.dataSource), new SchedulerRegistry(), clock, config, silentLogger,
    );
    await heartbeats.syncDeclared([watchdog, backup]);
  });
  afterAll(async () => {
    await db.close();
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  const incidentsOf = (name: string) =>
    db.dataSource.query(`SELECT id, title, severity, status, source, service, runbook_id, evidence FROM incidents WHERE fingerprint = $1 ORDER BY id`, [`heartbeat:${name}`]);

  it('opens nothing while beats come on time; a missed beat opens a paging incident; the next beat resolves it', async () => {
    await heartbeats.beat('alertmanager');
    const lastBeat = clock.now();
    clock.advance(6 * MIN);
    await heartbeats.check();
    expect(await incidentsOf('alertmanager')).toEqual([]);
    expect((await heartbeats.get('alertmanager')).state).toBe('ok');

    clock.advance(1000);
    const signals = await heartbeats.check();
    expect(signals.map((s) => [s.fingerprint, s.status])).toEqual([['heartbeat:alertmanager', 'firing']]);
    const [opened] = await incidentsOf('alertmanager');
    expect(opened).toMatchObject({
      title: `heartbeat alertmanager missed (last beat at ${lastBeat.toISOString().replace('.000Z', 'Z')})`,
      severity: 'critical', status: 'triggered', source: 'heartbeat', service: 'alertmanager', runbook_id: 'now-playing-ranker-availability',
    });
    expect(opened.evidence).toMatchObject({ lastBeatAt: lastBeat.toISOString(), interval: '5m', grace: '1m' });
    // A page: queued for delivery, and the escalation started.
    expect(await db.dataSource.query(`SELECT topic FROM outbox WHERE incident_id = $1 ORDER BY id`, [opened.id])).toContainEqual({ topic: 'incident.triggered' });
    expect(await db.dataSource.query(`SELECT incident_id FROM escalations WHERE incident_id = $1`, [opened.id])).toHaveLength(1);
    expect((await heartbeats.get('alertmanager')).state).toBe('missed');

    // Later passes keep the one incident.
    clock.advance(MIN);
    await heartbeats.check();
    expect(await incidentsOf('alertmanager')).toHaveLength(1);

    clock.advance(MIN);
    const receipt = await heartbeats.beat('alertmanager');
    expect(receipt).toEqual({ name: 'alertmanager', lastBeatAt: clock.now(), resolvedIncidentId: opened.id });
    const [resolved] = await incidentsOf('alertmanager');
    expect(resolved.status).toBe('resolved');
    const [line] = await db.dataSource.query(`SELECT message, actor_name FROM incident_timeline WHERE incident_id = $1 AND kind = 'incident.resolved'`, [opened.id]);
    expect(line).toEqual({ message: `Resolved automatically: heartbeat alertmanager beat again at ${clock.now().toISOString().replace('.000Z', 'Z')}`, actor_name: 'Headroom' });
    // The resolve stopped the escalation: it is woken to see the change.
    const [esc] = await db.dataSource.query(`SELECT wake_at FROM escalations WHERE incident_id = $1`, [opened.id]);
    expect(new Date(esc.wake_at).getTime()).toBeLessThanOrEqual(clock.now().getTime());

    // The next pass sees it beating: the mark is cleared, nothing more is signalled.
    expect((await heartbeats.check()).map((s) => s.status)).toEqual(['resolved']);
    expect(await heartbeats.check()).toEqual([]);
    expect((await heartbeats.get('alertmanager')).state).toBe('ok');
  });

  it('a heartbeat that never beat is missed interval + grace after it was declared; a ticket pages nobody', async () => {
    clock.advance(25 * 60 * MIN);
    await heartbeats.beat('alertmanager');
    await heartbeats.check();
    const [ticket] = await incidentsOf('nightly-backup');
    expect(ticket).toMatchObject({ severity: 'warning', status: 'triggered', service: 'feature-store' });
    expect(ticket.title).toMatch(/^heartbeat nightly-backup missed \(no beat since it was declared at /);
    expect(await db.dataSource.query(`SELECT key FROM outbox WHERE incident_id = $1`, [ticket.id])).toEqual([]);
    expect(await db.dataSource.query(`SELECT incident_id FROM escalations WHERE incident_id = $1`, [ticket.id])).toEqual([]);
    await heartbeats.beat('nightly-backup');
    expect((await incidentsOf('nightly-backup'))[0].status).toBe('resolved');
  });

  it('answers 404 naming an undeclared heartbeat', async () => {
    await expect(heartbeats.beat('nope')).rejects.toMatchObject({ status: 404, message: expect.stringContaining('heartbeat nope is not declared') });
  });

  it('declares, changes and removes heartbeats through the API, audited; a file-declared one is changed in its file', async () => {
    const created = await heartbeats.create({ name: 'etl', interval: '1h', grace: '5m', severity: 'ticket' }, alice);
    expect(created).toMatchObject({ id: 'etl', origin: 'api', interval: '1h', grace: '5m', service: 'etl', state: 'waiting', lastBeatAt: null });
    await expect(heartbeats.create({ name: 'etl', interval: '1h', grace: '5m', severity: 'ticket' }, alice)).rejects.toMatchObject({ status: 409 });
    await expect(heartbeats.create({ name: 'x', interval: '1h', grace: '0s', severity: 'page', runbook: 'gone.md' }, alice)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('runbook') });
    expect(await heartbeats.update('etl', { name: 'etl', interval: '2h', grace: '5m', severity: 'page' }, alice)).toMatchObject({ interval: '2h', severity: 'page' });
    await expect(heartbeats.update('alertmanager', { name: 'alertmanager', interval: '2h', grace: '5m', severity: 'page' }, alice)).rejects.toMatchObject({ status: 409, message: expect.stringContaining('alerts/heartbeats.yaml') });

    // Missed, then removed: its incident resolves, since nothing will beat it again.
    clock.advance(3 * 60 * MIN);
    await heartbeats.check();
    expect((await incidentsOf('etl'))[0].status).toBe('triggered');
    await heartbeats.remove('etl', alice);
    expect((await incidentsOf('etl'))[0].status).toBe('resolved');
    await expect(heartbeats.get('etl')).rejects.toMatchObject({ status: 404 });
    const audit = await db.dataSource.query(`SELECT action, actor_name FROM audit_log WHERE entity_type = 'heartbeat' ORDER BY id`);
    expect(audit).toEqual([
      { action: 'heartbeat.created', actor_name: 'alice' },
      { action: 'heartbeat.updated', actor_name: 'alice' },
      { action: 'heartbeat.deleted', actor_name: 'alice' },
    ]);
  });

  it('syncs YAML declarations: a change keeps the last beat, a removal deletes the row', async () => {
    const before = await heartbeats.get('alertmanager');
    await heartbeats.syncDeclared([{ ...watchdog, intervalSeconds: 600 }]);
    const after = await heartbeats.get('alertmanager');
    expect(after).toMatchObject({ interval: '10m', lastBeatAt: before.lastBeatAt, declaredAt: before.declaredAt });
    expect((await heartbeats.list()).map((h) => h.name)).toEqual(['alertmanager']);
  });
});
