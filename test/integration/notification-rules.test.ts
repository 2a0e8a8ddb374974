import * as path from 'node:path';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../server/src/audit/audit.service';
import type { Principal } from '../../server/src/auth/auth.decorators';
import { UserStore } from '../../server/src/auth/user-store';
import { ManualClock, SystemClock } from '../../server/src/common/clock';
import { AppMetrics } from '../../server/src/common/metrics';
import type { Signal } from '../../server/src/common/signals';
import { loadConfig } from '../../server/src/config/config';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { ContactDelivery } from '../../server/src/notify/contact/contact-delivery';
import type { ContactKind, ContactMessage, ContactSender } from '../../server/src/notify/contact/contact-sender';
import { ContactReplies } from '../../server/src/notify/contact/reply-acknowledger';
import { SlackFallback } from '../../server/src/notify/contact/slack-fallback';
import { DeliveryChannels } from '../../server/src/notify/delivery-channels';
import { IncidentNotifier } from '../../server/src/notify/incident-notifier';
import { OutboxWorker } from '../../server/src/notify/outbox-worker';
import { PushSender } from '../../server/src/notify/push/push-sender';
import { SlackCommands } from '../../server/src/notify/slack/slack-commands';
import { WebClientSlackApi } from '../../server/src/notify/slack/slack-api';
import { ContactsService } from '../../server/src/oncall/contacts.service';
import { ContactsStore } from '../../server/src/oncall/contacts.store';
import type { EscalationEngine } from '../../server/src/oncall/escalation-engine';
import { EscalationViews } from '../../server/src/oncall/escalation-views';
import { loadOncall } from '../../server/src/oncall/oncall-loader';
import type { OncallService } from '../../server/src/oncall/oncall.service';
import type { OutboxService } from '../../server/src/outbox/outbox.service';
import { routeSchema, toRoute } from '../../server/src/rules/route-definition';
import { RoutesService } from '../../server/src/rules/routes.service';
import { RulesService } from '../../server/src/rules/rules.service';
import type { SlosService } from '../../server/src/slo/slos.service';
import { FakePushGateway } from '../fakes/fake-push';
import { FakeSlack } from '../fakes/fake-slack';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { waitFor } from '../support/headroom-process';
import { noIncidentActions } from '../support/pipeline-stages';
import { escalationEngine, incidentWriter, oncallService, outboxService, personalPager, slackIdentity, changesService } from '../support/services';
import { silentLogger } from '../support/test-logger';
import { addUser } from '../support/users';

const root = path.resolve(__dirname, '../..');
const T0 = new Date('2026-12-02T12:00:00Z');
const PHONE = '+14155555678';
const PUSH_SECRET = 'push-secret-0123456789';

/** Stands in for the Twilio senders (another module's): records what it was asked to send. */
class RecordingSender implements ContactSender {
  readonly sent: ContactMessage[] = [];
  constructor(readonly kind: ContactKind) {}
  lane(): string {
    return 'twilio';
  }
  async send(message: ContactMessage) {
    this.sent.push(message);
    return { sid: `SM${this.sent.length}` };
  }
}

function signal(severity: Signal['severity'], at: Date): Signal {
  return {
    fingerprint: `slo:ranker.availability:${severity}`, status: 'firing', source: 'slo', service: 'now-playing-ranker', title: 'ranker availability burning',
    severity, sloId: 'ranker.availability', evidence: {}, at,
  };
}

const routes = new RoutesService([toRoute(routeSchema.parse({ name: 'ranker', match: ['service="now-playing-ranker"'], escalationPolicy: 'ranker' }), 'test')]);

