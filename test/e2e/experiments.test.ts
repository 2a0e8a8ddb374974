import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeSlack } from '../fakes/fake-slack';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * Experiment guardrails in the built server: an experiment from alerts/ YAML and one from the
 * API, observations with a true harm (one guardrail incident with the evidence, paged once),
 * the same snapshot again (nothing changes), bad input (4xx naming the field, nothing stored)
 * and A/A data (no incident).
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const KEY = 'hk_experiments_e2e-0123456789abcdef';
const EXPERIMENTS = `experiments:
  - name: ranker-v42
    service: now-playing-ranker
    start: 2026-11-20T09:00:00Z
    variants:
      - { name: control, control: true, share: 0.5 }
      - { name: v42, share: 0.5 }
    guardrails:
      - { name: skip_rate, kind: proportion, direction: lower_is_better, margin: 0.02 }
      - { name: minutes, kind: mean, direction: higher_is_better }
    success:
      - { name: stream_starts, kind: proportion, direction: higher_is_better }
`;

type Json = Record<string, unknown>;

/** A variant's cumulative aggregates: skip rate, and minutes with the given mean and sd. */
function variant(units: number, skip: number, minutes: [number, number] = [30, 10]) {
  const sum = minutes[0] * units;
  return {
    units,
    metrics: {
      skip_rate: { successes: Math.round(skip * units) },
      minutes: { sum, sumSquares: minutes[1] ** 2 * (units - 1) + (sum * sum) / units },
    },
  };
}

