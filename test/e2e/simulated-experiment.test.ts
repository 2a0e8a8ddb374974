import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * The demo loop on the embedded default, as `npm start` runs it: the simulator feeds the
 * shipped experiment (alerts/experiments.yaml) snapshots; harm injected like any fault becomes a
 * guardrail breach, an incident, and a rollback recorded by the shipped dry-run policy
 * (alerts/rollback.yaml) — and nothing breaches before the harm.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';

describe('the simulated experiment (real process, embedded database)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-simexp-'));
  let app: HeadroomProcess;

  beforeAll(async () => {
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'true',
      HEADROOM_SIMULATOR_BACKFILL: '30m',
      HEADROOM_TIME_SCALE: '120',
      HEADROOM_EVALUATION_INTERVAL_SECONDS: '1',
    });
  });

  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const api = (p: string, init: RequestInit = {}) => fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = async (p: string): Promise<any> => (await api(p)).json();

  it('feeds snapshots with no breach, then harm injected opens a guardrail incident and a dry-run rollback', async () => {
    const results = await waitFor('simulated snapshots with results', async () => {
      const e = await json('/api/experiments/ranker-v42');
      return e.results?.units?.control > 1000 ? e.results : null;
    }, 60_000, 250);
    expect(results.srm.state).toBe('ok');
    expect(results.metrics.filter((m: { state: string }) => m.state === 'breach')).toEqual([]);
    expect(await json(`/api/incidents?filter=${encodeURIComponent(JSON.stringify({ source: 'guardrail' }))}`)).toEqual([]);

    const fault = await api('/api/simulator/faults', { method: 'POST', body: JSON.stringify({ service: 'now-playing-ranker', kind: 'experiment-harm', value: 0.3, durationSeconds: 7200 }) });
    expect(fault.status).toBe(201);
    const incident = await waitFor('a guardrail incident', async () => {
      const list = await json(`/api/incidents?filter=${encodeURIComponent(JSON.stringify({ source: 'guardrail' }))}`);
      return list.find((i: { fingerprint: string }) => i.fingerprint === 'guardrail:ranker-v42:ranker-v42:skip_rate');
    }, 90_000, 250);
    expect(incident).toMatchObject({ service: 'now-playing-ranker', severity: 'critical' });
    const execution = await waitFor('the dry-run rollback', async () => {
      const list = await json(`/api/rollback-executions?filter=${encodeURIComponent(JSON.stringify({ incidentId: incident.id }))}`);
      return list[0];
    }, 60_000, 250);
    expect(execution).toMatchObject({ hook: 'ranker-experiment-rollback', policy: 'ranker-v42-skip-rate', mode: 'dry-run', status: 'dry_run' });
  });

  it('refuses an experiment-harm value outside 0..1, naming the field', async () => {
    const res = await api('/api/simulator/faults', { method: 'POST', body: JSON.stringify({ service: 'now-playing-ranker', kind: 'experiment-harm', value: 3, durationSeconds: 60 }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/value: a experiment-harm fault takes a fraction from 0 to 1/);
  });
});
