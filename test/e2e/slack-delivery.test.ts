import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeSlack } from '../fakes/fake-slack';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * Slack delivery under the faults the issue names, with real Headroom processes and the fake
 * Slack Web API: pacing per channel, 429/500 on 30% of calls, a channel that keeps failing, a
 * process killed with SIGKILL while its sends are in flight, and two processes on one database.
 * A page is identified by the outbox key in its Slack message metadata.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const DEFAULT_CHANNEL = 'C0ONCALL';

// Two routes give two more channels, so pacing of one channel can be seen not to hold up another.
const ROUTES = `routes:
  - name: ranker
    match: ['service="now-playing-ranker"']
    slackChannel: C0RANKER
  - name: retrieval
    match: ['service="candidate-retrieval"']
    slackChannel: C0RETRIEVAL
  - name: gone
    match: ['service="legacy-radio"']
    slackChannel: C0GONE
`;

interface Session {
  app: HeadroomProcess;
  api(p: string, init?: RequestInit): Promise<Response>;
}

function session(app: HeadroomProcess): Session {
  return {
    app,
    api: (p, init = {}) =>
      fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } }),
  };
}

async function openIncident(s: Session, service: string, title: string): Promise<number> {
  const res = await s.api('/api/incidents', { method: 'POST', body: JSON.stringify({ title, service, severity: 'critical' }) });
  expect(res.status).toBe(201);
  return Number(((await res.json()) as { id: number }).id);
}

/** The incident id each top-level post in the fake Slack pages for (from its metadata). */
function pagedIncidents(slack: FakeSlack): number[] {
  return slack.topLevelPosts().map((m) => Number(m.metadata?.event_payload.incident_id));
}

function makeAlertsDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-delivery-alerts-'));
  fs.writeFileSync(path.join(dir, 'routes.yaml'), ROUTES);
  return dir;
}

function baseEnv(slack: FakeSlack, alertsDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HEADROOM_ADMIN_TOKEN: ADMIN,
    HEADROOM_SIMULATOR: 'false',
    HEADROOM_ALERTS_DIR: alertsDir,
    HEADROOM_OUTBOX_POLL_MS: '200',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'e2e-signing-secret',
    SLACK_CHANNEL: DEFAULT_CHANNEL,
    SLACK_API_URL: slack.url,
    ...extra,
  };
}

