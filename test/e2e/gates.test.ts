import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';
import { argoWebMetric, flaggerWebhook } from '../fakes/progressive-delivery';

/**
 * Gates in the built server, asked the way Flagger and Argo Rollouts ask: the ranker's gate
 * passes while its SLOs are fine, and answers 412 (Flagger halts; Argo with failStatus=200 reads
 * a Failed measurement) at the first evaluation after a simulated burn starts, with the reasons.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const KEY = 'hk_changes_flagger-0123456789abcdef';
const SERVICE = 'now-playing-ranker';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('progressive-delivery gates (real process, embedded database)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-gates-'));
  let app: HeadroomProcess;

  beforeAll(async () => {
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'true',
      HEADROOM_SIMULATOR_SEED: '7',
      HEADROOM_TIME_SCALE: '60',
      HEADROOM_EVALUATION_INTERVAL_SECONDS: '2',
      HEADROOM_INTEGRATION_KEYS: `changes:flagger:${KEY}`,
    });
  });

  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const api = (p: string, init: RequestInit = {}) => fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const get = async (p: string): Promise<Json> => (await (await api(p)).json()) as Json;
  const flaggerUrl = () => { const u = new URL(`${app.url}/api/gates/${SERVICE}`); u.username = 'flagger'; u.password = KEY; return u.toString(); };
  const argo = (query = '') => argoWebMetric(`${app.url}/api/gates/${SERVICE}${query}`, { Authorization: `Bearer ${KEY}` });

  it('passes while the SLOs are fine, for Flagger (POST, decided on the status) and Argo (GET, {$.pass})', async () => {
    await waitFor('every SLO of the ranker evaluated and fine', async () => {
      const slos = (await get(`/api/slos?filter=${encodeURIComponent(JSON.stringify({ service: SERVICE }))}`)) as unknown as Json[];
      return slos.length > 0 && slos.every((s) => s.state === 'ok');
    }, 60_000, 200);
    for (const type of ['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-promotion'] as const) {
      expect(await flaggerWebhook(flaggerUrl(), type, { name: SERVICE, namespace: 'prod' })).toEqual({ proceed: true, status: 200 });
    }
    expect(await argo()).toEqual({ phase: 'Successful', value: 'true', status: 200 });
    const body = await get(`/api/gates/${SERVICE}`);
    expect(body).toMatchObject({ pass: true, service: SERVICE, reasons: [], checked: { slos: expect.arrayContaining([`${SERVICE}.availability`]), incidents: 0 } });
  });

  it('answers 412 with the reasons at the first evaluation after the burn starts', async () => {
    const res = await api('/api/simulator/faults', { method: 'POST', body: JSON.stringify({ service: SERVICE, kind: 'error-rate', value: 1, durationSeconds: 7200 }) });
    expect(res.status).toBe(201);
    // The evaluation that first sees the burn: the gate reads what it wrote, with no lag of its own.
    const burning = await waitFor('the availability SLO burning', async () => {
      const slo = await get(`/api/slos/${SERVICE}.availability`);
      return slo.state === 'page' || slo.state === 'ticket' ? slo : null;
    }, 60_000, 50);
    const flagger = await flaggerWebhook(flaggerUrl(), 'rollout', { name: SERVICE, namespace: 'prod' });
    expect(flagger).toEqual({ proceed: false, status: 412 });
    const body = await get(`/api/gates/${SERVICE}`);
    expect(body.pass).toBe(false);
    expect(body.reasons).toContainEqual(expect.stringContaining(`SLO ${SERVICE}.availability is`));
    expect(Date.parse(body.checkedAt)).toBeGreaterThanOrEqual(Date.parse(burning.evaluatedAt));
    // Argo takes a 412 as an Error of the measurement; with failStatus=200 it is a Failed one.
    expect((await argo()).phase).toBe('Error');
    expect(await argo('?failStatus=200')).toEqual({ phase: 'Failed', value: 'false', status: 200 });
    // Only the SLO asked about, and only burns and incidents since a time (Headroom's clock) after this one began: excused.
    const later = new Date(Date.parse(burning.since) + 60_000).toISOString();
    const excused = await get(`/api/gates/${SERVICE}?slo=availability&since=${encodeURIComponent(later)}`);
    expect(excused.reasons).toEqual([]);
    expect(excused).toMatchObject({ pass: true, checked: { slos: [`${SERVICE}.availability`] } });
  });

  it('counts the calls per service, refuses unknown services and callers without a key', async () => {
    const [ranker] = ((await get('/api/gates')) as unknown as Json[]).filter((c) => c.service === SERVICE);
    // The last call was the excused one.
    expect(ranker).toMatchObject({ service: SERVICE, lastPass: true, lastReasons: [] });
    expect(ranker.passed).toBeGreaterThanOrEqual(6);
    expect(ranker.failed).toBeGreaterThanOrEqual(4);
    const metrics = await (await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text();
    expect(metrics).toMatch(new RegExp(`headroom_gate_checks_total\\{service="${SERVICE}",result="fail"\\} \\d+`));
    expect((await api('/api/gates/no-such-service')).status).toBe(404);
    expect((await api(`/api/gates/${SERVICE}?slo=nope`)).status).toBe(404);
    expect((await api(`/api/gates/${SERVICE}?failStatus=500`)).status).toBe(400);
    expect((await fetch(`${app.url}/api/gates/${SERVICE}`)).status).toBe(401);
  });
});