describe.each(databaseKinds())('experiment guardrails (real process, %s)', (kind) => {
  const slack = new FakeSlack();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-exp-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-exp-alerts-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;

  beforeAll(async () => {
    await slack.start();
    fs.writeFileSync(path.join(alertsDir, 'experiments.yaml'), EXPERIMENTS);
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_OUTBOX_POLL_MS: '100',
      HEADROOM_INTEGRATION_KEYS: `experiments:platform:${KEY}`,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 'e2e-signing-secret',
      SLACK_CHANNEL: 'C0ONCALL',
      SLACK_API_URL: slack.url,
      ...(db ? { DATABASE_URL: db.url } : {}),
    });
  });

  afterAll(async () => {
    await app?.stop();
    await slack.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const jsonOf = async (r: Response): Promise<any> => r.json();
  const request = (p: string, init: RequestInit = {}, auth = `Bearer ${ADMIN}`) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: auth, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const get = async (p: string): Promise<any> => (await request(p)).json();
  const observe = (id: string, body: unknown, auth = `Bearer ${KEY}`) => request(`/api/experiments/${id}/observations`, { method: 'POST', body: JSON.stringify(body) }, auth);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const guardrailIncidents = async (): Promise<any[]> => get(`/api/incidents?filter=${encodeURIComponent(JSON.stringify({ source: 'guardrail' }))}&range=[0,99]`);
  const stored = async (id: string): Promise<number> => (await get(`/api/experiments/${id}/observations?range=[0,99]`)).length;
  const pages = () => slack.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts);

  it('lists the experiment declared in alerts/ the react-admin way', async () => {
    const res = await request('/api/experiments?sort=["id","ASC"]&range=[0,9]');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('experiments 0-0/1');
    expect(await res.json()).toEqual([expect.objectContaining({ id: 'ranker-v42', origin: 'yaml', status: 'running', service: 'now-playing-ranker', results: null })]);
  });

  it('creates an experiment through the API, and refuses a bad one naming the field', async () => {
    const spec = {
      name: 'ranker-aa', service: 'now-playing-ranker', start: '2026-11-20T09:00:00Z',
      variants: [{ name: 'control', control: true, share: 0.5 }, { name: 'v42', share: 0.5 }],
      guardrails: [{ name: 'skip_rate', kind: 'proportion', direction: 'lower_is_better', margin: 0.02 }, { name: 'minutes', kind: 'mean', direction: 'higher_is_better' }],
    };
    const created = await request('/api/experiments', { method: 'POST', body: JSON.stringify(spec) });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'ranker-aa', origin: 'api', status: 'running', createdBy: expect.any(String) });
    const again = await request('/api/experiments', { method: 'POST', body: JSON.stringify(spec) });
    expect(again.status).toBe(409);
    const bad = await request('/api/experiments', { method: 'POST', body: JSON.stringify({ ...spec, name: 'x', variants: [{ name: 'a', share: 0.5 }, { name: 'b', share: 0.5 }] }) });
    expect(bad.status).toBe(400);
    expect((await jsonOf(bad)).issues).toEqual([{ field: 'variants', message: 'exactly one variant needs control: true (found 0)' }]);
    const audit = await get(`/api/audit?filter=${encodeURIComponent(JSON.stringify({ entityType: 'experiment' }))}`);
    expect(audit.map((a: Json) => [a.action, a.entityId])).toEqual([['experiment.created', 'ranker-aa']]);
  });

  it('refuses bad observations with a 4xx naming the field, and stores nothing', async () => {
    const at = '2026-11-25T10:00:00Z';
    const good = () => ({ at, variants: { control: variant(20_000, 0.3), v42: variant(20_000, 0.33) } });
    const spoilt = (f: (b: ReturnType<typeof good>) => void) => {
      const b = good();
      f(b);
      return b;
    };
    const cases: Array<[string, unknown, number, string]> = [
      ['negative units', spoilt((b) => (b.variants.control.units = -5)), 400, 'variants.control.units'],
      ['successes above units', spoilt((b) => (b.variants.v42.metrics.skip_rate.successes = 30_000)), 400, 'variants.v42.metrics.skip_rate.successes'],
      ['negative successes', spoilt((b) => (b.variants.v42.metrics.skip_rate.successes = -1)), 400, 'variants.v42.metrics.skip_rate.successes'],
      ['impossible variance', spoilt((b) => (b.variants.v42.metrics.minutes.sumSquares = 10)), 400, 'variants.v42.metrics.minutes.sumSquares'],
      ['an unknown variant', spoilt((b) => Object.assign(b.variants, { v43: variant(10, 0.3) })), 400, 'variants.v43'],
      ['an unknown metric', spoilt((b) => Object.assign(b.variants.v42.metrics, { crashes: { successes: 1 } })), 400, 'variants.v42.metrics.crashes'],
      ['no snapshot time', spoilt((b) => Object.assign(b, { at: undefined })), 400, 'at'],
    ];
    for (const [what, body, status, field] of cases) {
      const res = await observe('ranker-v42', body);
      const json = await jsonOf(res);
      expect({ what, status: res.status }).toEqual({ what, status });
      expect({ what, fields: json.issues.map((i: { field: string }) => i.field) }).toEqual({ what, fields: [field] });
    }
    expect((await observe('nope', good())).status).toBe(404);
    expect((await observe('ranker-v42', good(), '')).status).toBe(401);
    expect((await observe('ranker-v42', good(), 'Bearer hk_experiments_wrong-0123456789')).status).toBe(401);
    expect(await stored('ranker-v42')).toBe(0);
    expect(await guardrailIncidents()).toEqual([]);
  });

  it('a true harm opens one guardrail incident with the evidence and pages once; the same snapshot again changes nothing', async () => {
    const at = '2026-11-25T10:00:00Z';
    const body = { at, variants: { control: variant(20_000, 0.3), v42: variant(20_000, 0.33) } };
    const first = await observe('ranker-v42', body);
    expect(first.status).toBe(201);
    const outcome = await jsonOf(first);
    expect(outcome).toMatchObject({ experiment: 'ranker-v42', stored: true });
    expect(outcome.results.metrics.map((m: Json) => [m.variant, m.metric, m.state])).toEqual([
      ['v42', 'skip_rate', 'breach'], ['v42', 'minutes', 'ok'], ['v42', 'stream_starts', 'no-data'],
    ]);

    const [incident] = await waitFor('the guardrail incident', async () => {
      const list = await guardrailIncidents();
      return list.length > 0 && list;
    });
    expect(incident).toMatchObject({ source: 'guardrail', service: 'now-playing-ranker', severity: 'critical', status: 'triggered', fingerprint: 'guardrail:ranker-v42:v42:skip_rate',
      labels: expect.objectContaining({ experiment: 'ranker-v42', variant: 'v42', metric: 'skip_rate', source: 'guardrail' }) });
    expect(incident.evidence).toMatchObject({
      experiment: 'ranker-v42', variant: 'v42', control: 'control', metric: 'skip_rate', margin: 0.02,
      difference: expect.closeTo(0.03, 10),
      interval: { lower: expect.any(Number), upper: null },
      pValue: expect.any(Number),
      units: { control: 20_000, v42: 20_000 },
      srm: { state: 'ok', trustworthy: true },
    });
    expect(incident.evidence.interval.lower).toBeGreaterThan(0.006);
    await waitFor('the page', () => pages().length === 1);

    // The same snapshot again: 200, nothing stored, no second incident or page.
    const repeat = await observe('ranker-v42', body, `Bearer ${ADMIN}`);
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toMatchObject({ stored: false, results: null });
    // A different body for the same time, and an older snapshot, are refused naming `at`.
    const changed = await observe('ranker-v42', { ...body, variants: { control: variant(20_000, 0.3), v42: variant(20_001, 0.33) } });
    expect(changed.status).toBe(409);
    expect((await jsonOf(changed)).message).toMatch(/^at: a different snapshot is already stored/);
    const older = await observe('ranker-v42', { ...body, at: '2026-11-25T09:00:00Z' });
    expect(older.status).toBe(409);
    expect((await jsonOf(older)).message).toMatch(/^at: .* is older than the latest stored snapshot/);
    expect(await stored('ranker-v42')).toBe(1);

    // A later snapshot with the harm still there refreshes the same incident.
    const later = await observe('ranker-v42', { at: '2026-11-25T11:00:00Z', variants: { control: variant(30_000, 0.3), v42: variant(30_000, 0.33) } });
    expect(later.status).toBe(201);
    const list = await guardrailIncidents();
    expect(list).toHaveLength(1);
    expect((await get(`/api/incidents/${list[0].id}`)).evidence.units).toEqual({ control: 30_000, v42: 30_000 });
    expect(pages()).toHaveLength(1);

    const detail = await get('/api/experiments/ranker-v42');
    expect(detail.results.srm).toMatchObject({ state: 'ok', trustworthy: true });
    expect(detail.results.units).toEqual({ control: 30_000, v42: 30_000 });
    expect(detail.results.metrics[0]).toMatchObject({ metric: 'skip_rate', state: 'breach', difference: expect.any(Number), interval: expect.any(Object), pValue: expect.any(Number) });
    expect(detail.results.ship.v42).toMatchObject({ ship: false, final: false });
  });

  it('A/A data (no true effect) opens no incident', async () => {
    const before = (await guardrailIncidents()).length;
    for (const [i, units] of [10_000, 20_000, 40_000].entries()) {
      const res = await observe('ranker-aa', { at: `2026-11-25T1${i}:00:00Z`, variants: { control: variant(units, 0.3), v42: variant(units + 17, 0.3 + 0.001 * (i - 1)) } });
      expect(res.status).toBe(201);
      expect((await jsonOf(res)).results.metrics.map((m: Json) => m.state)).toEqual(['ok', 'ok']);
    }
    expect(await guardrailIncidents()).toHaveLength(before);
  });

  it('an API experiment is edited (a ramp is a change), stopped (its guardrail incident resolves) and deleted; a YAML one only in its file', async () => {
    const spec = (share: number) => ({
      name: 'ranker-ramp', service: 'now-playing-ranker', start: '2026-11-20T09:00:00Z',
      variants: [{ name: 'control', control: true, share: 1 - share }, { name: 'v43', share }],
      guardrails: [{ name: 'skip_rate', kind: 'proportion', direction: 'lower_is_better', margin: 0.02 }],
    });
    expect((await request('/api/experiments', { method: 'POST', body: JSON.stringify(spec(0.05)) })).status).toBe(201);
    const ramped = await request('/api/experiments/ranker-ramp', { method: 'PUT', body: JSON.stringify(spec(0.5)) });
    expect(ramped.status).toBe(200);
    expect((await jsonOf(ramped)).spec.variants[1].share).toBe(0.5);
    const renamed = await request('/api/experiments/ranker-ramp', { method: 'PUT', body: JSON.stringify({ ...spec(0.5), name: 'other' }) });
    expect(renamed.status).toBe(400);
    expect((await jsonOf(renamed)).issues).toEqual([{ field: 'name', message: expect.stringContaining('cannot be renamed') }]);

    const skips = (units: number, rate: number) => ({ units, metrics: { skip_rate: { successes: Math.round(rate * units) } } });
    const res = await observe('ranker-ramp', { at: '2026-11-25T10:00:00Z', variants: { control: skips(20_000, 0.3), v43: skips(20_000, 0.33) } });
    expect(res.status).toBe(201);
    const [incident] = await waitFor('the guardrail incident', async () => {
      const open = (await guardrailIncidents()).filter((i) => i.fingerprint === 'guardrail:ranker-ramp:v43:skip_rate' && i.status !== 'resolved');
      return open.length > 0 && open;
    });
    const stopped = await request('/api/experiments/ranker-ramp/stop', { method: 'POST' });
    expect(stopped.status).toBe(200);
    expect(await jsonOf(stopped)).toMatchObject({ id: 'ranker-ramp', status: 'stopped' });
    const detail = await get(`/api/incidents/${incident.id}`);
    expect(detail.status).toBe('resolved');
    expect(detail.timeline.at(-1).message).toContain('Experiment ranker-ramp was stopped by');
    expect((await request('/api/experiments/ranker-ramp/stop', { method: 'POST' })).status).toBe(409);

    const changes = await get(`/api/changes?filter=${encodeURIComponent(JSON.stringify({ source: 'experiments', service: 'now-playing-ranker' }))}&sort=["id","ASC"]`);
    expect(changes.map((c: Json) => c.summary).filter((t: string) => t.includes('ranker-ramp'))).toEqual([
      'Experiment ranker-ramp started (v43 5%)', 'Experiment ranker-ramp ramped: v43 5% → v43 50%', 'Experiment ranker-ramp stopped',
    ]);

    const yaml = await request('/api/experiments/ranker-v42/stop', { method: 'POST' });
    expect(yaml.status).toBe(409);
    expect((await jsonOf(yaml)).message).toMatch(/declared in .*: change it there/);
    expect((await request('/api/experiments/ranker-ramp', { method: 'DELETE' })).status).toBe(200);
    expect((await request('/api/experiments/ranker-ramp')).status).toBe(404);
    expect((await request('/api/experiments/ranker-ramp', { method: 'DELETE' })).status).toBe(404);
  });
});
