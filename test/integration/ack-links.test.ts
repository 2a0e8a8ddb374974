import * as path from 'node:path';
import { AuditService } from '../../server/src/audit/audit.service';
import { UserStore } from '../../server/src/auth/user-store';
import { ManualClock } from '../../server/src/common/clock';
import { AppMetrics } from '../../server/src/common/metrics';
import { loadConfig, type AppConfig } from '../../server/src/config/config';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { AckLinks } from '../../server/src/notify/ack-link/ack-links.service';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { noEscalation } from '../support/pipeline-stages';
import { incidentWriter, outboxService } from '../support/services';
import { silentLogger } from '../support/test-logger';
import { addUser } from '../support/users';

const root = path.resolve(__dirname, '../..');
const SAME_SITE = { origin: 'https://headroom.example.com', host: 'headroom.example.com' };

/**
 * Acknowledge links on a fake clock, against the real database: signed with the secret kept in
 * the database when none is configured, shown without acting, acknowledging once, expiring.
 */
describe.each(databaseKinds())('acknowledge links on %s', (kind) => {
  let db: TestDatabase;
  let incidents: IncidentsService;
  const clock = new ManualClock(new Date('2026-12-08T03:00:00Z'));
  const config: AppConfig = loadConfig({ HEADROOM_PUBLIC_URL: 'https://headroom.example.com', HEADROOM_ACK_LINK_HOURS: '2' }, root);
  const links = () => new AckLinks(db.dataSource, incidents, new UserStore(db.dataSource), config, clock, silentLogger);
  const tokenOf = (url: string) => url.slice('https://headroom.example.com/ack/'.length);
  const incident = async (id: number) => (await db.dataSource.query(`SELECT status, acknowledged_by FROM incidents WHERE id = $1`, [id]))[0];
  const open = async (title = 'p99 latency burn') =>
    (await incidents.createManual({ title, service: 'now-playing-ranker', severity: 'critical' }, { type: 'user', id: null, name: 'tester' })).id;

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    const outbox = outboxService(db.dataSource);
    incidents = new IncidentsService(db.dataSource, outbox, new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outbox, noEscalation), noEscalation, clock, silentLogger);
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.dataSource.query(`TRUNCATE incidents, incident_timeline, outbox, audit_log, ack_link_uses, users RESTART IDENTITY CASCADE`);
    clock.set(new Date('2026-12-08T03:00:00Z'));
    await addUser(db, 'rae@example.com', 'Rae');
  });

  it('signs with one secret made once and kept in the database, so every process verifies every other\'s links', async () => {
    await db.dataSource.query(`DELETE FROM ack_link_secret`);
    const id = await open();
    const [a, b] = [links(), links()];
    const [urlA, urlB] = await Promise.all([a.linkFor(id, { email: 'Rae@Example.com' }), b.linkFor(id, { email: 'rae@example.com' })]);
    expect(urlA).toMatch(/^https:\/\/headroom\.example\.com\/ack\/a1\.[\w-]+\.[\w-]+$/);
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM ack_link_secret`)).toEqual([{ n: 1 }]);
    expect((await b.view(tokenOf(urlA))).button).toBe(true);
    expect((await links().view(tokenOf(urlB))).button).toBe(true);
    // A configured secret is another secret: links signed under the stored one are not its own.
    const configured = new AckLinks(db.dataSource, incidents, new UserStore(db.dataSource), { ...config, ackLinks: { secret: 'c'.repeat(32), ttlHours: 2 } }, clock, silentLogger);
    expect(await configured.view(tokenOf(urlA))).toMatchObject({ status: 403, heading: 'This link is not valid' });
  });

  it('shows the incident and a button on GET without acknowledging; POST acknowledges as the person, via the link, once', async () => {
    const id = await open('ranker <down>');
    const acks = links();
    const token = tokenOf(await acks.linkFor(id, { email: 'rae@example.com' }));
    const page = await acks.view(token);
    expect(page).toMatchObject({ status: 200, button: true, incident: { id, title: 'ranker <down>', status: 'triggered', url: `https://headroom.example.com/#/incidents/${id}/show` } });
    expect(await acks.view(token)).toMatchObject({ status: 200, button: true });
    expect(await incident(id)).toEqual({ status: 'triggered', acknowledged_by: null });

    clock.advance(60_000);
    expect(await acks.acknowledge(token, SAME_SITE)).toMatchObject({ status: 200, heading: 'Acknowledged', incident: { status: 'acknowledged' } });
    expect(await incident(id)).toEqual({ status: 'acknowledged', acknowledged_by: 'Rae (via email link)' });
    const timeline = await incidents.timeline(id);
    expect(timeline.map((t) => [t.kind, t.actorType, t.actorName, t.message])).toContainEqual(['incident.acknowledged', 'user', 'Rae (via email link)', 'Acknowledged by Rae (via email link)']);
    expect(await db.dataSource.query(`SELECT actor_type, actor_name, action FROM audit_log WHERE action = 'incident.acknowledged'`)).toEqual([
      { actor_type: 'user', actor_name: 'Rae (via email link)', action: 'incident.acknowledged' },
    ]);
    expect(await db.dataSource.query(`SELECT incident_id, user_email, used_at FROM ack_link_uses`)).toEqual([{ incident_id: id, user_email: 'rae@example.com', used_at: new Date('2026-12-08T03:01:00Z') }]);

    expect(await acks.acknowledge(token, SAME_SITE)).toMatchObject({ status: 409, heading: 'This link was already used', lines: [`It acknowledged incident #${id} at 2026-12-08T03:01:00.000Z; each link works once.`] });
    expect(await acks.view(token)).toMatchObject({ status: 409, heading: 'This link was already used' });
  });

  it('acknowledges once when the button is pressed twice at the same moment', async () => {
    const id = await open();
    const acks = links();
    const token = tokenOf(await acks.linkFor(id, { email: 'rae@example.com' }));
    const pages = await Promise.all([acks.acknowledge(token, {}), links().acknowledge(token, {})]);
    expect(pages.map((p) => p.status).sort()).toEqual([200, 409]);
    expect((await incidents.timeline(id)).filter((t) => t.kind === 'incident.acknowledged')).toHaveLength(1);
  });

  it('says an incident is already acknowledged or resolved, and leaves the link unspent', async () => {
    const id = await open();
    const acks = links();
    const token = tokenOf(await acks.linkFor(id, { email: 'rae@example.com' }));
    await incidents.acknowledge(id, { type: 'slack', id: 'U0SAM', name: 'Sam' });
    const shown = await acks.view(token);
    expect(shown).toMatchObject({ status: 200, heading: 'Already acknowledged', lines: ['Sam acknowledged it at 2026-12-08T03:00:00.000Z.'] });
    expect(shown.button).toBeFalsy();
    expect(await acks.acknowledge(token, SAME_SITE)).toMatchObject({ status: 409, heading: 'Already acknowledged' });
    await incidents.resolve(id, { type: 'slack', id: 'U0SAM', name: 'Sam' });
    expect(await acks.acknowledge(token, SAME_SITE)).toMatchObject({ status: 409, heading: 'Already resolved' });
    expect(await db.dataSource.query(`SELECT * FROM ack_link_uses`)).toEqual([]);
  });

  it('expires on the clock: a link works until its last millisecond, then says it expired (410) and does nothing', async () => {
    const id = await open();
    const acks = links();
    const token = tokenOf(await acks.linkFor(id, { email: 'rae@example.com' }));
    clock.advance(2 * 3600_000 - 1);
    expect(await acks.view(token)).toMatchObject({ status: 200, button: true });
    clock.advance(1);
    expect(await acks.view(token)).toMatchObject({ status: 410, heading: 'This link has expired', lines: [expect.stringContaining('expired at 2026-12-08T05:00:00.000Z'), expect.any(String)] });
    expect(await acks.acknowledge(token, SAME_SITE)).toMatchObject({ status: 410 });
    expect(await incident(id)).toEqual({ status: 'triggered', acknowledged_by: null });
  });

  it('refuses a forged or cut link, a disabled person or a viewer, a POST from another site, and an incident that is gone', async () => {
    const id = await open();
    const acks = links();
    const token = tokenOf(await acks.linkFor(id, { email: 'rae@example.com' }));
    expect(await acks.acknowledge(`${token.slice(0, -2)}xx`, SAME_SITE)).toMatchObject({ status: 403, heading: 'This link is not valid' });
    expect(await acks.view(token.slice(0, 20))).toMatchObject({ status: 400, heading: 'This link is not valid' });

    expect(await acks.acknowledge(token, { origin: 'https://evil.example.net', host: 'headroom.example.com' })).toMatchObject({ status: 403, heading: 'Not acknowledged' });
    expect(await incident(id)).toEqual({ status: 'triggered', acknowledged_by: null });

    await db.dataSource.query(`UPDATE users SET disabled_at = now() WHERE email = 'rae@example.com'`);
    expect(await acks.acknowledge(token, SAME_SITE)).toMatchObject({ status: 403, lines: ['rae@example.com is not an active Headroom user any more, so this link cannot act for them.'] });
    await db.dataSource.query(`UPDATE users SET disabled_at = NULL, role = 'viewer'`);
    expect(await acks.view(token)).toMatchObject({ status: 403, lines: ['Your Headroom role is viewer; only responders and admins may acknowledge incidents.'] });
    await db.dataSource.query(`UPDATE users SET role = 'responder'`);

    const missing = tokenOf(await acks.linkFor(999, { email: 'rae@example.com' }));
    expect(await acks.view(missing)).toMatchObject({ status: 404, heading: 'No such incident' });
    expect(await acks.acknowledge(missing, SAME_SITE)).toMatchObject({ status: 404 });

    // Nothing above spent the link: it still works.
    expect(await acks.acknowledge(token, SAME_SITE)).toMatchObject({ status: 200, heading: 'Acknowledged' });
  });

  it('forgets used links a day after they expired', async () => {
    const acks = links();
    const first = await open('first');
    await acks.acknowledge(tokenOf(await acks.linkFor(first, { email: 'rae@example.com' })), {});
    clock.advance(26 * 3600_000 + 1);
    const second = await open('second');
    await acks.acknowledge(tokenOf(await acks.linkFor(second, { email: 'rae@example.com' })), {});
    expect(await db.dataSource.query(`SELECT incident_id FROM ack_link_uses`)).toEqual([{ incident_id: second }]);
  });
});
