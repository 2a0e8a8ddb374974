import * as path from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../../server/src/audit/audit.service';
import { UserStore } from '../../server/src/auth/user-store';
import { ManualClock } from '../../server/src/common/clock';
import { LeaseService } from '../../server/src/common/lease.service';
import { AppMetrics } from '../../server/src/common/metrics';
import { loadConfig } from '../../server/src/config/config';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { IncidentNotifier } from '../../server/src/notify/incident-notifier';
import { WebClientSlackApi } from '../../server/src/notify/slack/slack-api';
import { EscalationViews } from '../../server/src/oncall/escalation-views';
import { loadOncall } from '../../server/src/oncall/oncall-loader';
import type { OncallService } from '../../server/src/oncall/oncall.service';
import type { OutboxService } from '../../server/src/outbox/outbox.service';
import { routeSchema, toRoute } from '../../server/src/rules/route-definition';
import { RoutesService } from '../../server/src/rules/routes.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { CachedRollupSliReader } from '../../server/src/slo/cached-rollup-sli-reader';
import { PostgresSliStore } from '../../server/src/slo/postgres-sli-store';
import { SimulatorSeriesResolver, simulatorSeries } from '../../server/src/slo/series';
import type { CounterSample, HistogramSample } from '../../server/src/slo/sli-store';
import { SloEvaluator } from '../../server/src/slo/slo-evaluator.service';
import type { SlosService } from '../../server/src/slo/slos.service';
import { FakeSlack } from '../fakes/fake-slack';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { noIncidentActions } from '../support/pipeline-stages';
import { escalationEngine, incidentWriter, oncallService, outboxService } from '../support/services';
import { silentLogger } from '../support/test-logger';
import { addUser } from '../support/users';

/**
 * Ticket-level burns end to end through the real stages: SLI store → SLO evaluator → incidents
 * (writer, routes) → outbox → notifier → a fake Slack, with the escalation engine wired as
 * server/src/pipeline.ts wires it. The ranker's route names a ticket channel; feature-store's
 * does not. Both follow the `ranker` escalation policy (test/fixtures/oncall: Alice on call).
 */

const ROOT = path.resolve(__dirname, '../..');
// Alice is on call for ranker-primary this week (its first layer starts 2026-11-30 09:00 London).
const T0 = new Date('2026-12-01T00:00:00Z');
const alice = { type: 'user' as const, id: 'u-alice', name: 'Alice' };

const routes = new RoutesService([
  toRoute(routeSchema.parse({ name: 'ranker', match: ['service="now-playing-ranker"'], escalationPolicy: 'ranker', ticketChannel: '#ranker-tickets' }), 'test'),
  toRoute(routeSchema.parse({ name: 'feature-store', match: ['service="feature-store"'], escalationPolicy: 'ranker' }), 'test'),
]);