describe('Slack delivery on the embedded database (real process)', () => {
  const slack = new FakeSlack();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-delivery-'));
  const alertsDir = makeAlertsDir();
  let s: Session;

  beforeAll(async () => {
    await slack.start();
    s = session(await startHeadroomProcess(baseEnv(slack, alertsDir, { HEADROOM_DATA_DIR: dataDir, HEADROOM_SLACK_CHANNEL_INTERVAL_MS: '400', HEADROOM_OUTBOX_CLAIM_SECONDS: '3' })));
  });

  afterAll(async () => {
    await s?.app.stop();
    await slack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  it('paces a burst to one channel in order, at most one post per interval, without holding up another channel', async () => {
    const start = slack.messages.length;
    const ranker: number[] = [];
    for (let i = 0; i < 5; i++) ranker.push(await openIncident(s, 'now-playing-ranker', `ranker burst ${i}`));
    const retrieval = await openIncident(s, 'candidate-retrieval', 'retrieval page');
    const retrievalOpenedAt = Date.now();
    await waitFor('all six pages', () => slack.topLevelPosts().length - start >= 6 || undefined, 30_000);
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage' && !c.body.thread_ts);
    const inRanker = posts.filter((c) => c.body.channel === 'C0RANKER');
    expect(inRanker.map((c) => Number((c.body.metadata as { event_payload: { incident_id: number } }).event_payload.incident_id))).toEqual(ranker);
    const gaps = inRanker.slice(1).map((c, i) => c.at - inRanker[i].at);
    // One slot per 400 ms: a post may be late for its slot (a busy event loop), never early,
    // so each gap is at least a slot less that lateness, and the burst spans four slots.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(200);
    expect(inRanker[4].at - inRanker[0].at).toBeGreaterThanOrEqual(1400);
    const other = posts.find((c) => c.body.channel === 'C0RETRIEVAL')!;
    expect(Number((other.body.metadata as { event_payload: { incident_id: number } }).event_payload.incident_id)).toBe(retrieval);
    // The other channel's page did not wait behind the ranker burst: of the ranker posts still to
    // come when it was opened, at most the one being sent went out before it (a relation, not a
    // wall-clock bound, so a loaded machine cannot make it flake).
    expect(inRanker.filter((c) => c.at > retrievalOpenedAt && c.at < other.at).length).toBeLessThanOrEqual(1);
  });

  it('with 429 and 500 on 30% of calls, every page and every update is delivered once, page first, in order', async () => {
    const before = new Set(pagedIncidents(slack));
    slack.failRandomly(0.3, 42);
    try {
      const ids: number[] = [];
      for (let i = 0; i < 10; i++) ids.push(await openIncident(s, i % 2 ? 'now-playing-ranker' : 'feature-store', `flaky ${i}`));
      for (const id of ids) expect((await s.api(`/api/incidents/${id}/acknowledge`, { method: 'POST', body: '{}' })).status).toBe(200);
      for (const id of ids.slice(0, 5)) expect((await s.api(`/api/incidents/${id}/resolve`, { method: 'POST', body: '{}' })).status).toBe(200);
      const threadReplies = (id: number) => {
        const page = slack.topLevelPosts().find((m) => Number(m.metadata?.event_payload.incident_id) === id);
        return page ? slack.messages.filter((m) => m.thread_ts === page.ts).map((m) => m.text) : [];
      };
      await waitFor('every page and update', () => ids.every((id, i) => threadReplies(id).length === (i < 5 ? 2 : 1)) || undefined, 120_000, 250);
      const paged = pagedIncidents(slack).filter((id) => !before.has(id));
      expect(paged.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
      for (const [i, id] of ids.entries()) {
        const replies = threadReplies(id);
        expect(replies[0]).toMatch(/^Acknowledged by /);
        if (i < 5) expect(replies[1]).toMatch(/^Resolved by /);
        // The page message itself was edited in place to its final state.
        const page = slack.topLevelPosts().find((m) => Number(m.metadata?.event_payload.incident_id) === id)!;
        if (i < 5) expect(page.text).toMatch(/^\[Resolved\] /);
        else expect(JSON.stringify(page.blocks)).not.toContain('"text":"Acknowledge"');
      }
      // The faults really happened, and were retried.
      const failed = slack.calls.filter((c) => c.method.startsWith('chat.')).length - slack.messages.length;
      expect(failed).toBeGreaterThan(5);
    } finally {
      slack.failRandomly(0);
    }
  });

  it('reports a channel that keeps failing on the timeline and in /readyz, and stops reporting it once it delivers', async () => {
    slack.failChannel('C0GONE');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await openIncident(s, 'legacy-radio', `radio ${i}`));
    const timeline = async (id: number) => ((await (await s.api(`/api/incidents/${id}`)).json()) as { timeline: Array<{ kind: string; message: string }> }).timeline;
    await waitFor('the third failure', async () => (await timeline(ids[2])).some((t) => t.kind === 'notification.channel-failing') || undefined, 30_000, 250);
    expect((await timeline(ids[0])).find((t) => t.kind === 'notification.failed')?.message).toBe('Delivery failed: slack: channel_not_found');
    expect((await timeline(ids[2])).find((t) => t.kind === 'notification.channel-failing')?.message).toMatch(/^Slack C0GONE keeps failing \(3 attempts in a row, last: slack: channel_not_found\); not retried/);
    const ready = (await (await fetch(`${s.app.url}/readyz`)).json()) as { status: string; checks: Record<string, string> };
    expect(ready.status).toBe('degraded');
    expect(ready.checks.notifications).toMatch(/^failing: C0GONE \(3 attempts in a row since .*, last: slack: channel_not_found\)$/);

    slack.healChannel('C0GONE');
    const fixed = await openIncident(s, 'legacy-radio', 'radio after the fix');
    await waitFor('the page after the fix', () => pagedIncidents(slack).includes(fixed) || undefined, 30_000, 250);
    await waitFor('the recovery noted', async () => (await timeline(fixed)).some((t) => t.kind === 'notification.channel-recovered') || undefined, 10_000, 250);
    expect((await timeline(fixed)).find((t) => t.kind === 'notification.channel-recovered')?.message).toBe('Slack C0GONE delivers again after 3 failed attempts');
    expect(await (await fetch(`${s.app.url}/readyz`)).json()).toMatchObject({ status: 'ready', checks: { notifications: 'ok' } });
  });

  it('a process killed with SIGKILL while its sends are in flight pages each incident once after the restart', async () => {
    slack.holdAnswers('chat.postMessage', 60_000);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push(await openIncident(s, 'candidate-retrieval', `crash ${i}`));
    // Slack has the first page (and so may the others): the process never hears back.
    await waitFor('a send in flight', () => pagedIncidents(slack).includes(ids[0]) || undefined, 20_000);
    await s.app.stop('SIGKILL');
    slack.holdAnswers('chat.postMessage', 0);
    s = session(await startHeadroomProcess(baseEnv(slack, alertsDir, { HEADROOM_DATA_DIR: dataDir, HEADROOM_SLACK_CHANNEL_INTERVAL_MS: '400', HEADROOM_OUTBOX_CLAIM_SECONDS: '3' })));
    const timeline = async (id: number) => ((await (await s.api(`/api/incidents/${id}`)).json()) as { timeline: Array<{ kind: string; data?: Record<string, unknown> }> }).timeline;
    await waitFor('every page recorded as sent', async () => {
      for (const id of ids) if (!(await timeline(id)).some((t) => t.kind === 'notification.sent')) return undefined;
      return true;
    }, 60_000, 250);
    for (const id of ids) expect(pagedIncidents(slack).filter((p) => p === id)).toHaveLength(1);
    // The first one was found in Slack (conversations.history) rather than posted again.
    expect((await timeline(ids[0])).find((t) => t.kind === 'notification.sent')?.data).toMatchObject({ recovered: true });
  });
});

// Only where a PostgreSQL server is given (DATABASE_URL; CI always has one): PGlite is one process's.
if (databaseKinds().includes('postgres')) describe('two Headroom processes on one PostgreSQL', () => {
  const slack = new FakeSlack();
  const alertsDir = makeAlertsDir();
  let db: TestDatabase;
  let one: Session;
  let two: Session;

  beforeAll(async () => {
    await slack.start();
    db = await openTestDatabase('postgres', { migrate: false });
    const env = baseEnv(slack, alertsDir, { DATABASE_URL: db.url, HEADROOM_SLACK_CHANNEL_INTERVAL_MS: '0' });
    // One after the other: the first applies the migrations.
    one = session(await startHeadroomProcess(env));
    two = session(await startHeadroomProcess(env));
  });

  afterAll(async () => {
    await Promise.all([one?.app.stop(), two?.app.stop()]);
    await db?.close();
    await slack.stop();
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  it('pages each incident exactly once, whichever process opened it and whichever sends it', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => openIncident(i % 2 ? one : two, i % 3 ? 'now-playing-ranker' : 'feature-store', `shared ${i}`)));
    await Promise.all(ids.map((id, i) => (i % 2 ? two : one).api(`/api/incidents/${id}/acknowledge`, { method: 'POST', body: '{}' })));
    await waitFor('every page', () => ids.every((id) => pagedIncidents(slack).includes(id)) || undefined, 60_000, 250);
    await waitFor('every update', () => slack.messages.filter((m) => m.thread_ts).length >= ids.length || undefined, 60_000, 250);
    const paged = pagedIncidents(slack);
    expect(paged.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    expect(slack.messages.filter((m) => m.thread_ts)).toHaveLength(ids.length);
  });
});
