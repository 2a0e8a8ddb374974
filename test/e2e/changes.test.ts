import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { startHeadroomProcess, type HeadroomProcess } from '../support/headroom-process';

/**
 * Changes in the built server: Headroom's JSON with a `changes` key (or a responder's token),
 * PagerDuty's Change Events API with its exact payload and answers (the routing key may be the
 * `pagerduty` key that sends alerts), Flagger's event webhook with the key as basic-auth password
 * (a phase change is kept, the next analysis step of the same phase is not); listed newest first
 * with filters, audited, and a bad change is refused with the field named and nothing stored.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const KEY = 'hk_changes_deploys-0123456789abcdef';
const PD_KEY = 'hk_pagerduty_pd-0123456789abcdef';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(databaseKinds())('changes (real process, %s)', (kind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-changes-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;

  beforeAll(async () => {
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_INTEGRATION_KEYS: `changes:deploys:${KEY},pagerduty:pd:${PD_KEY}`,
      ...(db ? { DATABASE_URL: db.url } : {}),
    });
  });

  afterAll(async () => {
    await app?.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const list = async (filter: Json = {}) => {
    const res = await fetch(`${app.url}/api/changes?filter=${encodeURIComponent(JSON.stringify(filter))}`, { headers: bearer(ADMIN) });
    return { status: res.status, range: res.headers.get('content-range'), body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  it('stores a change from Headroom JSON, refuses a bad one naming the field, and lists it with its audit row', async () => {
    const res = await post('/api/integrations/changes', { service: 'now-playing-ranker', kind: 'deploy', summary: 'ranker v42', version: 'v42', previousVersion: 'v41', at: new Date(Date.now() - 240_000).toISOString() }, bearer(KEY));
    expect(res.status).toBe(201);
    const change = (await res.json()) as Json;
    expect(change).toMatchObject({ id: expect.any(Number), service: 'now-playing-ranker', kind: 'deploy', version: 'v42', previousVersion: 'v41', source: 'api', reportedBy: 'deploys' });

    expect((await post('/api/integrations/changes', { service: 'now-playing-ranker', kind: 'deploy', summary: 'x' })).status).toBe(401);
    const bad = await post('/api/integrations/changes', { service: 'now-playing-ranker', kind: 'rollout', summary: 'x', link: 'ftp://x' }, bearer(KEY));
    expect(bad.status).toBe(400);
    const issues = ((await bad.json()) as Json).issues.map((i: Json) => i.field);
    expect(issues).toEqual(expect.arrayContaining(['kind', 'link']));
    // A responder's token records a change by hand; the admin token is one.
    expect((await post('/api/integrations/changes', { service: 'feature-store', kind: 'config', summary: 'TTL 5m → 1m' }, bearer(ADMIN))).status).toBe(201);

    // (The shipped alerts/ declare an experiment of the ranker: its start is a change too, from source experiments.)
    const ranker = await list({ service: 'now-playing-ranker', source: 'api' });
    expect(ranker.body.map((c: Json) => c.summary)).toEqual(['ranker v42']);
    expect(ranker.range).toBe('changes 0-0/1');
    const audit = (await (await fetch(`${app.url}/api/audit?filter=${encodeURIComponent(JSON.stringify({ action: 'change.recorded' }))}`, { headers: bearer(ADMIN) })).json()) as Json[];
    expect(audit.map((a: Json) => a.entityId).sort()).toEqual(expect.arrayContaining([String(change.id)]));
  });

  it("takes PagerDuty's change event with its exact payload and answers as PagerDuty does", async () => {
    const event = {
      routing_key: PD_KEY,
      payload: {
        summary: 'Build Success: feature-store schema v7',
        timestamp: new Date(Date.now() - 60_000).toISOString().replace('Z', '+0000'),
        source: 'acme-build-pipeline',
        custom_details: { service: 'feature-store', version: 'v7', previous_version: 'v6', build_state: 'passed' },
      },
      links: [{ href: 'https://ci.example.com/build/7', text: 'Build 7' }],
    };
    const res = await post('/api/integrations/pagerduty/v2/change/enqueue', event);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: 'success', message: 'Change event processed' });
    const wrongKey = await post('/api/integrations/pagerduty/v2/change/enqueue', { ...event, routing_key: 'nope' });
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toMatchObject({ status: 'invalid event', errors: [expect.stringMatching(/^routing_key/)] });
    const invalid = await post('/api/integrations/pagerduty/v2/change/enqueue', { routing_key: PD_KEY, payload: {} });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ status: 'invalid event', message: 'Event object is invalid', errors: [expect.stringMatching(/^payload.summary/)] });

    const [stored] = (await list({ service: 'feature-store', source: 'pagerduty' })).body;
    expect(stored).toMatchObject({ kind: 'deploy', summary: 'Build Success: feature-store schema v7', version: 'v7', previousVersion: 'v6', link: 'https://ci.example.com/build/7', reportedBy: 'pd', labels: { build_state: 'passed', source: 'acme-build-pipeline' } });
  });

  it("keeps Flagger's events when the canary's phase changes, with the key as basic-auth password", async () => {
    const basic = { authorization: `Basic ${Buffer.from(`flagger:${KEY}`).toString('base64')}` };
    const event = (phase: string, message: string) => ({ name: 'model-serving', namespace: 'prod', phase, metadata: { eventMessage: message, eventType: 'Normal', timestamp: String(Date.now()) } });
    const answers = [];
    for (const e of [event('Progressing', 'New revision detected! Scaling up model-serving.prod'), event('Progressing', 'Advance model-serving.prod canary weight 10'), event('Succeeded', 'Promotion completed!')]) {
      const res = await post('/api/integrations/flagger/events', e, basic);
      expect(res.status).toBe(200);
      answers.push(((await res.json()) as Json).recorded);
    }
    expect(answers).toEqual([true, false, true]);
    expect((await post('/api/integrations/flagger/events', event('Failed', 'x'))).status).toBe(401);
    const flagger = await list({ source: 'flagger' });
    expect(flagger.body.map((c: Json) => c.labels.phase)).toEqual(['Succeeded', 'Progressing']);
  });

  it('filters by kind and time, newest first, and names a bad filter', async () => {
    const deploys = (await list({ kind: 'deploy' })).body;
    expect(deploys.length).toBeGreaterThanOrEqual(4);
    const times = deploys.map((c: Json) => Date.parse(c.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await list({ since: new Date(Date.now() - 120_000).toISOString(), service: 'now-playing-ranker', source: 'api' })).body).toEqual([]);
    const [started] = (await list({ source: 'experiments', service: 'now-playing-ranker' })).body;
    expect(started).toMatchObject({ kind: 'experiment', summary: expect.stringMatching(/^Experiment ranker-v42 started/), reportedBy: 'alerts/' });
    const bad = await list({ kind: 'rollout' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues).toEqual([{ field: 'filter.kind', message: expect.stringContaining('deploy, config, experiment, feature-flag, other') }]);
  });

  it("shows an incident its service's and its dependencies' changes before it started, the suspect first", async () => {
    const at = new Date();
    const before = await fetch(`${app.url}/api/changes/before?service=now-playing-ranker&at=${encodeURIComponent(at.toISOString())}`, { headers: bearer(ADMIN) });
    expect(before.status).toBe(200);
    const shown = (await before.json()) as Json[];
    // The ranker's own deploy (v42, 4 min before) is the suspect; the feature store's (a dependency in the shipped alerts/) follows.
    expect(shown[0]).toMatchObject({ service: 'now-playing-ranker', kind: 'deploy', version: 'v42', suspect: true, minutesBefore: expect.any(Number) });
    expect(shown.map((c) => c.service)).toEqual(expect.arrayContaining(['feature-store']));
    expect(shown.filter((c) => c.suspect)).toHaveLength(1);
    expect(shown.every((c) => ['now-playing-ranker', 'feature-store', 'candidate-retrieval', 'model-serving'].includes(c.service))).toBe(true);
    const bad = await fetch(`${app.url}/api/changes/before?at=yesterday`, { headers: bearer(ADMIN) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).issues.map((i: Json) => i.field)).toEqual(['service', 'at']);
  });
});
