import { ManualClock } from '../../server/src/common/clock';
import { routeSchema, toRoute } from '../../server/src/rules/route-definition';
import { RoutesService } from '../../server/src/rules/routes.service';
import { databaseKinds } from '../support/database';
import { useSloSlackPipeline } from '../support/slo-slack-pipeline';

/**
 * Ticket-level burns end to end through the real stages: SLI store → SLO evaluator → incidents
 * (writer, routes) → outbox → notifier → a fake Slack, with the escalation engine wired as
 * server/src/pipeline.ts wires it. The ranker's route names a ticket channel; feature-store's
 * does not. Both follow the `ranker` escalation policy (test/fixtures/oncall: Alice on call).
 */

// Alice is on call for ranker-primary this week (its first layer starts 2026-11-30 09:00 London).
const T0 = new Date('2026-12-01T00:00:00Z');
const alice = { type: 'user' as const, id: 'u-alice', name: 'Alice' };

const routes = new RoutesService([
  toRoute(routeSchema.parse({ name: 'ranker', match: ['service="now-playing-ranker"'], escalationPolicy: 'ranker', ticketChannel: '#ranker-tickets' }), 'test'),
  toRoute(routeSchema.parse({ name: 'feature-store', match: ['service="feature-store"'], escalationPolicy: 'ranker' }), 'test'),
]);

