import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { histogramQuantile } from '../../server/src/slo/histogram-quantile';
import { REPO_ROOT, runHeadroomCli, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/** The SLO API: services, latency quantiles, history, back-testing (API and CLI), hot reload. */
const ADMIN = 'slo-api-admin-token-0123456789';

describe('SLO API on a running server (time ×60)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-slo-api-'));
  const alertsDir = path.join(tmp, 'alerts');
  const dataDir = path.join(tmp, 'data');
  let app: HeadroomProcess;
  const env = { HEADROOM_DATA_DIR: dataDir, HEADROOM_ADMIN_TOKEN: ADMIN, HEADROOM_SIMULATOR: 'true', HEADROOM_TIME_SCALE: '60', HEADROOM_ALERTS_DIR: alertsDir, HEADROOM_RUNBOOKS_DIR: path.join(REPO_ROOT, 'runbooks') };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const get = async (p: string): Promise<any> => {
    const res = await fetch(`${app.url}${p}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    if (!res.ok) throw new Error(`GET ${p}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  const post = (p: string, body: unknown) =>
    fetch(`${app.url}${p}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  beforeAll(async () => {
    fs.cpSync(path.join(REPO_ROOT, 'alerts'), alertsDir, { recursive: true });
    app = await startHeadroomProcess(env);
    await waitFor('evaluations', async () => (await get('/api/slos')).every((s: { state: string }) => s.state === 'ok'));
  });
  afterAll(async () => {
    fs.writeFileSync('/tmp/slo-api-server.log', app?.output() ?? '');
    await app?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists services with their worst SLO state', async () => {
    const services = await get('/api/services');
    expect(services.map((s: { id: string }) => s.id).sort()).toEqual(['candidate-retrieval', 'feature-store', 'model-serving', 'now-playing-ranker']);
    expect(services[0]).toMatchObject({ slos: 2, state: 'ok' });
  });

  it('answers latency quantiles computed from exactly the buckets it returns', async () => {
    const r = await get('/api/slos/now-playing-ranker.latency/latency?window=30m&q=0.5,0.9,0.99');
    expect(r.window).toBe('30m');
    expect(r.buckets[r.buckets.length - 1].le).toBe('+Inf');
    const buckets = r.buckets.map((b: { le: number | string; count: number }) => ({ le: b.le === '+Inf' ? Infinity : Number(b.le), count: b.count }));
    for (const { q, value } of r.quantiles) expect(value).toBeCloseTo(histogramQuantile(q, buckets), 12);
    // The simulated ranker's median is around 60 ms.
    expect(r.quantiles[0].value).toBeGreaterThan(0.02);
    expect(r.quantiles[0].value).toBeLessThan(0.15);
    const bad = await fetch(`${app.url}/api/slos/now-playing-ranker.latency/latency?window=soon&q=2`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(bad.status).toBe(400);
    const events = await fetch(`${app.url}/api/slos/now-playing-ranker.availability/latency`, { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(events.status).toBe(400);
  });

  it('pages on a latency fault, shows burn-rate history, and back-tests the breach', async () => {
    const injectedAt = new Date((await get('/api/slos/now-playing-ranker.latency')).evaluatedAt);
    await post('/api/simulator/faults', { service: 'now-playing-ranker', kind: 'latency', value: 20, durationSeconds: 1200 });
    await waitFor('latency page', async () => (await get('/api/slos/now-playing-ranker.latency')).state === 'page', 60_000);
    const paged = await get('/api/slos/now-playing-ranker.latency');
    // A few more simulated minutes, so the stored minutes hold the burn the live pass saw.
    const slo = await waitFor('three more minutes of data', async () => {
      const s = await get('/api/slos/now-playing-ranker.latency');
      return new Date(s.evaluatedAt).getTime() - new Date(paged.evaluatedAt).getTime() >= 180_000 ? s : null;
    });
    expect(slo.history.burnRates.length).toBeGreaterThan(90);
    expect(slo.history.burnRates[slo.history.burnRates.length - 1]['5m']).toBeGreaterThan(14.4);
    expect(slo.history.budget.length).toBeGreaterThan(20);

    const p99 = (await get('/api/slos/now-playing-ranker.latency/latency?window=5m&q=0.99')).quantiles[0].value;
    expect(p99).toBeGreaterThan(0.25);

    const now = new Date(slo.evaluatedAt);
    const res = await post('/api/slos/now-playing-ranker.latency/backtest', { from: new Date(injectedAt.getTime() - 20 * 60_000).toISOString(), to: now.toISOString() });
    expect(res.status).toBe(200);
    const bt = (await res.json()) as { summary: { pages: number; breaches: number }; breaches: Array<{ detectionSeconds: number | null }> };
    expect(bt.summary.pages).toBeGreaterThanOrEqual(1);
    expect(bt.summary.breaches).toBeGreaterThanOrEqual(1);
    expect(bt.breaches[0].detectionSeconds).not.toBeNull();
    expect(bt.breaches[0].detectionSeconds!).toBeLessThanOrEqual(180);

    // An edited copy: ticket windows only → no page in the same history.
    const ticketsOnly = (await (await post('/api/slos/now-playing-ranker.latency/backtest', { from: new Date(injectedAt.getTime() - 20 * 60_000).toISOString(), to: now.toISOString(), alerting: { page: false } })).json()) as { summary: { pages: number } };
    expect(ticketsOnly.summary.pages).toBe(0);
    const invalid = await post('/api/slos/now-playing-ranker.latency/backtest', { from: now.toISOString(), to: injectedAt.toISOString(), colour: 1 });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { message: string }).message).toMatch(/to: must be after from|colour/);
  });

  it('reloads rules on change, and keeps the last good set when a file is broken', async () => {
    const before = await get('/api/rules/status');
    fs.writeFileSync(path.join(alertsDir, 'broken.yaml'), 'service: broken\nslos:\n  - name: x\n    objectiv: 0.9\n');
    const failed = await waitFor('the reload attempt', async () => {
      const s = await get('/api/rules/status');
      return s.problems.length > 0 ? s : null;
    });
    expect(failed.problems).toContainEqual(expect.objectContaining({ line: 4, field: 'slos.0.objectiv', message: 'unknown field' }));
    expect(failed.slos).toBe(before.slos);
    expect((await get('/api/slos')).length).toBe(8);

    fs.writeFileSync(
      path.join(alertsDir, 'broken.yaml'),
      'service: search-suggest\nslos:\n  - name: availability\n    objective: 0.99\n    sli: { kind: events, source: simulator }\n    runbook: now-playing-ranker-availability.md\n',
    );
    await waitFor('the new SLO', async () => (await get('/api/slos')).length === 9);
    expect((await get('/api/rules/status')).problems).toEqual([]);
  });

  it('back-tests from the command line with a progress report', async () => {
    const slo = await get('/api/slos/now-playing-ranker.latency');
    expect(slo).toMatchObject({ id: 'now-playing-ranker.latency' });
    const to = new Date(slo.evaluatedAt);
    expect(await app.stop()).toBe(0);
    const r = await runHeadroomCli(['backtest', '--slo', 'now-playing-ranker.latency', '--from', new Date(to.getTime() - 40 * 60_000).toISOString(), '--to', to.toISOString()], env);
    expect(r.stderr).toContain('backtest now-playing-ranker.latency 100%');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/pages: [1-9]/);
    expect(r.stdout).toMatch(/breach .* detected after \d+ s/);
  });
});
