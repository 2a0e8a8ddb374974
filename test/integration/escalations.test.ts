import * as path from 'node:path';
import { AuditService } from '../../server/src/audit/audit.service';
import { UserStore } from '../../server/src/auth/user-store';
import { AppMetrics } from '../../server/src/common/metrics';
import { ManualClock, SystemClock } from '../../server/src/common/clock';
import type { Signal } from '../../server/src/common/signals';
import { loadConfig } from '../../server/src/config/config';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { IncidentNotifier } from '../../server/src/notify/incident-notifier';
import { WebClientSlackApi } from '../../server/src/notify/slack/slack-api';
import { EscalationEngine } from '../../server/src/oncall/escalation-engine';
import { EscalationViews } from '../../server/src/oncall/escalation-views';
import { escalationPolicySchema, toPolicySnapshot } from '../../server/src/oncall/escalation-policy';
import { loadOncall } from '../../server/src/oncall/oncall-loader';
import { OncallService } from '../../server/src/oncall/oncall.service';
import { OutboxService } from '../../server/src/outbox/outbox.service';
import { routeSchema, toRoute } from '../../server/src/rules/route-definition';
import { RoutesService } from '../../server/src/rules/routes.service';
import { FakeSlack } from '../fakes/fake-slack';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import { silentLogger } from '../support/test-logger';
import { noIncidentActions } from '../support/pipeline-stages';
import type { EntityManager } from 'typeorm';
import { RulesService } from '../../server/src/rules/rules.service';
import type { SlosService } from '../../server/src/slo/slos.service';
import { addUser } from '../support/users';
import { escalationAuditor, escalationEngine, incidentWriter, oncallService, outboxService, slackIdentity, changesService } from '../support/services';

const root = path.resolve(__dirname, '../..');
const alice = { type: 'user' as const, id: 'u-alice', name: 'Alice' };
const T0 = new Date('2026-12-02T12:00:00Z');

function signal(service: string, at: Date): Signal {
  return {
    fingerprint: `slo:${service}.availability:page`, status: 'firing', source: 'slo', service, title: `${service} availability burning`,
    severity: 'critical', sloId: `${service}.availability`, evidence: {}, at,
  };
}

const routes = new RoutesService([
  toRoute(routeSchema.parse({ name: 'ranker', match: ['service="now-playing-ranker"'], escalationPolicy: 'ranker' }), 'test'),
  toRoute(routeSchema.parse({ name: 'people', match: ['service="feature-store"'], escalationPolicy: 'people' }), 'test'),
]);