describe.each(databaseKinds())('notification rules and contact methods on %s', (kind) => {
  let db: TestDatabase;
  let outbox: OutboxService;
  let oncall: OncallService;
  let engine: EscalationEngine;
  let incidents: IncidentsService;
  let contacts: ContactsService;
  let replies: ContactReplies;
  let slack: FakeSlack;
  let gateway: FakePushGateway;
  let worker: OutboxWorker;
  let sms: RecordingSender;
  let voice: RecordingSender;
  let alice: Principal;
  const clock = new ManualClock(T0);

  const config = loadConfig({
    HEADROOM_ALERTS_DIR: 'test/fixtures/oncall', HEADROOM_PUBLIC_URL: 'https://headroom.example.com',
    HEADROOM_SLACK_CHANNEL_INTERVAL_MS: '0', HEADROOM_CONTACT_SEND_INTERVAL_MS: '0', HEADROOM_PUSH_SECRET: PUSH_SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', SLACK_CHANNEL: 'C0PAGES', SLACK_API_URL: 'http://127.0.0.1:1',
  }, root);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    outbox = outboxService(db.dataSource, config);
    oncall = oncallService(db.dataSource, config, clock);
    engine = escalationEngine(db.dataSource, { outbox, oncall, routes, config, clock });
    // Paging starts the escalation and a status change wakes it, in the same transaction, as server/src/pipeline.ts wires it.
    const paged = { incidentPaged: (m: EntityManager, id: number) => engine.start(m, id), incidentStatusChanged: (m: EntityManager, id: number) => engine.wake(m, id) };
    incidents = new IncidentsService(db.dataSource, outbox, new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outbox, paged, routes), paged, clock, silentLogger);
    const store = new ContactsStore(db.dataSource);
    contacts = new ContactsService(db.dataSource, store, new UserStore(db.dataSource), new AuditService(db.dataSource), clock);
    replies = new ContactReplies(store, incidents, clock);
    gateway = await new FakePushGateway(PUSH_SECRET).start();
  });
  afterAll(async () => {
    await gateway.stop();
    await db.close();
  });

  beforeEach(async () => {
    await db.dataSource.query(`TRUNCATE incidents, incident_timeline, outbox, audit_log, users, escalations, slack_threads, delivery_channels, contact_methods, notification_rules, contact_sends RESTART IDENTITY CASCADE`);
    oncall.replaceRules(loadOncall(path.join(root, 'test/fixtures/oncall')));
    clock.set(T0);
    const aliceId = await addUser(db, 'alice@example.com', 'Alice', 'U0ALICE');
    await addUser(db, 'bob@example.com', 'Bob', 'U0BOB');
    alice = { id: aliceId, name: 'Alice', role: 'responder', kind: 'user', email: 'alice@example.com' };
    // A Slack of its own for every test: one test breaks a channel.
    slack = await new FakeSlack().start();
    const slackConfig = { ...config, slack: { ...config.slack!, apiUrl: slack.url } };
    const notifier = new IncidentNotifier(db.dataSource, incidents, new IncidentStore(db.dataSource), slackConfig, silentLogger, new WebClientSlackApi('xoxb-test', slack.url), noIncidentActions, routes, {} as SlosService, new RulesService(slackConfig), new EscalationViews(db.dataSource, new UserStore(db.dataSource)), changesService(db.dataSource, new SystemClock()));
    sms = new RecordingSender('sms');
    voice = new RecordingSender('voice');
    // No e-mail sender: a rule that names an e-mail address shows what an unconfigured kind does.
    const delivery = new ContactDelivery([sms, voice, new PushSender(config.push)], new ContactsStore(db.dataSource), incidents, notifier);
    const pager = personalPager(db.dataSource, outbox, slackIdentity(db.dataSource, config, clock));
    worker = new OutboxWorker(outbox, notifier, incidents, new AppMetrics(), new DeliveryChannels(db.dataSource), slackConfig, silentLogger, delivery, new SlackFallback(pager, engine, oncall, incidents, clock), clock);
  });
  afterEach(() => slack.stop());

  /** Sends everything due by the fake clock, and waits until the worker has finished. */
  const flush = async () => {
    // A sent page makes its incident's next row claimable, which the worker claims on its own: drain until nothing is due.
    for (let pass = 0; pass < 20; pass++) {
      await worker.drain();
      await worker.idle();
      const [due] = await db.dataSource.query(
        `SELECT 1 FROM outbox WHERE status = 'sending' OR (status = 'pending' AND next_attempt_at <= now() AND (not_before IS NULL OR not_before <= $1)) LIMIT 1`, [clock.now().toISOString()]);
      if (!due) return;
    }
  };
  const at = (minutes: number) => clock.set(new Date(T0.getTime() + minutes * 60_000));
  const open = async (severity: Signal['severity'] = 'critical') => {
    await incidents.handleSignals([signal(severity, clock.now())]);
    const [{ id }] = await db.dataSource.query(`SELECT id FROM incidents ORDER BY id DESC LIMIT 1`);
    return Number(id);
  };
  const timeline = async (id: number) => (await incidents.timeline(id)).map((t) => t.message);
  const method = (kind: ContactKind, address: string, label = '') => contacts.addMethod('me', { kind, address, label }, alice);

  it('sends "Slack DM at once; SMS after 2 minutes; call after 5 minutes" at those times, and an acknowledgement stops the call', async () => {
    const text = await method('sms', PHONE, 'mobile');
    const call = await method('voice', PHONE, 'mobile');
    await contacts.replaceRules('me', { high: [{ method: 'slack', delaySeconds: 0 }, { method: text.id, delaySeconds: 120 }, { method: call.id, delaySeconds: 300 }], low: [] }, alice);
    const id = await open('critical');
    expect(await timeline(id)).toContain("Alice's high-urgency rules: Slack DM at once, SMS (…5678) after 2 min, call (…5678) after 5 min");
    await flush();
    expect(slack.directMessagesTo('U0ALICE')).toHaveLength(1);
    expect(sms.sent).toHaveLength(0);
    at(1.9);
    await flush();
    expect(sms.sent).toHaveLength(0);
    at(2);
    await flush();
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0]).toMatchObject({
      address: PHONE, kind: 'sms', retried: false, user: { email: 'alice@example.com', name: 'Alice' },
      incident: { id, severity: 'critical', status: 'triggered' },
      links: { incidentUrl: `https://headroom.example.com/#/incidents/${id}/show`, ackUrl: null },
    });
    expect(sms.sent[0].ackCode).toMatch(/^[1-9]\d{3}$/);
    expect(sms.sent[0].reason).toBe('escalation step 1, SMS (…5678) after 2 min');

    at(3);
    await incidents.acknowledge(id, { type: 'user', id: alice.id, name: 'Alice' });
    at(5);
    await flush();
    expect(voice.sent).toHaveLength(0);
    const lines = await timeline(id);
    expect(lines).toEqual(expect.arrayContaining(['Sent an SMS to Alice (…5678)', 'Skipped the call to Alice: acknowledged']));
    // The acknowledgement's Slack update was not held up behind the call waiting for its time.
    expect(slack.callsTo('chat.update').length).toBeGreaterThan(0);
    const sends = await contacts.sends(id);
    expect(sends.map((s) => [s.kind, s.status, s.detail])).toEqual([['sms', 'sent', null], ['voice', 'skipped', 'acknowledged']]);
    expect(sends[0].receipt).toEqual({ sid: 'SM1' });
  });

  it('uses the low-urgency list for a warning page', async () => {
    const text = await method('sms', PHONE);
    await contacts.replaceRules('me', { high: [{ method: 'slack', delaySeconds: 0 }], low: [{ method: text.id, delaySeconds: 0 }] }, alice);
    const id = await open('warning');
    await flush();
    expect(sms.sent.map((m) => m.incident.id)).toEqual([id]);
    expect(slack.directMessagesTo('U0ALICE')).toHaveLength(0);
    expect(await timeline(id)).toContain("Alice's low-urgency rules: SMS (…5678) at once");
  });

  it('a reminder goes out by the rules too, and only while the incident stays acknowledged', async () => {
    const text = await method('sms', PHONE);
    await contacts.replaceRules('me', { high: [{ method: 'slack', delaySeconds: 0 }, { method: text.id, delaySeconds: 60 }], low: [] }, alice);
    const id = await open();
    at(0.5);
    await incidents.acknowledge(id, { type: 'user', id: alice.id, name: 'Alice' });
    await engine.runDue();
    await flush();
    // The page's SMS came due after the acknowledgement: skipped.
    at(1);
    await flush();
    expect(sms.sent).toHaveLength(0);
    // reminderAfter is 30 minutes: the reminder's SMS follows a minute after its DM.
    at(30.5);
    await engine.runDue();
    at(31.5);
    await flush();
    expect(sms.sent.map((m) => m.reason)).toEqual(['reminder 1, SMS (…5678) after 1 min']);
    expect(slack.directMessagesTo('U0ALICE').map((m) => m.text)).toEqual([expect.stringContaining('You are paged'), expect.stringContaining('Reminder')]);
  });

  it('/headroom page @person reaches them by their rules', async () => {
    const [bob] = await db.dataSource.query(`SELECT id FROM users WHERE email = 'bob@example.com'`);
    const asBob: Principal = { id: bob.id, name: 'Bob', role: 'responder', kind: 'user', email: 'bob@example.com' };
    const bobsPhone = await contacts.addMethod('me', { kind: 'voice', address: '+14155550199' }, asBob);
    await contacts.replaceRules('me', { high: [{ method: bobsPhone.id, delaySeconds: 0 }], low: [] }, asBob);
    const identity = slackIdentity(db.dataSource, config, clock);
    const commands = new SlackCommands(incidents, oncall, identity, outbox, config, clock, silentLogger, engine, personalPager(db.dataSource, outbox, identity));
    const reply = await commands.run('page <@U0BOB|bob> the feature store is down', { id: 'U0ALICE', name: 'alice' });
    expect(reply.responseType).toBe('in_channel');
    await flush();
    expect(voice.sent.map((m) => [m.address, m.reason, m.incident.title])).toEqual([['+14155550199', 'paged by Alice, call (…0199) at once', 'the feature store is down']]);
  });

  it('a repeated pass queues nothing twice', async () => {
    const text = await method('sms', PHONE);
    await contacts.replaceRules('me', { high: [{ method: text.id, delaySeconds: 60 }], low: [] }, alice);
    const id = await open();
    const before = await db.dataSource.query(`SELECT key FROM outbox WHERE topic = 'notify.contact'`);
    await db.dataSource.transaction((m) => engine.start(m, id));
    expect(await db.dataSource.query(`SELECT key FROM outbox WHERE topic = 'notify.contact'`)).toEqual(before);
    expect(before).toEqual([{ key: `escalation:${id}:r0:s0:contact:alice@example.com:${text.id}:60` }]);
  });

  it('draws another acknowledge code when the one drawn is open already, and records a key once', async () => {
    const id = await open();
    const store = new ContactsStore(db.dataSource);
    const draws = [0.5, 0.5, 0.25];
    const random = () => draws.shift() ?? 0.75;
    const draft = (key: string) => ({ incidentId: id, user: { id: alice.id, email: 'alice@example.com', name: 'Alice' }, kind: 'sms' as const, address: PHONE, outboxKey: key, reason: 'test', dueAt: T0 });
    const first = await db.dataSource.transaction((m) => store.queueSend(m, draft('k1'), random));
    const second = await db.dataSource.transaction((m) => store.queueSend(m, draft('k2'), random));
    expect([first?.ackCode, second?.ackCode]).toEqual(['5500', '3250']);
    expect(await db.dataSource.transaction((m) => store.queueSend(m, draft('k1'), random))).toBeNull();
    // A closed code may be drawn again.
    await store.markAcknowledged(first!.id, T0);
    expect((await db.dataSource.transaction((m) => store.queueSend(m, draft('k3'), () => 0.5)))?.ackCode).toBe('5500');
  });

  it('an SMS reply with the code acknowledges as the person it was sent to; a wrong code or another number does nothing', async () => {
    const text = await method('sms', PHONE);
    await contacts.replaceRules('me', { high: [{ method: text.id, delaySeconds: 0 }], low: [] }, alice);
    const id = await open();
    await flush();
    const code = sms.sent[0].ackCode;
    const wrong = String(code === '1000' ? 1001 : Number(code) - 1);
    expect(await replies.acknowledgeByReply({ kind: 'sms', from: PHONE, code: wrong })).toMatchObject({ acknowledged: false });
    expect(await replies.acknowledgeByReply({ kind: 'sms', from: '+14155550000', code })).toMatchObject({ acknowledged: false });
    expect((await incidents.get(id)).status).toBe('triggered');
    expect(await replies.acknowledgeByReply({ kind: 'sms', from: PHONE, code: ` ${code} ` })).toEqual({ acknowledged: true, incidentId: id, alreadyAcknowledged: false, userName: 'Alice' });
    const incident = await incidents.get(id);
    expect([incident.status, incident.acknowledgedBy]).toEqual(['acknowledged', 'Alice']);
    const acked = (await incidents.timeline(id)).find((t) => t.kind === 'incident.acknowledged-by-reply');
    expect(acked).toMatchObject({ actorType: 'user', actorName: 'Alice', message: 'Alice acknowledged via SMS reply (code sent to …5678)' });
    // A used code is closed.
    expect(await replies.acknowledgeByReply({ kind: 'sms', from: PHONE, code })).toMatchObject({ acknowledged: false });
    expect((await contacts.sends(id))[0].acknowledgedAt).not.toBeNull();
  });

  it('a kind without a configured sender is recorded as failed, with what to configure', async () => {
    const email = await method('email', 'alice@example.com');
    await contacts.replaceRules('me', { high: [{ method: email.id, delaySeconds: 0 }], low: [] }, alice);
    const id = await open();
    await flush();
    expect(await timeline(id)).toContain('Could not send an email to Alice (alice@example.com): no email sender is configured (set SMTP_URL)');
    expect((await contacts.sends(id)).map((s) => s.status)).toEqual(['failed']);
  });

  it('when Slack refuses the page (channel_not_found) the escalation target is reached by SMS at once, and the timeline says so', async () => {
    await method('sms', PHONE);
    slack.failChannel('C0PAGES');
    const id = await open();
    await flush();
    expect(sms.sent.map((m) => [m.incident.id, m.reason])).toEqual([[id, 'Slack failed: channel_not_found']]);
    expect(await timeline(id)).toContain('Slack failed (channel_not_found): falling back to SMS for Alice');
  });

  it('does not wait out the retries of a page while Slack keeps failing: after 3 failed attempts in a row the target gets an SMS', async () => {
    await method('sms', PHONE);
    for (let i = 0; i < 3; i++) slack.failNext('chat.postMessage', { status: 500 });
    const id = await open();
    await waitFor('the fallback SMS', async () => {
      await flush();
      return sms.sent.length > 0;
    });
    expect(sms.sent.map((m) => m.reason)).toEqual(['Slack failed: HTTP 500, 3 attempts in a row']);
    expect(await timeline(id)).toContain('Slack failed (HTTP 500, 3 attempts in a row): falling back to SMS for Alice');
    // The page itself still goes out once Slack answers again.
    await waitFor('the page', async () => {
      await flush();
      return (await timeline(id)).includes('Paged C0PAGES in Slack');
    });
    expect(sms.sent).toHaveLength(1);
    expect((await timeline(id)).filter((l) => l.startsWith('Slack failed'))).toHaveLength(1);
  });

  it('says so (once) when nobody Slack could not reach has another contact method', async () => {
    slack.failChannel('C0PAGES');
    const id = await open();
    await flush();
    expect(await timeline(id)).toContain('Slack failed (channel_not_found): nobody has another contact method (Alice)');
    const other = await open('warning');
    for (let i = 0; i < 5; i++) slack.failNext('chat.postMessage', { status: 500 });
    slack.healChannel('C0PAGES');
    await waitFor('the page of the second incident', async () => {
      await flush();
      return (await timeline(other)).includes('Paged C0PAGES in Slack');
    });
    expect((await timeline(other)).filter((l) => l.startsWith('Slack failed'))).toEqual(['Slack failed (HTTP 500, 3 attempts in a row): nobody has another contact method (Alice)']);
  });

  it('a person manages their own methods and rules, an admin anyone\'s, nobody else; every change is audited', async () => {
    const [bob] = await db.dataSource.query(`SELECT id FROM users WHERE email = 'bob@example.com'`);
    const asBob: Principal = { id: bob.id, name: 'Bob', role: 'responder', kind: 'user', email: 'bob@example.com' };
    const admin: Principal = { id: 'token-1', name: 'ops admin token', role: 'admin', kind: 'token' };
    const text = await method('sms', PHONE);
    await expect(contacts.methods(alice.id, asBob)).rejects.toMatchObject({ status: 403 });
    await expect(contacts.addMethod(alice.id, { kind: 'sms', address: '+14155550000' }, asBob)).rejects.toMatchObject({ status: 403 });
    // An API token is nobody: 'me' needs a signed-in person.
    await expect(contacts.methods('me', admin)).rejects.toMatchObject({ status: 400 });
    expect((await contacts.methods(alice.id, admin)).map((m) => m.address)).toEqual([PHONE]);
    // Bob's rules cannot name Alice's number.
    await expect(contacts.replaceRules('me', { high: [{ method: text.id, delaySeconds: 0 }], low: [] }, asBob)).rejects.toMatchObject({
      status: 400, response: { issues: [{ field: 'high.0.method', message: `contact method ${text.id} is not one of this user's` }] },
    });
    await expect(contacts.addMethod('me', { kind: 'sms', address: PHONE }, alice)).rejects.toMatchObject({ status: 409 });
    await contacts.replaceRules(alice.id, { high: [{ method: text.id, delaySeconds: 60 }], low: [] }, admin);
    await contacts.deleteMethod('me', text.id, alice);
    // Deleting a method removes the rule steps that named it.
    expect(await contacts.rules('me', alice)).toEqual({ high: [], low: [] });
    const audit = await db.dataSource.query(`SELECT action, actor_name FROM audit_log WHERE entity_type = 'user' ORDER BY id`);
    expect(audit.map((a: { action: string; actor_name: string }) => [a.action, a.actor_name])).toEqual([
      ['contact_method.created', 'Alice'], ['notification_rules.updated', 'ops admin token'], ['contact_method.deleted', 'Alice'],
    ]);
  });

  it('pushes a signed webhook with the outbox key as Idempotency-Key, retried after a 429 with Retry-After', async () => {
    // The API takes https URLs only; the fake gateway speaks plain HTTP, so the method is stored directly.
    const push = await db.dataSource.transaction((m) => new ContactsStore(db.dataSource).insertMethod(m, { userId: alice.id, kind: 'push', address: `${gateway.url}/alice`, label: 'phone' }));
    await contacts.replaceRules('me', { high: [{ method: push.id, delaySeconds: 0 }], low: [] }, alice);
    gateway.failNext(429, '1');
    const id = await open();
    await flush();
    const [row] = await db.dataSource.query(`SELECT status, last_error, extract(epoch FROM next_attempt_at - now()) AS wait FROM outbox WHERE topic = 'notify.contact'`);
    expect(row).toMatchObject({ status: 'pending', last_error: 'push: HTTP 429 {"error":"failed"}' });
    expect(Number(row.wait)).toBeGreaterThan(0.3);
    expect(Number(row.wait)).toBeLessThanOrEqual(1);
    await waitFor('the push to be retried', async () => {
      await flush();
      return gateway.delivered.size === 1;
    });
    const key = `escalation:${id}:r0:s0:contact:alice@example.com:${push.id}:0`;
    expect(gateway.requests.map((r) => [r.status, r.signatureValid, r.headers['idempotency-key']])).toEqual([[429, true, key], [200, true, key]]);
    expect(gateway.delivered.get(key)!.body).toMatchObject({ priority: 'urgent', url: `https://headroom.example.com/#/incidents/${id}/show`, incident: { id } });
    expect(await timeline(id)).toContain(`Sent a push notification to Alice (${new URL(gateway.url).host})`);
  });

  it('the fake gateway refuses a forged signature, and a sender with the wrong secret fails without retrying', async () => {
    const forged = await fetch(`${gateway.url}/alice`, {
      method: 'POST', body: '{}',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k', 'x-headroom-timestamp': String(Math.floor(Date.now() / 1000)), 'x-headroom-signature': `v2=${'0'.repeat(64)}` },
    });
    expect(forged.status).toBe(401);
    const wrong = new PushSender({ secret: 'not-the-shared-secret', timeoutMs: 5000 });
    const message = { key: 'k2', retried: false, kind: 'push', address: `${gateway.url}/alice`, user: { email: 'a@example.com', name: 'A' }, reason: 'test', ackCode: '1234',
      incident: { id: 1, title: 't', service: 's', severity: 'critical', status: 'triggered', urgency: 'page', summary: null, openedAt: T0 },
      links: { incidentUrl: 'https://headroom.example.com/#/incidents/1/show', runbookUrl: null, ackUrl: null } } as ContactMessage;
    await expect(wrong.send(message)).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/^push: HTTP 401/) });
    expect(gateway.delivered.has('k2')).toBe(false);
  });
});
