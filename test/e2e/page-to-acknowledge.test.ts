import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeSlack } from '../fakes/fake-slack';
import { simulatorSlackEnv, startHeadroomProcess, waitFor, REPO_ROOT, type HeadroomProcess } from '../support/headroom-process';
import { blockActionsBody, slackSignature } from '../support/slack-signature';

/**
 * The walking skeleton end to end, on the embedded database: a fault in the simulator burns
 * the ranker's availability SLO, exactly one page reaches (fake) Slack with two buttons and the
 * Snooze menu, a responder's signed click acknowledges it and the message is edited in place; a
 * forged click and a viewer's click change nothing; a restart does not page again. Time runs
 * 60× faster than the wall clock.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const SECRET = 'e2e-signing-secret';
const CHANNEL = 'C0ONCALL';
const SERVICE = 'now-playing-ranker';

describe('SLO breach to Slack acknowledge (embedded database, real process)', () => {
  const slack = new FakeSlack();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-'));
  let app: HeadroomProcess;

  const env = () => simulatorSlackEnv({ dataDir, adminToken: ADMIN, slackUrl: slack.url, channel: CHANNEL, signingSecret: SECRET });
  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const get = async (p: string): Promise<any> => (await api(p)).json();
  const pages = () => slack.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts);
  const click = (actionId: string, incidentId: number, ts: string, opts: { secret?: string; timestamp?: number; userId?: string; username?: string } = {}) => {
    const body = blockActionsBody({
      actionId, value: String(incidentId), userId: opts.userId ?? 'U0ALICE', username: opts.username ?? 'alice', channel: CHANNEL, ts,
      responseUrl: slack.responseUrl(opts.userId ?? 'U0ALICE'),
    });
    const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
    return fetch(`${app.url}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(opts.secret ?? SECRET, timestamp, body),
      },
      body,
    });
  };

  beforeAll(async () => {
    await slack.start();
    app = await startHeadroomProcess(env());
    // Who clicks: Alice, a responder with her Slack id; Vic, a viewer (linked by his Slack email).
    slack.addMember('U0VIC', 'vic@example.com', 'vic');
    for (const user of [
      { email: 'alice@example.com', name: 'Alice', role: 'responder', slackUserId: 'U0ALICE' },
      { email: 'vic@example.com', name: 'Vic', role: 'viewer' },
    ]) expect((await api('/api/users', { method: 'POST', body: JSON.stringify(user) })).status).toBe(201);
  });

  afterAll(async () => {
    await app?.stop();
    await slack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  let incidentId: number;
  let pageTs: string;

  it('rejects an invalid fault request with the field and the reason, and stores nothing', async () => {
    const res = await api('/api/simulator/faults', { method: 'POST', body: JSON.stringify({ service: 'nope', kind: 'error-rate', value: 2, durationSeconds: -1 }) });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { issues: Array<{ field: string }>; message: string };
    const fields = body.issues.map((i) => i.field).sort();
    expect(fields).toEqual(['durationSeconds', 'service']);
    expect(body.message).toContain('service: must be one of');
    const list = await get('/api/simulator/faults');
    expect(list).toEqual([]);
  });

  it('pages exactly once, with Acknowledge and Resolve buttons and the Snooze menu, after an error-rate fault', async () => {
    // Let the simulator write healthy history and the first evaluations settle: nothing pages.
    await waitFor('a first evaluation', async () => {
      const slos = await get('/api/slos');
      return slos.every((s: { state: string }) => s.state === 'ok');
    });
    expect(pages()).toHaveLength(0);

    const injectedAt = Date.now();
    const res = await api('/api/simulator/faults', { method: 'POST', body: JSON.stringify({ service: SERVICE, kind: 'error-rate', value: 1, durationSeconds: 7200 }) });
    expect(res.status).toBe(201);
    await waitFor('the page in Slack', () => pages().length > 0, 30_000, 20);
    const seconds = (pages()[0].at - injectedAt) / 1000;
    fs.mkdirSync(path.join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    fs.writeFileSync(path.join(REPO_ROOT, 'test-artifacts', 'e2e-fault-to-page.json'), JSON.stringify({ faultToPageSeconds: seconds, timeScale: 60 }, null, 2));
    process.stdout.write(`fault injection → Slack page: ${seconds.toFixed(2)} s wall clock (time scale 60)\n`);

    const page = pages()[0];
    expect(page.body.channel).toBe(CHANNEL);
    const blocks = page.body.blocks as Array<{ type: string; elements?: Array<{ action_id: string }> }>;
    const actions = blocks.find((b) => b.type === 'actions')!;
    expect(actions.elements!.map((e) => e.action_id)).toEqual(['incident.acknowledge', 'incident.resolve', 'incident.snooze']);
    expect(JSON.stringify(blocks)).toContain(`${SERVICE}.availability`);
    expect(JSON.stringify(blocks)).toContain('/#/runbooks/now-playing-ranker-availability/show');

    // Pages only: a slow burn elsewhere may open a ticket, which pages nobody.
    const incidents = await get('/api/incidents?filter={"status":"triggered","urgency":"page"}');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ service: SERVICE, status: 'triggered', severity: 'critical', source: 'slo' });
    incidentId = incidents[0].id;
    pageTs = slack.messages.find((m) => !m.thread_ts)!.ts;
    expect(JSON.stringify(blocks)).toContain(`/#/incidents/${incidentId}/show`);
  });

  it('keeps evaluating while the fault lasts without paging again', async () => {
    const evaluatedBefore = (await get(`/api/slos/${SERVICE}.availability`)).evaluatedAt;
    await waitFor('more evaluations', async () => (await get(`/api/slos/${SERVICE}.availability`)).evaluatedAt !== evaluatedBefore);
    const slo = await get(`/api/slos/${SERVICE}.availability`);
    expect(slo.state).toBe('page');
    expect(pages()).toHaveLength(1);
  });

  it('does not page again after a restart', async () => {
    expect(await app.stop('SIGTERM')).toBe(0);
    app = await startHeadroomProcess(env());
    const before = (await get(`/api/slos/${SERVICE}.availability`)).evaluatedAt;
    await waitFor('an evaluation after the restart', async () => (await get(`/api/slos/${SERVICE}.availability`)).evaluatedAt !== before);
    expect((await get(`/api/slos/${SERVICE}.availability`)).state).toBe('page');
    expect(pages()).toHaveLength(1);
    expect(await get('/api/incidents')).toHaveLength(1);
  });

  it('refuses a click with a wrong signature or a stale timestamp and changes nothing', async () => {
    expect((await click('incident.acknowledge', incidentId, pageTs, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await click('incident.acknowledge', incidentId, pageTs, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    const incident = await get(`/api/incidents/${incidentId}`);
    expect(incident.status).toBe('triggered');
    expect(slack.callsTo('chat.update')).toHaveLength(0);
  });

  it('refuses a viewer’s click, tells him why, and changes nothing', async () => {
    expect((await click('incident.acknowledge', incidentId, pageTs, { userId: 'U0VIC', username: 'vic' })).status).toBe(200);
    const [reply] = await waitFor('the ephemeral refusal', () => (slack.responsesTo('U0VIC').length ? slack.responsesTo('U0VIC') : null));
    expect(reply).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(reply.text)).toMatch(/^You cannot acknowledge incident #\d+: your Headroom role is viewer; only responders and admins may act on incidents/);
    const incident = await get(`/api/incidents/${incidentId}`);
    expect(incident.status).toBe('triggered');
    expect(incident.timeline.map((t: { kind: string }) => t.kind)).not.toContain('incident.acknowledged');
    expect(slack.callsTo('chat.update')).toHaveLength(0);
    // His Slack id was found by his Slack email and stored on his user (audited as a system change).
    const [vic] = await get('/api/users?filter={"q":"vic"}');
    expect(vic.slackUserId).toBe('U0VIC');
  });

  it('acknowledges from a responder’s signed Slack click, in her Headroom name, and edits the page in place', async () => {
    const res = await click('incident.acknowledge', incidentId, pageTs);
    expect(res.status).toBe(200);
    const incident = await waitFor('the acknowledgement', async () => {
      const i = await get(`/api/incidents/${incidentId}`);
      return i.status === 'acknowledged' ? i : null;
    });
    expect(incident.acknowledgedBy).toBe('Alice');
    const ack = incident.timeline.find((t: { kind: string }) => t.kind === 'incident.acknowledged');
    expect(ack).toMatchObject({ actorType: 'slack', actorId: 'U0ALICE', actorName: 'Alice' });
    expect(slack.responsesTo('U0ALICE')).toEqual([]);

    const update = await waitFor('chat.update', () => slack.callsTo('chat.update')[0]);
    expect(update.body).toMatchObject({ channel: CHANNEL, ts: pageTs });
    const ids = JSON.stringify(update.body.blocks);
    expect(ids).not.toContain('incident.acknowledge');
    expect(ids).toContain('incident.resolve');
    const threadReply = await waitFor('a thread reply', () => slack.callsTo('chat.postMessage').find((c) => c.body.thread_ts === pageTs));
    expect(String(threadReply.body.text)).toContain('Acknowledged by Alice');
    expect(pages()).toHaveLength(1);
  });
});
