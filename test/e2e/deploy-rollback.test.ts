import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeDeploy } from '../fakes/fake-deploy';
import { REPO_ROOT, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * A deploy precedes a burn, end to end in the built server with the simulator: the deploy system
 * reports "ranker v42 (was v41)" as a change, a fault then burns the ranker's availability, and
 * the automatic rollback request the fake deploy system receives (signed) names the deploy's
 * previousVersion — the rollback knows what to roll back.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const HOOK_SECRET = 'deploy-hook-secret-for-e2e';
const CHANGES_KEY = 'hk_changes_ci-0123456789abcdef';
const ROLLBACK = (deployUrl: string) => `rollbackHooks:
  - name: ranker-to-previous
    url: ${deployUrl}/rollback
    body: '{"service": "{{change.service}}", "rollbackTo": "{{change.previousVersion}}", "from": "{{change.version}}", "change": "{{change.id}}", "incident": {{incident.id}}}'
    timeout: 5s
    secretEnv: DEPLOY_HOOK_SECRET
rollbackPolicies:
  - name: ranker-deploy-back
    hook: ranker-to-previous
    trigger: { slo: { service: now-playing-ranker, name: availability } }
    mode: auto
    requireChange: deploy
`;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('a deploy before a burn is what the automatic rollback rolls back (real process, embedded database, simulator)', () => {
  const deploy = new FakeDeploy(HOOK_SECRET);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-deploy-rollback-'));
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-deploy-rollback-alerts-'));
  let app: HeadroomProcess;

  beforeAll(async () => {
    await deploy.start();
    for (const f of fs.readdirSync(path.join(REPO_ROOT, 'alerts'), { withFileTypes: true })) if (f.isFile()) fs.copyFileSync(path.join(REPO_ROOT, 'alerts', f.name), path.join(alertsDir, f.name));
    fs.writeFileSync(path.join(alertsDir, 'zz-deploy-rollback.yaml'), ROLLBACK(deploy.url));
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ALERTS_DIR: alertsDir,
      HEADROOM_RUNBOOKS_DIR: path.join(REPO_ROOT, 'runbooks'),
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'true',
      HEADROOM_SIMULATOR_SEED: '7',
      HEADROOM_TIME_SCALE: '60',
      HEADROOM_EVALUATION_INTERVAL_SECONDS: '2',
      HEADROOM_OUTBOX_POLL_MS: '100',
      HEADROOM_INTEGRATION_KEYS: `changes:ci:${CHANGES_KEY}`,
      DEPLOY_HOOK_SECRET: HOOK_SECRET,
    });
  });

  afterAll(async () => {
    await app?.stop();
    await deploy.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  const get = async (p: string): Promise<Json> => (await (await fetch(`${app.url}${p}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as Json;

  it('sends the rollback to the deploy\'s previousVersion', async () => {
    await waitFor('the ranker evaluated and fine', async () => (await get('/api/slos/now-playing-ranker.availability')).state === 'ok', 60_000, 100);
    const change = await fetch(`${app.url}/api/integrations/changes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${CHANGES_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'now-playing-ranker', kind: 'deploy', summary: 'ranker v42: new two-tower model', version: 'v42', previousVersion: 'v41' }),
    });
    expect(change.status).toBe(201);
    const { id: changeId } = (await change.json()) as Json;
    const fault = await fetch(`${app.url}/api/simulator/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'now-playing-ranker', kind: 'error-rate', value: 1, durationSeconds: 7200 }),
    });
    expect(fault.status).toBe(201);
    const [request] = await waitFor('the rollback request', () => (deploy.requests.length ? deploy.requests : null), 60_000, 50);
    expect(request.signatureValid).toBe(true);
    expect(JSON.parse(request.body)).toMatchObject({ service: 'now-playing-ranker', rollbackTo: 'v41', from: 'v42', change: String(changeId) });
    const incidentId = JSON.parse(request.body).incident as number;
    const incident = await get(`/api/incidents/${incidentId}`);
    expect(incident.sloId).toBe('now-playing-ranker.availability');
    expect(incident.timeline.map((t: Json) => t.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^Suspect change: deploy now-playing-ranker v42/)]));
  });
});
