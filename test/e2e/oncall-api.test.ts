import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeSlack } from '../fakes/fake-slack';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { blockActionsBody, slackSignature } from '../support/slack-signature';
import { REPO_ROOT, runHeadroomCli, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * Schedules, who is on call and escalations over HTTP, against the built server with the
 * repository's alerts/oncall.yaml (and a route that follows its policy): only one of its
 * participants is a user here, the others are reported and left out.
 */
const ADMIN_TOKEN = 'e2e-oncall-admin-token-0123456789';
const SECRET = 'oncall-signing-secret';
const CHANNEL = 'C0PAGES';

// The repository's alerts/ with the personalization route following the example policy.
const ROUTES = `routes:
  - name: personalization-pages
    match: ['service=~"now-playing-ranker|candidate-retrieval"']
    escalationPolicy: personalization
`;

describe.each(databaseKinds())('on-call API (real process, %s)', (kind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-oncall-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-oncall-alerts-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;
  let viewerToken: string;
  let responderToken: string;
  const slack = new FakeSlack();

  beforeAll(async () => {
    await slack.start();
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    for (const f of fs.readdirSync(path.join(REPO_ROOT, 'alerts'), { withFileTypes: true })) if (f.isFile()) fs.copyFileSync(path.join(REPO_ROOT, 'alerts', f.name), path.join(alertsDir, f.name));
    fs.writeFileSync(path.join(alertsDir, 'routes.yaml'), ROUTES);
    const env = {
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_RUNBOOKS_DIR: path.join(REPO_ROOT, 'runbooks'),
      HEADROOM_ADMIN_TOKEN: ADMIN_TOKEN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_ESCALATION_INTERVAL_SECONDS: '1',
      HEADROOM_OUTBOX_POLL_MS: '200',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_CHANNEL: CHANNEL,
      SLACK_API_URL: slack.url,
      ...(db ? { DATABASE_URL: db.url } : {}),
    };
    viewerToken = (await runHeadroomCli(['token', 'create', '--name', 'viewer-vic', '--role', 'viewer'], env)).stdout.trim();
    responderToken = (await runHeadroomCli(['token', 'create', '--name', 'responder-rae', '--role', 'responder'], env)).stdout.trim();
    app = await startHeadroomProcess(env);
  });

  afterAll(async () => {
    await app?.stop();
    await slack.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  const call = (p: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${app.url}${p}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${init.token ?? ADMIN_TOKEN}` } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

  it('lists schedules with who is on call, takes overrides from responders, exports iCal, and escalates an incident', async () => {
    const alice = await json(call('/api/users', { method: 'POST', body: JSON.stringify({ email: 'alice@example.com', name: 'Alice', role: 'responder', slackUserId: 'U0ALICE' }) }));
    expect(alice.id).toBeDefined();

    const status = await json(call('/api/oncall/status'));
    expect(status).toMatchObject({ schedules: 1, escalationPolicies: 1, problems: [] });
    expect(status.participants.map((p: { user: string }) => p.user)).toEqual(expect.arrayContaining(['bob@example.com', 'dave@example.com']));
    expect(status.policyUsers).toEqual([expect.objectContaining({ policy: 'personalization', user: 'lead@example.com' })]);

    const now = Date.now();
    const override = { user: 'alice@example.com', start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 3_600_000).toISOString() };
    expect((await call('/api/schedules/ranker-primary/overrides', { method: 'POST', token: viewerToken, body: JSON.stringify(override) })).status).toBe(403);
    const bad = await call('/api/schedules/ranker-primary/overrides', { method: 'POST', token: responderToken, body: JSON.stringify({ ...override, user: 'nobody@example.com' }) });
    expect(bad.status).toBe(400);
    expect((await json(bad)).message).toMatch(/user: no active Headroom user/);
    expect((await call('/api/schedules/ranker-primary/overrides', { method: 'POST', token: responderToken, body: JSON.stringify(override) })).status).toBe(201);

    const list = await call('/api/schedules', { token: viewerToken });
    expect(list.headers.get('content-range')).toBe('schedules 0-0/1');
    expect(await list.json()).toEqual([expect.objectContaining({ id: 'ranker-primary', onCallNow: expect.objectContaining({ user: { id: alice.id, email: 'alice@example.com', name: 'Alice' }, source: 'override' }) })]);
    expect(await json(call('/api/oncall', { token: viewerToken }))).toEqual([expect.objectContaining({ schedule: { id: 'ranker-primary', name: 'Ranking primary' } })]);

    const detail = await json(call('/api/schedules/ranker-primary'));
    expect(new Date(detail.to).getTime() - new Date(detail.from).getTime()).toBe(14 * 86_400_000);
    expect(detail.shifts[0]).toMatchObject({ override: true, user: { email: 'alice@example.com' } });
    expect((await call('/api/schedules/nope')).status).toBe(404);

    const ics = await call('/api/schedules/ranker-primary/calendar.ics', { token: viewerToken });
    expect(ics.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(await ics.text()).toContain('BEGIN:VEVENT');
    expect(await (await call(`/api/users/${alice.id}/calendar.ics`)).text()).toContain('X-WR-CALNAME:On call: Alice');

    // A manual incident for a personalization service follows the personalization policy (the route above).
    const incident = await json(call('/api/incidents', { method: 'POST', token: responderToken, body: JSON.stringify({ title: 'ranker down', service: 'now-playing-ranker', severity: 'critical' }) }));
    const timeline = async () => (await json(call(`/api/incidents/${incident.id}`))).timeline.map((t: { message: string }) => t.message);
    expect(await timeline()).toEqual(expect.arrayContaining(['Escalated to step 1: paged Alice (on call for ranker-primary)']));
    // Step 1 reaches Alice as a direct message; the page in the channel offers Escalate.
    const [dm] = await waitFor('the DM to Alice', () => (slack.directMessagesTo('U0ALICE').length ? slack.directMessagesTo('U0ALICE') : null), 15_000, 50);
    expect(dm.text).toContain('You are paged (escalation step 1, on call for ranker-primary)');
    const page = await waitFor('the page', () => slack.messages.find((m) => m.channel === CHANNEL && !m.thread_ts), 15_000, 50);
    expect(JSON.stringify(page.blocks)).toContain('incident.escalate');

    // Escalate clicked in Slack (a signed request, as Slack sends it): step 2 posts to the policy's channel.
    const body = blockActionsBody({ actionId: 'incident.escalate', value: String(incident.id), userId: 'U0ALICE', username: 'alice', channel: CHANNEL, ts: page.ts });
    const ts = Math.floor(Date.now() / 1000);
    const click = await fetch(`${app.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': slackSignature(SECRET, ts, body) },
      body,
    });
    expect(click.status).toBe(200);
    await waitFor('the post to the escalation channel', () => slack.messages.find((m) => m.channel === '#personalization-oncall'), 15_000, 50);
    expect(await timeline()).toEqual(expect.arrayContaining(['Escalated to step 2 by Alice: posted to #personalization-oncall']));

    // Escalate through the API: step 3 names a person who is not a user, which the timeline says.
    expect((await call(`/api/incidents/${incident.id}/escalate`, { method: 'POST', token: viewerToken })).status).toBe(403);
    const escalated = await call(`/api/incidents/${incident.id}/escalate`, { method: 'POST', token: responderToken });
    expect(escalated.status).toBe(200);
    expect(await escalated.json()).toMatchObject({ policy: 'personalization', step: 3 });
    expect(await timeline()).toEqual(expect.arrayContaining(['could not notify lead@example.com: not an active Headroom user', 'Escalated to step 3 by responder-rae: nobody could be notified']));
    expect(slack.directMessagesTo('U0ALICE')).toHaveLength(1);
    expect((await call(`/api/incidents/${incident.id}/acknowledge`, { method: 'POST', token: responderToken })).status).toBe(200);
    expect((await call(`/api/incidents/${incident.id}/escalate`, { method: 'POST', token: responderToken })).status).toBe(409);
    // The engine's pass (every second here) notes that the acknowledgement stopped it.
    await waitFor('escalation stopped', async () => (await timeline()).includes('Escalation stopped: the incident was acknowledged'), 15_000, 200);
  });

  it('secret calendar links: made by a responder, shown once, served without credentials, rotated and revoked, audited', async () => {
    const [alice] = await json(call('/api/users?filter={"q":"alice"}'));
    const feed = (url: string) => fetch(url.replace(/^https?:\/\/[^/]+/, app.url));
    expect((await call('/api/schedules/ranker-primary/calendar-link', { method: 'POST', token: viewerToken })).status).toBe(403);
    expect((await call('/api/schedules/nope/calendar-link', { method: 'POST', token: responderToken })).status).toBe(404);
    expect(await json(call('/api/schedules/ranker-primary/calendar-link', { token: viewerToken }))).toEqual({ link: null });

    const created = await call('/api/schedules/ranker-primary/calendar-link', { method: 'POST', token: responderToken });
    expect(created.status).toBe(201);
    const first = await json(created);
    expect(first).toMatchObject({ kind: 'schedule', target: 'ranker-primary', createdBy: 'responder-rae', rotated: false, url: expect.stringMatching(/\/calendar\/hc_[\w-]{43}\.ics$/) });
    const served = await feed(first.url);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(await served.text()).toContain('X-WR-CALNAME:On call: Ranking primary');
    // The link's existence is visible, the URL never again.
    const shown = await json(call('/api/schedules/ranker-primary/calendar-link', { token: viewerToken }));
    expect(shown).toEqual({ link: { kind: 'schedule', target: 'ranker-primary', createdBy: 'responder-rae', createdAt: expect.any(String) } });

    const second = await json(call('/api/schedules/ranker-primary/calendar-link', { method: 'POST', token: responderToken }));
    expect(second.rotated).toBe(true);
    expect((await feed(first.url)).status).toBe(404);
    expect((await feed(second.url)).status).toBe(200);
    expect((await call('/api/schedules/ranker-primary/calendar-link', { method: 'DELETE', token: responderToken })).status).toBe(204);
    expect((await feed(second.url)).status).toBe(404);
    expect((await call('/api/schedules/ranker-primary/calendar-link', { method: 'DELETE', token: responderToken })).status).toBe(404);
    expect((await fetch(`${app.url}/calendar/hc_not-a-token.ics`)).status).toBe(404);

    // A person's feed is theirs: a responder's token cannot make Alice's; an admin can.
    expect((await call(`/api/users/${alice.id}/calendar-link`, { method: 'POST', token: responderToken })).status).toBe(403);
    const mine = await json(call(`/api/users/${alice.id}/calendar-link`, { method: 'POST' }));
    expect(await (await feed(mine.url)).text()).toContain('X-WR-CALNAME:On call: Alice');

    const audit = await json(call('/api/audit?filter={"action":["calendar_link.created","calendar_link.rotated","calendar_link.revoked"]}&sort=["id","ASC"]'));
    expect(audit.map((a: { action: string; entityType: string; actorName: string }) => `${a.action} ${a.entityType} ${a.actorName}`)).toEqual([
      'calendar_link.created schedule responder-rae', 'calendar_link.rotated schedule responder-rae', 'calendar_link.revoked schedule responder-rae', 'calendar_link.created user admin (HEADROOM_ADMIN_TOKEN)',
    ]);
    expect(JSON.stringify(audit)).not.toContain(first.url.split('/').pop().replace('.ics', ''));
  });
});
