import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeSlack } from '../fakes/fake-slack';
import { simulatorSlackEnv, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * One cause, one page, with the shipped alerts/ and the simulator: a feature-store outage makes
 * the ranker's requests fail too (the simulator models the ranker's calls to the feature store),
 * both SLOs burn, and the on-call person is paged once, for the feature store; the ranker's
 * incident opens linked to it ("likely caused by", alerts/now-playing-ranker.yaml dependsOn).
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const CHANNEL = 'C0ONCALL';

interface Link { id: number; title: string; service: string; status: string }
interface Detail { id: number; service: string; causedByIncidentId: number | null; heldByCause: boolean; causedBy: Link | null; causes: Link[]; timeline: Array<{ message: string }> }

describe('a feature-store outage in the simulator (embedded database, real process)', () => {
  const slack = new FakeSlack();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-'));
  let app: HeadroomProcess;
  const get = async <T,>(p: string): Promise<T> => (await fetch(`${app.url}${p}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json() as Promise<T>;
  const pages = () => slack.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts);

  beforeAll(async () => {
    await slack.start();
    app = await startHeadroomProcess(simulatorSlackEnv({ dataDir, adminToken: ADMIN, slackUrl: slack.url, channel: CHANNEL, signingSecret: 'e2e-signing-secret' }));
  });

  afterAll(async () => {
    await app?.stop();
    await slack.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('pages once, for the feature store; the ranker\'s incident is linked to it and pages nobody', async () => {
    await waitFor('a first evaluation', async () => (await get<Array<{ state: string }>>('/api/slos')).every((s) => s.state === 'ok'));
    const injected = await fetch(`${app.url}/api/simulator/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'feature-store', kind: 'error-rate', value: 1, durationSeconds: 7200 }),
    });
    expect(injected.status).toBe(201);

    type Row = { id: number; service: string; sloId: string | null; urgency: string };
    const pageOf = async (service: string) => (await get<Row[]>('/api/incidents')).find((i) => i.service === service && i.urgency === 'page' && i.sloId === `${service}.availability`);
    const cause = await waitFor('the feature store\'s page', () => pageOf('feature-store'), 30_000, 20);
    const effect = await waitFor('the ranker\'s incident', () => pageOf('now-playing-ranker'), 30_000, 20);
    await waitFor('the page in Slack', () => pages().length > 0, 30_000, 20);

    const ranker = await get<Detail>(`/api/incidents/${effect.id}`);
    expect(ranker).toMatchObject({ causedByIncidentId: cause.id, heldByCause: true, causedBy: { id: cause.id, service: 'feature-store' } });
    expect(ranker.timeline[0].message).toContain(`likely caused by #${cause.id}`);
    const featureStore = await get<Detail>(`/api/incidents/${cause.id}`);
    // The ranker's page, and its slow-burn ticket when that opened too: both the ranker's, both linked here.
    expect(featureStore.causes).toEqual(expect.arrayContaining([expect.objectContaining({ id: effect.id, service: 'now-playing-ranker' })]));
    expect(featureStore.causes.map((c) => c.service)).toEqual(featureStore.causes.map(() => 'now-playing-ranker'));
    expect(featureStore.timeline.map((t) => t.message)).toEqual(expect.arrayContaining([expect.stringContaining(`#${effect.id} (now-playing-ranker availability SLO`)]));

    // The link line reaches the feature store's Slack thread; the evaluations go on and page nobody else.
    await waitFor('the link in the page\'s thread', () => slack.messages.some((m) => m.thread_ts && String(m.text).includes(`#${effect.id} (now-playing-ranker`)), 30_000, 20);
    const before = (await get<{ evaluatedAt: string }>('/api/slos/now-playing-ranker.availability')).evaluatedAt;
    await waitFor('more evaluations', async () => (await get<{ evaluatedAt: string }>('/api/slos/now-playing-ranker.availability')).evaluatedAt !== before);
    expect(pages()).toHaveLength(1);
    expect(JSON.stringify(pages()[0].body.blocks)).toContain('feature-store.availability');
    expect((await get<Detail>(`/api/incidents/${effect.id}`)).heldByCause).toBe(true);
  });
});
