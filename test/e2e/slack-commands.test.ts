import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeSlack } from '../fakes/fake-slack';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';
import { blockActionsBody, postSlackEvent, slashCommandBody } from '../support/slack-signature';

/**
 * `/headroom` and the Snooze menu end to end, against the built server and the fake Slack: every
 * subcommand as a signed request does what it says (and edits the page), a forged or stale one
 * gets 401 and changes nothing, and a viewer is refused with an ephemeral answer. People are
 * told apart by Slack id: Alice (responder, Slack id stored), Vic (viewer, found by his Slack
 * email) and Dora (responder, found by her Slack email when she is paged).
 */
const ADMIN = 'e2e-slack-commands-admin-token-0123';
const SECRET = 'slack-commands-signing-secret';
const CHANNEL = 'C0PAGES';

describe('Slack /headroom command and Snooze menu (real process)', () => {
  const slack = new FakeSlack();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-slash-'));
  let app: HeadroomProcess;
  let seq = 0;

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const get = async (p: string): Promise<any> => (await api(p)).json();
  const people = { alice: 'U0ALICE', vic: 'U0VIC', dora: 'U0DORA' } as const;

  /** Runs `/headroom <text>` as that person and returns Headroom's answer (posted to the response_url). */
  const command = async (who: keyof typeof people, text: string) => {
    const name = `cmd-${++seq}`;
    const res = await postSlackEvent(app.url, slashCommandBody({ text, userId: people[who], username: who, channel: CHANNEL, responseUrl: slack.responseUrl(name) }), SECRET);
    expect(res.status).toBe(200);
    const [reply] = await waitFor(`the answer to /headroom ${text}`, () => (slack.responsesTo(name).length ? slack.responsesTo(name) : null), 15_000, 20);
    return reply as { response_type: string; text: string };
  };
  const incident = (id: number) => get(`/api/incidents/${id}`);
  const pageOf = (id: number) => slack.messages.find((m) => m.channel === CHANNEL && !m.thread_ts && JSON.stringify(m.blocks).includes(`incident-${id}`));

  beforeAll(async () => {
    await slack.start();
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_OUTBOX_POLL_MS: '200',
      HEADROOM_PUBLIC_URL: 'https://headroom.example.com',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_CHANNEL: CHANNEL,
      SLACK_API_URL: slack.url,
    });
    slack.addMember('U0VIC', 'vic@example.com', 'vic');
    slack.addMember('U0DORA', 'Dora@Example.com', 'dora');
    for (const user of [
      { email: 'alice@example.com', name: 'Alice', role: 'responder', slackUserId: 'U0ALICE' },
      { email: 'vic@example.com', name: 'Vic', role: 'viewer' },
      { email: 'dora@example.com', name: 'Dora', role: 'responder' },
    ]) expect((await api('/api/users', { method: 'POST', body: JSON.stringify(user) })).status).toBe(201);
  });

  afterAll(async () => {
    await app?.stop();
    await slack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  let pagedId: number;

  it('refuses a command with a forged or stale signature (401) and does nothing', async () => {
    const body = slashCommandBody({ text: 'page now-playing-ranker forged', userId: 'U0ALICE', username: 'alice', channel: CHANNEL, responseUrl: slack.responseUrl('forged') });
    expect((await postSlackEvent(app.url, body, 'not-the-secret')).status).toBe(401);
    expect((await postSlackEvent(app.url, body, SECRET, Math.floor(Date.now() / 1000) - 600)).status).toBe(401);
    // Stamped in the future beyond the minute Slack's clock may be ahead (Bolt only checks the past).
    const ahead = await postSlackEvent(app.url, body, SECRET, Math.floor(Date.now() / 1000) + 600);
    expect(ahead.status).toBe(401);
    expect(await ahead.text()).toBe('request timestamp is in the future');
    await new Promise((r) => setTimeout(r, 300));
    expect(await get('/api/incidents')).toEqual([]);
    expect(slack.responsesTo('forged')).toEqual([]);
  });

  it('answers help, and help for a subcommand it does not know', async () => {
    const help = await command('vic', 'help');
    expect(help.response_type).toBe('ephemeral');
    expect(help.text).toContain('`oncall [schedule]`');
    expect(help.text).toContain('`page SERVICE MESSAGE`');
    expect((await command('vic', 'rollback 3')).text).toMatch(/^Headroom does not know `rollback`\.\n\*Headroom\*/);
    expect((await command('alice', 'ack')).text).toMatch(/^Usage: `\/headroom ack ID`/);
  });

  it('oncall: who is on call now for every schedule or one, and says when a schedule does not exist', async () => {
    // Of the repository's ranker-primary participants only Alice is a user: she is on call, with no handoff ahead.
    expect((await command('vic', 'oncall')).text).toBe('*Ranking primary* (`ranker-primary`): Alice');
    expect((await command('vic', 'oncall Ranking primary')).text).toBe('*Ranking primary* (`ranker-primary`): Alice');
    expect((await command('vic', 'oncall nope')).text).toBe('There is no schedule nope. Schedules: `ranker-primary`');
  });

  it('page SERVICE by a viewer is refused; by a responder it opens a manual incident, pages it and says so in the channel', async () => {
    const refused = await command('vic', 'page now-playing-ranker p99 over 2 s');
    expect(refused).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('You cannot page: your Headroom role is viewer') });
    expect(await get('/api/incidents')).toEqual([]);

    const paged = await command('alice', 'page now-playing-ranker p99 over 2 s &amp; rising');
    expect(paged.response_type).toBe('in_channel');
    const [opened] = await get('/api/incidents');
    expect(opened).toMatchObject({ title: 'p99 over 2 s & rising', service: 'now-playing-ranker', source: 'manual', status: 'triggered' });
    pagedId = opened.id;
    expect(paged.text).toBe(`:rotating_light: Alice paged now-playing-ranker: <https://headroom.example.com/#/incidents/${pagedId}/show|#${pagedId}> p99 over 2 s &amp; rising`);
    const page = await waitFor('the page in the channel', () => pageOf(pagedId), 15_000, 20);
    expect(JSON.stringify(page.blocks)).toContain('incident.snooze');
    expect((await incident(pagedId)).timeline[0]).toMatchObject({ actorType: 'slack', actorId: 'U0ALICE', actorName: 'Alice' });
  });

  it('incidents: the open incidents, newest first, with links', async () => {
    const list = await command('vic', 'incidents');
    expect(list.text).toBe(`*Open incidents* (newest first)\n<https://headroom.example.com/#/incidents/${pagedId}/show|#${pagedId}> ERROR now-playing-ranker: p99 over 2 s &amp; rising (triggered)`);
  });

  it('the Snooze menu snoozes for the chosen time and edits the page; a viewer’s choice is refused', async () => {
    const page = pageOf(pagedId)!;
    const choose = (who: keyof typeof people, value: string) =>
      postSlackEvent(app.url, blockActionsBody({ actionId: 'incident.snooze', value, selected: true, userId: people[who], username: who, channel: CHANNEL, ts: page.ts, responseUrl: slack.responseUrl(`snooze-${who}`) }), SECRET);
    expect((await choose('vic', `${pagedId}:1800`)).status).toBe(200);
    const [refusal] = await waitFor('the refusal', () => (slack.responsesTo('snooze-vic').length ? slack.responsesTo('snooze-vic') : null));
    expect(String(refusal.text)).toContain(`You cannot snooze incident #${pagedId}: your Headroom role is viewer`);
    expect((await incident(pagedId)).status).toBe('triggered');

    const before = Date.now();
    expect((await choose('alice', `${pagedId}:3600`)).status).toBe(200);
    const snoozed = await waitFor('the snooze', async () => ((await incident(pagedId)).status === 'snoozed' ? incident(pagedId) : null));
    const until = new Date(snoozed.snoozedUntil).getTime();
    expect(until).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);
    expect(until).toBeLessThan(Date.now() + 3_600_000 + 1_000);
    expect(snoozed.timeline.at(-1)).toMatchObject({ kind: 'incident.snoozed', actorName: 'Alice' });
    const update = await waitFor('chat.update', () => slack.callsTo('chat.update').find((c) => c.body.ts === page.ts && JSON.stringify(c.body.blocks).includes('Snoozed until')));
    expect(update).toBeDefined();
    expect(slack.responsesTo('snooze-alice')).toEqual([]);
  });

  it('ack ID: refused for a viewer, done for a responder (editing the page), then explained as not applicable; an unknown id is named', async () => {
    expect((await command('vic', `ack ${pagedId}`)).text).toContain(`You cannot acknowledge incident #${pagedId}: your Headroom role is viewer`);
    expect((await incident(pagedId)).status).toBe('snoozed');

    const updates = slack.callsTo('chat.update').length;
    expect((await command('alice', `ack #${pagedId}`)).text).toBe(`Acknowledged <https://headroom.example.com/#/incidents/${pagedId}/show|#${pagedId}>: p99 over 2 s &amp; rising`);
    expect(await incident(pagedId)).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Alice' });
    await waitFor('the page edited', () => slack.callsTo('chat.update').length > updates);

    expect((await command('alice', `ack ${pagedId}`)).text).toBe(`Nothing changed: incident ${pagedId} is already acknowledged.`);
    expect((await command('alice', 'ack 9999')).text).toBe('There is no incident #9999.');
  });

  it('resolve ID: resolves it; resolving again says it already is', async () => {
    expect((await command('alice', `resolve ${pagedId}`)).text).toBe(`Resolved <https://headroom.example.com/#/incidents/${pagedId}/show|#${pagedId}>: p99 over 2 s &amp; rising`);
    expect(await incident(pagedId)).toMatchObject({ status: 'resolved', resolvedBy: 'Alice' });
    expect((await command('alice', `resolve ${pagedId}`)).text).toBe(`Nothing changed: incident ${pagedId} is already resolved.`);
    expect((await command('vic', 'incidents')).text).toBe('No open incidents.');
  });

  it('page @person: an incident assigned to them and a direct message to them', async () => {
    const paged = await command('alice', 'page <@U0DORA|dora> the feature store is stale');
    expect(paged.response_type).toBe('in_channel');
    const [opened] = await get('/api/incidents?filter={"status":"triggered"}');
    expect(opened).toMatchObject({ title: 'the feature store is stale', assignee: 'Dora', source: 'manual' });
    expect(paged.text).toContain(`Alice paged <@U0DORA>: <https://headroom.example.com/#/incidents/${opened.id}/show|#${opened.id}>`);
    const [dm] = await waitFor('the DM to Dora', () => (slack.directMessagesTo('U0DORA').length ? slack.directMessagesTo('U0DORA') : null), 15_000, 20);
    expect(dm.text).toContain('Alice paged you with /headroom page.');
    expect(dm.text).toContain('the feature store is stale');
    // Dora was found by her Slack email and her Slack id stored on her user.
    const [dora] = await get('/api/users?filter={"q":"dora"}');
    expect(dora.slackUserId).toBe('U0DORA');
  });
  it('acts once on a signed request sent again within the 5-minute window (a replay)', async () => {
    const body = slashCommandBody({ text: 'page feature-store replayed page', userId: 'U0ALICE', username: 'alice', channel: CHANNEL, responseUrl: slack.responseUrl('replay') });
    const at = Math.floor(Date.now() / 1000);
    expect((await postSlackEvent(app.url, body, SECRET, at)).status).toBe(200);
    const again = await postSlackEvent(app.url, body, SECRET, at);
    expect(again.status).toBe(200);
    await waitFor('the answer to the first', () => slack.responsesTo('replay').length > 0, 15_000, 20);
    await new Promise((r) => setTimeout(r, 500));
    const opened = (await get('/api/incidents?range=[0,99]')).filter((i: { title: string }) => i.title === 'replayed page');
    expect(opened).toHaveLength(1);
    expect(slack.responsesTo('replay')).toHaveLength(1);
  });
});