describe.each(databaseKinds())('ticket-level burns and the ticket channel on %s', (kind) => {
  const clock = new ManualClock(T0);
  const ctx = useSloSlackPipeline(kind, routes, clock, T0);

  /** `minutes` of a service's traffic from the clock on (6000 requests a minute, `errors` failed), then the clock moves past it. */
  const traffic = (service: string, minutes: number, errors: number) => ctx.p.traffic(minutes, { [service]: errors });
  const deliverAll = () => ctx.p.deliverAll();

  const stateOf = async (sloId: string) => (await ctx.evaluator.evaluate('manual')).find((r) => r.slo.id === sloId)!.state;
  // Burn incidents only: the SLOs without traffic here go blind after 10 minutes (alerting.noData), which blind-monitoring.test.ts covers.
  const incidentRows = async () =>
    (await ctx.db.dataSource.query(`SELECT id, fingerprint, urgency, status FROM incidents WHERE fingerprint NOT LIKE '%:no-data' ORDER BY id`)) as Array<{ id: number; fingerprint: string; urgency: string; status: string }>;
  const topics = async () => ((await ctx.db.dataSource.query(`SELECT topic FROM outbox ORDER BY id`)) as Array<{ topic: string }>).map((r) => r.topic);
  /** Top-level posts to a channel (not thread replies). */
  const posts = (channel: string) => ctx.slack.callsTo('chat.postMessage').filter((c) => c.body.channel === channel && !c.body.thread_ts);
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
    expect(ctx.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(ctx.slack.directMessagesTo('U0ALICE')).toEqual([]);
    expect(await ctx.db.dataSource.query(`SELECT * FROM escalations`)).toEqual([]);
    expect(await topics()).toEqual(['incident.ticketed']);
    const timeline = await ctx.p.incidents.timeline(ticket.id);
    expect(timeline.map((t) => [t.kind, t.message, t.actorType])).toEqual([
      ['incident.triggered', 'Triggered: now-playing-ranker availability SLO is slowly burning its error budget (a ticket: posting to #ranker-tickets; nobody paged)', 'system'],
      ['notification.sent', 'Posted to #ranker-tickets as a ticket', 'system'],
    ]);

    // As if the process had died after Slack took the post but before it was marked sent: taken up again, it does not post twice.
    await ctx.db.dataSource.query(`UPDATE outbox SET status = 'pending', sent_at = NULL WHERE topic = 'incident.ticketed'`);
    await deliverAll();
    expect(posts('#ranker-tickets')).toHaveLength(1);

    // Healthy for 7 hours: every ticket pair's short window (2h, 6h) is clean, the burn ended.
    await traffic('now-playing-ranker', 7 * 60, 0);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ok');
    await deliverAll();
    const updates = ctx.slack.callsTo('chat.update');
    expect(updates).toHaveLength(1);
    expect(updates[0].body.ts).toBe(ctx.slack.messages[0].ts);
    expect(updates[0].body.text).toBe('[Ended] TICKET: now-playing-ranker availability SLO is slowly burning its error budget (now-playing-ranker)');
    const endedAt = Math.floor(clock.now().getTime() / 1000);
    expect(JSON.stringify(updates[0].body.blocks)).toContain(`*Ended* <!date^${endedAt}^`);
    expect(JSON.stringify(updates[0].body.blocks)).toContain('The slow burn ended: burn rates are back under the ticket thresholds');

    // Resolved by a person: edited again, saying by whom and when. Never a thread reply, never a second post.
    clock.advance(60_000);
    await ctx.p.incidents.resolve(ticket.id, alice);
    await deliverAll();
    expect(ctx.slack.callsTo('chat.update')).toHaveLength(2);
    expect(ctx.slack.callsTo('chat.update')[1].body.text).toMatch(/^\[Resolved\] TICKET: /);
    expect(JSON.stringify(ctx.slack.callsTo('chat.update')[1].body.blocks)).toContain(`*Resolved by*\\nAlice <!date^${Math.floor(clock.now().getTime() / 1000)}^`);
    expect(ctx.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(ctx.slack.messages.filter((m) => m.thread_ts)).toEqual([]);
    expect(await ctx.db.dataSource.query(`SELECT * FROM escalations`)).toEqual([]);
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
    expect(ctx.slack.directMessagesTo('U0ALICE')).toHaveLength(1);
    expect((await ctx.db.dataSource.query(`SELECT incident_id FROM escalations`)).map((r: { incident_id: number }) => Number(r.incident_id))).toEqual([page.id]);
    // The ticket: still one post, edited to say the page took over.
    expect(posts('#ranker-tickets')).toHaveLength(1);
    const edit = ctx.slack.callsTo('chat.update').find((c) => String(c.body.text).includes('TICKET'))!;
    expect(edit.body.text).toMatch(/^\[Ended\] TICKET: /);
    expect(JSON.stringify(edit.body.blocks)).toContain('The burn rose to the page thresholds: the SLO pages as its own incident now');

    // The outage is over: the page pairs reset, the slow-burn windows still hold it (state
    // ticket). The open page holds the ticket back: no refire, no edit, no new incident.
    await traffic('now-playing-ranker', 40, 0);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    await deliverAll();
    const ticketEdits = () => ctx.slack.callsTo('chat.update').filter((c) => String(c.body.text).includes('TICKET'));
    expect(ticketEdits()).toHaveLength(1);
    expect((await incidentRows()).map((r) => r.id)).toEqual([ticket.id, page.id]);
    // Once a person resolved the page, the slow burn still going on is the ticket's again.
    await ctx.p.incidents.resolve(page.id, alice);
    await traffic('now-playing-ranker', 1, 0);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    await deliverAll();
    expect((await incidentRows()).map((r) => r.id)).toEqual([ticket.id, page.id]);
    expect(ticketEdits().at(-1)!.body.text).toMatch(/^TICKET: /);
    expect((await ctx.p.incidents.timeline(ticket.id)).at(-1)!.message).toBe('The alert condition is true again');
    expect(posts('#ranker-tickets')).toHaveLength(1);
    expect(ctx.slack.directMessagesTo('U0ALICE')).toHaveLength(1);
  });

  it('on a route without a ticket channel a slow burn notifies nobody (it shows in the console), and a page still pages', async () => {
    await traffic('feature-store', 25 * 60, SLOW_BURN);
    expect(await stateOf('feature-store.availability')).toBe('ticket');
    await deliverAll();
    const [ticket] = await incidentRows();
    expect(ticket).toMatchObject({ fingerprint: 'slo:feature-store.availability:ticket', urgency: 'ticket', status: 'triggered' });
    expect(await topics()).toEqual([]);
    expect(ctx.slack.calls).toEqual([]);
    expect(await ctx.db.dataSource.query(`SELECT * FROM escalations`)).toEqual([]);
    expect((await ctx.p.incidents.timeline(ticket.id)).map((t) => t.message)).toEqual([
      'Triggered: feature-store availability SLO is slowly burning its error budget (a ticket: its route names no ticketChannel, so it shows in the console only; nobody paged)',
    ]);

    await traffic('feature-store', 10, 6000);
    expect(await stateOf('feature-store.availability')).toBe('page');
    await deliverAll();
    expect(posts('C0PAGES')).toHaveLength(1);
    expect(ctx.slack.directMessagesTo('U0ALICE')).toHaveLength(1);
    // The ticket's end is on its timeline only: it has no post to edit.
    expect(ctx.slack.callsTo('chat.update').filter((c) => String(c.body.text).includes('TICKET'))).toEqual([]);
  });

  it('a ticket opened muted by a maintenance window is posted as a ticket (never paged) once the window is over', async () => {
    const ends = new Date(T0.getTime() + (25 * 60 + 30) * 60_000);
    await ctx.db.dataSource.query(`INSERT INTO silences (kind, service, matchers, starts_at, ends_at, comment, created_by) VALUES ('maintenance', 'now-playing-ranker', '[]', $1, $2, 'upgrade', 'bob')`, [T0.toISOString(), ends.toISOString()]);
    await traffic('now-playing-ranker', 25 * 60, SLOW_BURN);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    await deliverAll();
    const [ticket] = await incidentRows();
    expect(ticket.urgency).toBe('ticket');
    expect(await topics()).toEqual([]);
    expect(ctx.slack.calls).toEqual([]);

    await traffic('now-playing-ranker', 60, SLOW_BURN);
    expect(await stateOf('now-playing-ranker.availability')).toBe('ticket');
    await deliverAll();
    expect(await topics()).toEqual(['incident.ticketed']);
    expect(posts('#ranker-tickets')).toHaveLength(1);
    expect(ctx.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(await ctx.db.dataSource.query(`SELECT * FROM escalations`)).toEqual([]);
  });
});