describe.each(databaseKinds())('escalations on %s', (kind) => {
  let db: TestDatabase;
  let incidents: IncidentsService;
  let oncall: OncallService;
  let engine: EscalationEngine;
  let outbox: OutboxService;
  let metrics: AppMetrics;
  const clock = new ManualClock(T0);
  const config = loadConfig({ HEADROOM_ALERTS_DIR: 'test/fixtures/oncall', HEADROOM_PUBLIC_URL: 'https://headroom.example.com' }, root);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    outbox = outboxService(db.dataSource, config);
    metrics = new AppMetrics();
    oncall = oncallService(db.dataSource, config, clock);
    engine = escalationEngine(db.dataSource, { outbox, oncall, routes, config, clock, metrics });
    // Paging starts the escalation and a status change wakes it, in the same transaction, as server/src/pipeline.ts wires it.
    const paged = { incidentPaged: (m: EntityManager, id: number) => engine.start(m, id), incidentStatusChanged: (m: EntityManager, id: number) => engine.wake(m, id) };
    incidents = new IncidentsService(db.dataSource, outbox, new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outbox, paged), paged, clock, silentLogger);
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    await db.dataSource.query(`TRUNCATE incidents, incident_timeline, outbox, audit_log, users, escalations, slack_threads RESTART IDENTITY CASCADE`);
    oncall.replaceRules(loadOncall(path.join(root, 'test/fixtures/oncall')));
    clock.set(T0);
    await addUser(db, 'alice@example.com', 'Alice', 'U0ALICE');
    await addUser(db, 'bob@example.com', 'Bob');
  });

  const escalationKeys = async (): Promise<string[]> =>
    (await db.dataSource.query(`SELECT key FROM outbox WHERE topic LIKE 'escalation.%' ORDER BY id`)).map((r: { key: string }) => r.key);
  const lines = async (id: number, kindPrefix = 'escalation') =>
    (await incidents.timeline(id)).filter((t) => t.kind.startsWith(kindPrefix) || t.kind === 'incident.escalated').map((t) => t.message);
  const at = (minutes: number) => clock.set(new Date(T0.getTime() + minutes * 60_000));
  const open = async (service = 'now-playing-ranker') => {
    await incidents.handleSignals([signal(service, clock.now())]);
    const [{ id }] = await db.dataSource.query(`SELECT id FROM incidents WHERE service = $1`, [service]);
    return Number(id);
  };

  it('step 1 pages the on-call user in the opening transaction; after the wait step 2 posts to the channel', async () => {
    const id = await open();
    expect(await escalationKeys()).toEqual([`escalation:${id}:r0:s0:dm:alice@example.com`]);
    expect(await lines(id)).toEqual([
      'Escalation policy ranker started: 2 steps, repeated 1 time',
      'Escalated to step 1: paged Alice (on call for ranker-primary)',
    ]);
    at(9);
    expect(await engine.runDue()).toBe(0);
    at(10);
    expect(await engine.runDue()).toBe(1);
    expect(await escalationKeys()).toEqual([`escalation:${id}:r0:s0:dm:alice@example.com`, `escalation:${id}:r0:s1:channel:#ranker-oncall`]);
    expect((await lines(id)).at(-1)).toBe('Escalated to step 2: posted to #ranker-oncall');
    expect(await metrics.registry.getSingleMetricAsString('headroom_escalation_actions_total')).toMatch(/policy="ranker",action="step"\} [1-9]/);
  });

  it('repeats the policy, then stops when every round is done', async () => {
    const id = await open();
    for (const m of [10, 15, 25, 30, 60, 120]) {
      at(m);
      await engine.runDue();
    }
    expect(await escalationKeys()).toEqual([
      `escalation:${id}:r0:s0:dm:alice@example.com`,
      `escalation:${id}:r0:s1:channel:#ranker-oncall`,
      `escalation:${id}:r1:s0:dm:alice@example.com`,
      `escalation:${id}:r1:s1:channel:#ranker-oncall`,
    ]);
    expect((await lines(id)).slice(-3)).toEqual([
      'Escalated to step 1 (repeat 1): paged Alice (on call for ranker-primary)',
      'Escalated to step 2 (repeat 1): posted to #ranker-oncall',
      'Escalation policy ranker finished: every step taken 2 times without an acknowledgement',
    ]);
  });

  it('acknowledge stops further steps at once; a reminder goes to the person paged after reminderAfter', async () => {
    const id = await open();
    at(3);
    await incidents.acknowledge(id, alice);
    await engine.runDue();
    expect((await lines(id)).at(-1)).toBe('Escalation stopped: the incident was acknowledged');
    for (const m of [10, 15, 25, 32]) {
      at(m);
      await engine.runDue();
    }
    expect(await escalationKeys()).toEqual([`escalation:${id}:r0:s0:dm:alice@example.com`]);
    at(33);
    await engine.runDue();
    const ackMs = new Date(T0.getTime() + 3 * 60_000).getTime();
    expect(await escalationKeys()).toEqual([`escalation:${id}:r0:s0:dm:alice@example.com`, `escalation:${id}:reminder:${ackMs}:1:dm:alice@example.com`]);
    expect((await lines(id)).at(-1)).toBe('Reminder 1: acknowledged but still open; reminded Alice');
    at(40);
    await incidents.resolve(id, alice);
    at(100);
    await engine.runDue();
    expect(await escalationKeys()).toHaveLength(2);
  });

  it('runs on the policy as it was when the incident opened, whatever the YAML says later', async () => {
    const id = await open();
    const edited = loadOncall(path.join(root, 'test/fixtures/oncall'));
    edited.policies.set('ranker', {
      file: 'edited', line: 1,
      policy: toPolicySnapshot(escalationPolicySchema.parse({ name: 'ranker', steps: [{ notify: { users: ['bob@example.com'] }, wait: '1m' }] })),
    });
    oncall.replaceRules(edited);
    at(10);
    await engine.runDue();
    expect(await escalationKeys()).toEqual([`escalation:${id}:r0:s0:dm:alice@example.com`, `escalation:${id}:r0:s1:channel:#ranker-oncall`]);
    const [{ policy }] = await db.dataSource.query(`SELECT policy FROM escalations WHERE incident_id = $1`, [id]);
    expect(policy.steps).toHaveLength(2);
  });

  it('writes each outbox message and timeline line once when two passes run at the same time', async () => {
    const ids = [await open(), await open('candidate-retrieval')];
    at(10);
    const counts = await Promise.all([engine.runDue(), engine.runDue(), engine.runDue()]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    const keys = await escalationKeys();
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([`escalation:${ids[0]}:r0:s0:dm:alice@example.com`, `escalation:${ids[0]}:r0:s1:channel:#ranker-oncall`]);
    expect((await lines(ids[0])).filter((l) => l.startsWith('Escalated to step 2'))).toHaveLength(1);
  });

  it('a reopened incident runs its policy again from the first step', async () => {
    const id = await open();
    at(2);
    await incidents.resolve(id, alice);
    await engine.runDue();
    expect((await lines(id)).at(-1)).toBe('Escalation stopped: the incident was resolved');
    at(20);
    await incidents.reopen(id, alice);
    expect(await engine.runDue()).toBe(1);
    // A new run: Alice gets a new direct message, not one swallowed as a repeat of the first.
    expect(await escalationKeys()).toEqual([`escalation:${id}:r0:s0:dm:alice@example.com`, `escalation:${id}:run1:r0:s0:dm:alice@example.com`]);
    expect((await lines(id)).slice(-2)).toEqual(['Escalation resumed: the incident is triggered again', 'Escalated to step 1: paged Alice (on call for ranker-primary)']);
    at(30);
    expect(await engine.runDue()).toBe(1);
    expect((await lines(id)).at(-1)).toBe('Escalated to step 2: posted to #ranker-oncall');
  });

  it('the auditor re-queues an escalation whose due step was not taken, notes it, counts it, and leaves healthy ones alone', async () => {
    const auditor = escalationAuditor(db.dataSource, engine, { outbox, config, clock, metrics });
    const stuck = await open();
    const healthy = await open('candidate-retrieval');
    // A lost wake time: the pass will never look at this row again by itself.
    await db.dataSource.query(`UPDATE escalations SET wake_at = NULL WHERE incident_id = $1`, [stuck]);
    at(10);
    expect(await engine.runDue()).toBe(0);
    expect(await auditor.overdue()).toEqual([]);
    at(12);
    expect(await auditor.overdue()).toEqual([expect.objectContaining({ incidentId: stuck, step: 1, policy: 'ranker' })]);
    expect((await auditor.audit()).map((s) => s.incidentId)).toEqual([stuck]);
    expect(await escalationKeys()).toContain(`escalation:${stuck}:r0:s1:channel:#ranker-oncall`);
    expect((await lines(stuck)).slice(-2)).toEqual([
      `Escalation policy ranker: step 2 was due at ${new Date(T0.getTime() + 10 * 60_000).toISOString()} and had not been taken; re-queued by the escalation auditor`,
      'Escalated to step 2: posted to #ranker-oncall',
    ]);
    expect(await auditor.overdue()).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('headroom_escalations_stalled_total')).toMatch(/headroom_escalations_stalled_total 1$/m);
    expect((await lines(healthy)).some((l) => l.includes('auditor'))).toBe(false);
  });

  it('a step naming a Slack user group mentions it in the page channel', async () => {
    const groups = loadOncall(path.join(root, 'test/fixtures/oncall'));
    groups.policies.set('ranker', {
      file: 'test', line: 1,
      policy: toPolicySnapshot(escalationPolicySchema.parse({ name: 'ranker', steps: [{ notify: { userGroup: 'S0RANKERS' }, wait: '5m' }] })),
    });
    oncall.replaceRules(groups);
    const id = await open();
    expect(await escalationKeys()).toEqual([`escalation:${id}:r0:s0:channel:page:group:S0RANKERS`]);
    expect((await lines(id)).at(-1)).toBe('Escalated to step 1: mentioned user group S0RANKERS in the page channel');
  });

  it('escalate jumps to the next step now, and answers 409 when no escalation runs', async () => {
    const id = await open();
    at(2);
    await expect(engine.escalate(id, alice)).resolves.toMatchObject({ step: 2, policy: 'ranker' });
    expect((await lines(id)).at(-1)).toBe('Escalated to step 2 by Alice: posted to #ranker-oncall');
    const [audit] = await db.dataSource.query(`SELECT action, actor_name FROM audit_log WHERE action = 'incident.escalated'`);
    expect(audit).toEqual({ action: 'incident.escalated', actor_name: 'Alice' });
    // The next step counts its wait from the jump: step 1 of the repeat at 2 + 5 minutes.
    at(6);
    expect(await engine.runDue()).toBe(0);
    await incidents.acknowledge(id, alice);
    await expect(engine.escalate(id, alice)).rejects.toMatchObject({ status: 409 });
    const unrouted = await open('candidate-retrieval');
    await expect(engine.escalate(unrouted, alice)).rejects.toMatchObject({ status: 409 });
    await expect(engine.escalate(9999, alice)).rejects.toMatchObject({ status: 404 });
  });

  it('a user without a Slack id or an unknown email is noted on the timeline and the escalation goes on', async () => {
    const id = await open('feature-store');
    expect(await lines(id)).toEqual([
      'Escalation policy people started: 1 step',
      'could not notify Bob: no Slack user id (set it on the People page)',
      'could not notify carol@example.com: not an active Headroom user',
      'Escalated to step 1: nobody could be notified',
    ]);
    expect(await escalationKeys()).toEqual([]);
  });

  it('a person without a Slack id is found in Slack by email (users.lookupByEmail), stored, and gets the direct message', async () => {
    const directory = { emailOf: async () => null, idForEmail: async (email: string) => (email === 'bob@example.com' ? 'U0BOB' : null) };
    const identity = slackIdentity(db.dataSource, config, clock, directory);
    const withLookup = escalationEngine(db.dataSource, { outbox, oncall, routes, config, clock, metrics, identity });
    const people = loadOncall(path.join(root, 'test/fixtures/oncall'));
    people.policies.set('ranker', {
      file: 'test', line: 1,
      policy: toPolicySnapshot(escalationPolicySchema.parse({ name: 'ranker', steps: [{ notify: { channel: '#ranker-oncall' }, wait: '5m' }, { notify: { users: ['bob@example.com'] }, wait: '5m' }] })),
    });
    oncall.replaceRules(people);
    const id = await open();
    at(1);
    await withLookup.escalate(id, alice);
    expect(await escalationKeys()).toContain(`escalation:${id}:r0:s1:dm:bob@example.com`);
    const [bob] = await db.dataSource.query(`SELECT slack_user_id FROM users WHERE email = 'bob@example.com'`);
    expect(bob.slack_user_id).toBe('U0BOB');
    const [payload] = await db.dataSource.query(`SELECT payload FROM outbox WHERE key = $1`, [`escalation:${id}:r0:s1:dm:bob@example.com`]);
    expect(payload.payload).toMatchObject({ slackUserId: 'U0BOB' });
  });

  /** Runs `fn` with a fake Slack and a notifier paging it; `deliverAll` sends everything queued. */
  async function withSlack(fn: (slack: FakeSlack, deliverAll: () => Promise<void>) => Promise<void>): Promise<void> {
    const slack = await new FakeSlack().start();
    try {
      const slackConfig = loadConfig({
        HEADROOM_ALERTS_DIR: 'test/fixtures/oncall', HEADROOM_PUBLIC_URL: 'https://headroom.example.com',
        SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', SLACK_CHANNEL: 'C0PAGES', SLACK_API_URL: slack.url,
      }, root);
      // These incidents have no SLO, so the page asks SlosService for nothing.
      const noSlos = {} as SlosService;
      const notifier = new IncidentNotifier(db.dataSource, incidents, new IncidentStore(db.dataSource), slackConfig, silentLogger, new WebClientSlackApi('xoxb-test', slack.url), noIncidentActions, routes, noSlos, new RulesService(slackConfig), new EscalationViews(db.dataSource, new UserStore(db.dataSource)), changesService(db.dataSource, new SystemClock()));
      await fn(slack, async () => {
        for (let batch = await outbox.claim(20); batch.length > 0; batch = await outbox.claim(20)) {
          for (const message of batch) await outbox.markSent(message, await notifier.deliver(message));
        }
      });
    } finally {
      await slack.stop();
    }
  }

  it('a user-group step mentions the group in the channel the incident was paged in', () =>
    withSlack(async (slack, deliverAll) => {
      const groups = loadOncall(path.join(root, 'test/fixtures/oncall'));
      groups.policies.set('ranker', {
        file: 'test', line: 1,
        policy: toPolicySnapshot(escalationPolicySchema.parse({ name: 'ranker', steps: [{ notify: { userGroup: 'S0RANKERS' }, wait: '5m' }] })),
      });
      oncall.replaceRules(groups);
      await open();
      await deliverAll();
      const posts = slack.topLevelPosts();
      expect(posts.map((m) => m.channel)).toEqual(['C0PAGES', 'C0PAGES']);
      expect(posts[1].text).toMatch(/^:rotating_light: <!subteam\^S0RANKERS> Escalation step 1: this incident needs someone\./);
    }));

  it('delivers a step as a Slack direct message to the user id and a channel step as a post there', () =>
    withSlack(async (slack, deliverAll) => {
      const id = await open();
      at(10);
      await engine.runDue();
      await deliverAll();
      const posts = slack.callsTo('chat.postMessage').map((c) => String(c.body.channel));
      expect(posts.filter((c) => c === 'U0ALICE')).toHaveLength(1);
      expect(posts.filter((c) => c === '#ranker-oncall')).toHaveLength(1);
      const [dm] = slack.directMessagesTo('U0ALICE');
      expect(dm).toMatchObject({ channel: 'D0ALICE', metadata: { event_payload: { key: `escalation:${id}:r0:s0:dm:alice@example.com` } } });
      expect(dm.text).toContain('You are paged (escalation step 1, on call for ranker-primary)');
      const [{ result }] = await db.dataSource.query(`SELECT result FROM outbox WHERE topic = 'escalation.dm'`);
      expect(result).toMatchObject({ channel: 'D0ALICE' });
      expect((await incidents.timeline(id)).map((t) => t.message)).toEqual(expect.arrayContaining(['Sent a Slack direct message to Alice', 'Posted the page to #ranker-oncall in Slack']));
      // The page in the channel says who was paged.
      const page = slack.topLevelPosts().find((m) => m.channel === 'C0PAGES')!;
      expect(JSON.stringify(page.blocks)).toContain('*Paged*\\nAlice');

      // As if the process had died after Slack took the DM but before it was marked sent: the
      // retry finds it in the DM conversation and does not send a second one.
      await db.dataSource.query(`UPDATE outbox SET status = 'pending', sent_at = NULL WHERE topic = 'escalation.dm'`);
      await deliverAll();
      expect(slack.directMessagesTo('U0ALICE')).toHaveLength(1);
      const [{ result: retried }] = await db.dataSource.query(`SELECT result FROM outbox WHERE topic = 'escalation.dm'`);
      expect(retried).toMatchObject({ channel: 'D0ALICE', recovered: true });
    }));
});
