import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * SLOs whose source cannot produce data in the running configuration (here: source: simulator
 * with the simulator off) make /readyz say so — 200 and `degraded`, never a failure an
 * orchestrator would restart for — and are named once in the log at start and in
 * GET /api/rules/status (what the console's banner shows). A reload that moves them to another
 * source clears it.
 */
const ADMIN = 'e2e-idle-admin-token-0123456789';

const SIMULATED = `service: ranker
slos:
  - name: availability
    objective: 0.999
    sli: { kind: events, source: simulator }
    runbook: playlist-api-availability.md
  - name: latency
    objective: 0.99
    sli: { kind: latency, source: simulator, threshold: 250ms }
    runbook: playlist-api-availability.md
`;
// The fix a team makes: the example Prometheus files (alerts/examples/) instead.
const EXAMPLES = path.join(REPO_ROOT, 'alerts/examples');

interface Readyz {
  status: string;
  checks: Record<string, string>;
}

describe('SLOs whose source is off', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-idle-'));
  const alerts = path.join(dir, 'alerts');
  let app: HeadroomProcess;
  const readyz = async () => {
    const res = await fetch(`${app.url}/readyz`);
    return { code: res.status, body: (await res.json()) as Readyz };
  };
  const api = async (p: string, init: RequestInit = {}) =>
    (await fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' } })).json();

  beforeAll(async () => {
    fs.mkdirSync(alerts);
    fs.writeFileSync(path.join(alerts, 'ranker.yaml'), SIMULATED);
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: path.join(dir, 'data'),
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_ALERTS_DIR: alerts,
      HEADROOM_RUNBOOKS_DIR: path.join(EXAMPLES, 'runbooks'),
    });
  });

  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('/readyz answers 200 degraded, naming them, why and what to do', async () => {
    const { code, body } = await readyz();
    expect(code).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.checks).toMatchObject({ database: 'ok', migrations: 'ok', notifications: 'ok', escalations: 'ok' });
    expect(body.checks.sources).toBe(
      '2 SLOs cannot receive data: ranker.availability, ranker.latency; the simulator is off (HEADROOM_SIMULATOR=false): ' +
        'read the SLO from Prometheus or OTLP (alerts/examples/, npm run headroom -- slo init), or set HEADROOM_SIMULATOR=true for a demo',
    );
  });

  it('says so once in the log at start', () => {
    const warnings = app.output().split('\n').filter((l) => l.includes('cannot receive data'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0])).toMatchObject({ level: 40, slos: ['ranker.availability', 'ranker.latency'] });
  });

  it('lists them in GET /api/rules/status for the console', async () => {
    const status = (await api('/api/rules/status')) as { idleSlos: Array<{ slo: string; source: string }> };
    expect(status.idleSlos.map((i) => [i.slo, i.source])).toEqual([
      ['ranker.availability', 'simulator'],
      ['ranker.latency', 'simulator'],
    ]);
  });

  it('is ready again once a reload reads them from a source that is on', async () => {
    fs.rmSync(path.join(alerts, 'ranker.yaml'));
    for (const f of ['prometheus-servers.yaml', 'playlist-api-availability.yaml']) fs.copyFileSync(path.join(EXAMPLES, f), path.join(alerts, f));
    expect(await api('/api/rules/reload', { method: 'POST' })).toMatchObject({ problems: [] });
    const { code, body } = await waitFor('ready', async () => {
      const r = await readyz();
      return r.body.status === 'ready' ? r : null;
    });
    expect(code).toBe(200);
    expect(body.checks.sources).toBe('ok');
    expect(((await api('/api/rules/status')) as { idleSlos: unknown[] }).idleSlos).toEqual([]);
  });
});