describe.each(databaseKinds())('ticket-level burns and the ticket channel on %s', (kind) => {
  let db: TestDatabase;
  let slack: FakeSlack;
  let outbox: OutboxService;
  let oncall: OncallService;
  let incidents: IncidentsService;
  let notifier: IncidentNotifier;
  let evaluator: SloEvaluator;
  let store: PostgresSliStore;
  const clock = new ManualClock(T0);
  const oncallConfig = loadConfig({ HEADROOM_ALERTS_DIR: 'test/fixtures/oncall' }, ROOT);

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    slack = await new FakeSlack().start();
    const slackConfig = loadConfig({
      HEADROOM_PUBLIC_URL: 'https://headroom.example.com',
      SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', SLACK_CHANNEL: 'C0PAGES', SLACK_API_URL: slack.url,
    }, ROOT);
    outbox = outboxService(db.dataSource, slackConfig);
    oncall = oncallService(db.dataSource, oncallConfig, clock);
    const engine = escalationEngine(db.dataSource, { outbox, oncall, routes, config: oncallConfig, clock });
    const transitions = { incidentPaged: (m: EntityManager, id: number) => engine.start(m, id), incidentStatusChanged: (m: EntityManager, id: number) => engine.wake(m, id) };
    incidents = new IncidentsService(db.dataSource, outbox, new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outbox, transitions, routes), transitions, clock, silentLogger);
    // Latency SLOs would ask SlosService for the page's quantiles; these tests burn availability only.
    const slos = { latency: async () => ({ window: '5m', quantiles: [] }) } as unknown as SlosService;
    notifier = new IncidentNotifier(db.dataSource, incidents, new IncidentStore(db.dataSource), slackConfig, silentLogger, new WebClientSlackApi('xoxb-test', slack.url), noIncidentActions, routes, slos, new RulesService(slackConfig), new EscalationViews(db.dataSource, new UserStore(db.dataSource)));
    store = new PostgresSliStore(db.dataSource);
  });
  afterAll(async () => {
    await slack.stop();
    await db.close();
  });
  beforeEach(async () => {
    await db.dataSource.query(`TRUNCATE incidents, incident_timeline, outbox, audit_log, users, escalations, slack_threads, slo_status, silences,
      sli_counter_minute, sli_histogram_minute, sli_counter_hour, sli_histogram_hour, sli_changes RESTART IDENTITY CASCADE`);
    oncall.replaceRules(loadOncall(path.join(ROOT, 'test/fixtures/oncall')));
    await addUser(db, 'alice@example.com', 'Alice', 'U0ALICE');
    slack.calls.length = 0;
    slack.messages.length = 0;
    clock.set(T0);
    // A fresh window cache per test: the rollups were truncated under it.
    const config = loadConfig({}, ROOT);
    evaluator = new SloEvaluator(
      db.dataSource, new RulesService(config), incidents, new LeaseService(db.dataSource), new SchedulerRegistry(),
      new AppMetrics(), [new CachedRollupSliReader(store, [new SimulatorSeriesResolver()])], clock, config, silentLogger,
    );
  });

  /** `minutes` of a service's traffic from the clock on (6000 requests a minute, `errors` failed), then the clock moves past it. */
  async function traffic(service: string, minutes: number, errors: number): Promise<void> {
    const counters: CounterSample[] = [];
    const histograms: HistogramSample[] = [];
    const from = clock.now().getTime();
    for (let i = 0; i < minutes; i++) {
      const at = new Date(from + i * 60_000);
      counters.push({ series: simulatorSeries.requests(service), at, value: 6000 }, { series: simulatorSeries.errors(service), at, value: errors });
      histograms.push({ series: simulatorSeries.latency(service), at, buckets: [{ le: 0.1, count: 6000 }, { le: Infinity, count: 0 }] });
    }
    await db.dataSource.transaction((m) => store.write(m, { source: 'test', counters, histograms }));
    clock.set(new Date(from + minutes * 60_000));
  }

  /** Everything queued, sent as the outbox worker sends it. */
  async function deliverAll(): Promise<void> {
    for (let batch = await outbox.claim(20); batch.length > 0; batch = await outbox.claim(20)) {
      for (const message of batch) await outbox.markSent(message, await notifier.deliver(message));
    }
  }

  const stateOf = async (sloId: string) => (await evaluator.evaluate('manual')).find((r) => r.slo.id === sloId)!.state;
  // Burn incidents only: the SLOs without traffic here go blind after 10 minutes (alerting.noData), which blind-monitoring.test.ts covers.
  const incidentRows = async () =>
    (await db.dataSource.query(`SELECT id, fingerprint, urgency, status FROM incidents WHERE fingerprint NOT LIKE '%:no-data' ORDER BY id`)) as Array<{ id: number; fingerprint: string; urgency: string; status: string }>;
  const topics = async () => ((await db.dataSource.query(`SELECT topic FROM outbox ORDER BY id`)) as Array<{ topic: string }>).map((r) => r.topic);
  /** Top-level posts to a channel (not thread replies). */
  const posts = (channel: string) => slack.callsTo('chat.postMessage').filter((c) => c.body.channel === channel && !c.body.thread_ts);
  // 6 errors a minute of 6000 is the whole budget of a 99.9% SLO spent at 1×; 24 is a 4× burn:
  // over the ticket pair's 3× (1d/2h), under the page pairs' 6× (6h/30m) and 14.4× (1h/5m).
  const SLOW_BURN = 24;

  it('posts a slow burn once to the route ticket channel, pages nobody, and edits the post when the burn ends and when it is resolved', async () => {
    await traffic('now-playing-ranker', 25 * 60, SLOW_BURN);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    // The burn goes on over several passes: one incident, one post.
    await traffic('now-playing-ranker', 1, SLOW_BURN);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    const [ticket] = await incidentRows();
    expect(await incidentRows()).toEqual([{ id: ticket.id, fingerprint: 'slo:now-playing-ranker.availability:ticket', urgency: 'ticket', status: 'triggered' }]);
    await deliverAll();
    await deliverAll();

    expect(posts('#ranker-tickets')).toHaveLength(1);
    const [post] = posts('#ranker-tickets');
    expect(post.body.text).toBe('TICKET: now-playing-ranker availability SLO is slowly burning its error budget (now-playing-ranker)');
    expect(post.body.metadata).toMatchObject({ event_type: 'headroom_ticket', event_payload: { key: `incident:${ticket.id}:ticket` } });
    // No page, no escalation, no direct message, nothing in the page channel.
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(slack.directMessagesTo('U0ALICE')).toEqual([]);
    expect(await db.dataSource.query(`SELECT * FROM escalations`)).toEqual([]);
    expect(await topics()).toEqual(['incident.ticketed']);
    const timeline = await incidents.timeline(ticket.id);
    expect(timeline.map((t) => [t.kind, t.message, t.actorType])).toEqual([
      ['incident.triggered', 'Triggered: now-playing-ranker availability SLO is slowly burning its error budget (a ticket: posting to #ranker-tickets; nobody paged)', 'system'],
      ['notification.sent', 'Posted to #ranker-tickets as a ticket', 'system'],
    ]);

    // As if the process had died after Slack took the post but before it was marked sent: taken up again, it does not post twice.
    await db.dataSource.query(`UPDATE outbox SET status = 'pending', sent_at = NULL WHERE topic = 'incident.ticketed'`);
    await deliverAll();
    expect(posts('#ranker-tickets')).toHaveLength(1);

    // Healthy for 7 hours: every ticket pair's short window (2h, 6h) is clean, the burn ended.
    await traffic('now-playing-ranker', 7 * 60, 0);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ok');
    await deliverAll();
    const updates = slack.callsTo('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0].body.ts).toBe(slack.messages[0].ts);
    expect(updates[0].body.text).toBe('[Ended] TICKET: now-playing-ranker availability SLO is slowly burning its error budget (now-playing-ranker)');
    const endedAt = Math.floor(clock.now().getTime() / 1000);
    expect(JSON.stringify(updates[0].body.blocks)).toContain(`*Ended* <!date^${endedAt}^`);
    expect(JSON.stringify(updates[0].body.blocks)).toContain('The slow burn ended: burn rates are back under the ticket thresholds');

    // Resolved by a person: edited again, saying by whom and when. Never a thread reply, never a second post.
    clock.advance(60_000);
    await incidents.resolve(ticket.id, alice);
    await deliverAll();
    expect(slack.callsTo('chat.update')).toHaveLength(2);
    expect(slack.callsTo('chat.update')[1].body.text).toMatch(/^\[Resolved\] TICKET: /);
    expect(JSON.stringify(slack.callsTo('chat.update')[1].body.blocks)).toContain(`*Resolved by*\\nAlice <!date^${Math.floor(clock.now().getTime() / 1000)}^`);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(slack.messages.filter((m) => m.thread_ts)).toEqual([]);
    expect(await db.dataSource.query(`SELECT * FROM escalations`)).toEqual([]);
  });

  it('a ticket that turns into a page: the page opens and escalates as any page does, and the ticket post says the page took over', async () => {
    await traffic('now-playing-ranker', 25 * 60, SLOW_BURN);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    await deliverAll();
    expect(posts('#ranker-tickets')).toHaveLength(1);

    // Ten minutes of 100% errors: 14.4× over 1h and 5m.
    await traffic('now-playing-ranker', 10, 6000);
    expect(await stateOf('now-playing-ranker.availability')).toBe('page');
    await deliverAll();
    const [ticket, page] = await incidentRows();
    expect([ticket.urgency, page.urgency, page.fingerprint]).toEqual(['ticket', 'page', 'slo:now-playing-ranker.availability:page']);
    // The page path: the page in the page channel, the escalation's first step a DM to Alice.
    expect(posts('C0PAGES')).toHaveLength(1);
    expect(slack.directMessagesTo('U0ALICE')).toHaveLength(1);
    expect((await db.dataSource.query(`SELECT incident_id FROM escalations`)).map((r: { incident_id: number }) => Number(r.incident_id))).toEqual([page.id]);
    // The ticket: still one post, edited to say the page took over.
    expect(posts('#ranker-tickets')).toHaveLength(1);
    const edit = slack.callsTo('chat.update').find((c) => String(c.body.text).includes('TICKET'))!;
    expect(edit.body.text).toMatch(/^\[Ended\] TICKET: /);
    expect(JSON.stringify(edit.body.blocks)).toContain('The burn rose to the page thresholds: the SLO pages as its own incident now');

    // The outage is over: the page pairs reset, the slow-burn windows still hold it (state
    // ticket). The open page holds the ticket back: no refire, no edit, no new incident.
    await traffic('now-playing-ranker', 40, 0);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    await deliverAll();
    const ticketEdits = () => slack.callsTo('chat.update').filter((c) => String(c.body.text).includes('TICKET'));
    expect(ticketEdits()).toHaveLength(1);
    expect((await incidentRows()).map((r) => r.id)).toEqual([ticket.id, page.id]);
    // Once a person resolved the page, the slow burn still going on is the ticket's again.
    await incidents.resolve(page.id, alice);
    await traffic('now-playing-ranker', 1, 0);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    await deliverAll();
    expect((await incidentRows()).map((r) => r.id)).toEqual([ticket.id, page.id]);
    expect(ticketEdits().at(-1)!.body.text).toMatch(/^TICKET: /);
    expect((await incidents.timeline(ticket.id)).at(-1)!.message).toBe('The alert condition is true again');
    expect(posts('#ranker-tickets')).toHaveLength(1);
    expect(slack.directMessagesTo('U0ALICE')).toHaveLength(1);
  });

  it('on a route without a ticket channel a slow burn notifies nobody (it shows in the console), and a page still pages', async () => {
    await traffic('feature-store', 25 * 60, SLOW_BURN);
    expect(await stateOf('feature-store.availability')).toBe('ticket');
    await deliverAll();
    const [ticket] = await incidentRows();
    expect(ticket).toMatchObject({ fingerprint: 'slo:feature-store.availability:ticket', urgency: 'ticket', status: 'triggered' });
    expect(await topics()).toEqual([]);
    expect(slack.calls).toEqual([]);
    expect(await db.dataSource.query(`SELECT * FROM escalations`)).toEqual([]);
    expect((await incidents.timeline(ticket.id)).map((t) => t.message)).toEqual([
      'Triggered: feature-store availability SLO is slowly burning its error budget (a ticket: its route names no ticketChannel, so it shows in the console only; nobody paged)',
    ]);

    await traffic('feature-store', 10, 6000);
    expect(await stateOf('feature-store.availability')).toBe('page');
    await deliverAll();
    expect(posts('C0PAGES')).toHaveLength(1);
    expect(slack.directMessagesTo('U0ALICE')).toHaveLength(1);
    // The ticket's end is on its timeline only: it has no post to edit.
    expect(slack.callsTo('chat.update').filter((c) => String(c.body.text).includes('TICKET'))).toEqual([]);
  });

  it('a ticket opened muted by a maintenance window is posted as a ticket (never paged) once the window is over', async () => {
    const ends = new Date(T0.getTime() + (25 * 60 + 30) * 60_000);
    await db.dataSource.query(`INSERT INTO silences (kind, service, matchers, starts_at, ends_at, comment, created_by) VALUES ('maintenance', 'now-playing-ranker', '[]', $1, $2, 'upgrade', 'bob')`, [T0.toISOString(), ends.toISOString()]);
    await traffic('now-playing-ranker', 25 * 60, SLOW_BURN);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    await deliverAll();
    const [ticket] = await incidentRows();
    expect(ticket.urgency).toBe('ticket');
    expect(await topics()).toEqual([]);
    expect(slack.calls).toEqual([]);

    await traffic('now-playing-ranker', 60, SLOW_BURN);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    await deliverAll();
    expect(await topics()).toEqual(['incident.ticketed']);
    expect(posts('#ranker-tickets')).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(await db.dataSource.query(`SELECT * FROM escalations`)).toEqual([]);
  });
});
