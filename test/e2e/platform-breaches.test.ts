import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * Breaches decided by an experiment platform, in the built server: pushed to
 * POST /api/integrations/experiments with an `experiments` key, and pulled (with observations)
 * from a platform's HTTP endpoints on a schedule. Each becomes the same guardrail incident as
 * Headroom's own breach; bad input gets a 400 naming the field and opens nothing.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const KEY = 'hk_experiments_platform-0123456789abcdef';
const AM_KEY = 'hk_alertmanager_platform-0123456789abcdef';
const EXPERIMENTS = `experiments:
  - name: ranker-v42
    service: now-playing-ranker
    start: 2026-11-20T09:00:00Z
    variants:
      - { name: control, control: true, share: 0.5 }
      - { name: v42, share: 0.5 }
    guardrails:
      - { name: skip_rate, kind: proportion, direction: lower_is_better, margin: 0.02 }
    severity: critical
`;

/** A stand-in for the experiment platform's HTTP API: what it answers can be changed per test. */
class FakePlatform {
  answers: Record<string, unknown> = {};
  readonly requests: Array<{ path: string; authorization: string | undefined }> = [];
  private server = http.createServer((req, res) => {
    this.requests.push({ path: req.url ?? '', authorization: req.headers.authorization });
    const body = this.answers[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  url = '';
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop() {
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe.each(databaseKinds())('experiment platform breaches (real process, %s)', (kind) => {
  const platform = new FakePlatform();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-platform-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-platform-alerts-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;

  beforeAll(async () => {
    await platform.start();
    fs.writeFileSync(path.join(alertsDir, 'experiments.yaml'), EXPERIMENTS);
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_INTEGRATION_KEYS: `experiments:growthbook:${KEY},alertmanager:am:${AM_KEY}`,
      HEADROOM_EXPERIMENT_PLATFORM_NAME: 'eppo',
      HEADROOM_EXPERIMENT_PLATFORM_BREACHES_URL: `${platform.url}/breaches`,
      HEADROOM_EXPERIMENT_PLATFORM_OBSERVATIONS_URL: `${platform.url}/observations`,
      HEADROOM_EXPERIMENT_PLATFORM_TOKEN: 'platform-token',
      HEADROOM_EXPERIMENT_PLATFORM_INTERVAL_SECONDS: '0.5',
      ...(db ? { DATABASE_URL: db.url } : {}),
    });
  });

  afterAll(async () => {
    await app?.stop();
    await platform.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  const post = (body: unknown, key = KEY) =>
    fetch(`${app.url}/api/integrations/experiments`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const get = async (p: string): Promise<any> => (await fetch(`${app.url}${p}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();
  const guardrailIncidents = async () => (await get(`/api/incidents?filter=${encodeURIComponent(JSON.stringify({ source: 'guardrail' }))}`)) as Array<Record<string, unknown>>;

  it('turns a pushed breach into one guardrail incident with the platform evidence, deduplicated', async () => {
    const breach = { experiment: 'ranker-v42', variant: 'v42', metric: 'skip_rate', difference: 0.031, relativeDifference: 0.14, pValue: 0.0004, link: 'https://growthbook.example.com/experiment/ranker-v42' };
    const first = await post(breach);
    expect(first.status).toBe(202);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const body: any = await first.json();
    expect(body.outcomes).toEqual([expect.objectContaining({ fingerprint: 'guardrail:ranker-v42:v42:skip_rate', status: 'breach', incidentId: expect.any(Number) })]);
    expect((await post({ breaches: [breach] })).status).toBe(202);
    const incidents = await guardrailIncidents();
    expect(incidents).toHaveLength(1);
    const incident = await get(`/api/incidents/${body.outcomes[0].incidentId}`);
    expect(incident).toMatchObject({ source: 'guardrail', service: 'now-playing-ranker', severity: 'critical', status: 'triggered' });
    expect(incident.evidence).toMatchObject({ decidedBy: 'growthbook', experiment: 'ranker-v42', variant: 'v42', metric: 'skip_rate', difference: 0.031, link: breach.link });
  });

  it('refuses bad breaches with the field and the reason, opening nothing', async () => {
    const before = (await guardrailIncidents()).length;
    const cases: Array<[unknown, RegExp]> = [
      [{ experiment: 'ranker-v42', variant: 'v42' }, /breaches\.0\.metric/],
      [{ experiment: 'ranker-v42', variant: 'v42', metric: 'skip_rate', pValue: 2 }, /pValue: must be in \[0, 1\]/],
      [{ experiment: 'ranker-v42', variant: 'v42', metric: 'skip_rate', status: 'maybe' }, /status: must be breach or cleared/],
      [{ experiment: 'ranker-v42', variant: 'v42', metric: 'skip_rate', link: 'not a url' }, /link: must be a URL/],
      [{ experiment: 'unknown-exp', variant: 'b', metric: 'crash_rate' }, /service: experiment unknown-exp is not known to Headroom/],
      [{ breaches: [] }, /at least one breach/],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    expect((await post({ experiment: 'ranker-v42', variant: 'v42', metric: 'skip_rate' }, 'wrong-key-0123456789')).status).toBe(401);
    expect((await post({ experiment: 'ranker-v42', variant: 'v42', metric: 'skip_rate' }, AM_KEY)).status).toBe(401);
    expect((await guardrailIncidents()).length).toBe(before);
    // An experiment Headroom does not know is accepted with its service.
    const res = await post({ experiment: 'search-v7', variant: 'b', metric: 'crash_rate', service: 'candidate-retrieval' });
    expect(res.status).toBe(202);
    expect((await guardrailIncidents()).length).toBe(before + 1);
  });

  it('pulls breaches and observations from the platform on its schedule, with its token', async () => {
    platform.answers['/breaches'] = { breaches: [{ experiment: 'ranker-v42', variant: 'v42', metric: 'skip_rate', status: 'cleared' }, { experiment: 'ranker-v42', variant: 'control', metric: 'skip_rate', summary: 'Eppo: control skip rate regressed' }] };
    platform.answers['/observations'] = {
      observations: [{ experiment: 'ranker-v42', at: '2026-12-01T12:00:00Z', variants: { control: { units: 4000, metrics: { skip_rate: { successes: 800 } } }, v42: { units: 4000, metrics: { skip_rate: { successes: 810 } } } } }],
    };
    const pulled = await waitFor('the pulled breach incident', async () => (await guardrailIncidents()).find((i) => i.title === 'Eppo: control skip rate regressed'), 30_000, 250);
    expect(await get(`/api/incidents/${pulled.id}`)).toMatchObject({ evidence: expect.objectContaining({ decidedBy: 'eppo' }) });
    const observations = await waitFor('the pulled observation', async () => {
      const list = (await get('/api/experiments/ranker-v42/observations')) as Array<{ at: string }>;
      return list.length > 0 ? list : null;
    });
    expect(observations[0].at).toBe('2026-12-01T12:00:00.000Z');
    expect(platform.requests.some((r) => r.path === '/breaches' && r.authorization === 'Bearer platform-token')).toBe(true);
    // The cleared breach is on the first incident's timeline; it stays open for a person to resolve.
    const first = (await guardrailIncidents()).find((i) => i.fingerprint === 'guardrail:ranker-v42:v42:skip_rate')!;
    const detail = await get(`/api/incidents/${first.id}`);
    expect(detail.status).toBe('triggered');
    expect(detail.timeline.some((t: { kind: string }) => /clear|resolved/.test(t.kind))).toBe(true);
  });
});
