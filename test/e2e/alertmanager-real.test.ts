import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';
import { findAlertmanager } from '../support/debian-tools';
import { freePort } from '../support/ports';

/**
 * A real Alertmanager (Debian's prometheus-alertmanager, or ALERTMANAGER_BIN) sending to
 * Headroom with basic auth from its http_config: the receiver snippet of docs/incidents.md,
 * exercised as written. `npm test` installs Debian's package first (scripts/ensure-debian-packages.mjs).
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const AM_KEY = 'hk_alertmanager_real-0123456789abcdef';

describe('a real Alertmanager sending to Headroom', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-real-am-'));
  let app: HeadroomProcess;
  let am: ChildProcess;
  let amUrl: string;
  let amLog = '';

  beforeAll(async () => {
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: path.join(dir, 'data'),
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_INTEGRATION_KEYS: `alertmanager:prod-alertmanager:${AM_KEY}`,
    });
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    // The receiver as documented in docs/incidents.md, with fast grouping for the test.
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), `route:
  receiver: headroom
  group_by: [service, alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: headroom
    webhook_configs:
      - url: ${app.url}/api/integrations/alertmanager
        send_resolved: true
        max_alerts: 1000
        http_config:
          basic_auth:
            username: alertmanager
            password: ${AM_KEY}
`);
    am = spawn(findAlertmanager(), [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { stdio: ['ignore', 'pipe', 'pipe'] });
    am.stdout!.on('data', (d) => (amLog += d));
    am.stderr!.on('data', (d) => (amLog += d));
    await waitFor('Alertmanager to listen', async () => (await fetch(`${amUrl}/-/ready`).catch(() => null))?.ok, 30_000, 200);
  });

  afterAll(async () => {
    am?.kill('SIGTERM');
    await app?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const incidents = async (): Promise<any[]> => (await fetch(`${app.url}/api/incidents`, { headers: { authorization: `Bearer ${ADMIN}` } })).json() as Promise<any[]>;
  const push = (alerts: unknown[]) => fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  const alert = (instance: string, endsAt?: string) => ({
    labels: { alertname: 'CandidateRetrievalErrors', service: 'candidate-retrieval', severity: 'critical', instance },
    annotations: { summary: 'candidate-retrieval errors above 2%', runbook_url: 'https://runbooks.example.com/candidate-retrieval' },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    ...(endsAt ? { endsAt } : {}),
  });

  it('groups what Alertmanager sends into one incident and records the resolution', async () => {
    expect((await push([alert('cr-0'), alert('cr-1')])).status).toBe(200);
    const [incident] = await waitFor('the incident', async () => {
      const list = await incidents();
      return list.length === 1 && list[0].alertCount >= 2 ? list : null;
    }, 30_000, 200);
    expect(incident).toMatchObject({ source: 'alertmanager', service: 'candidate-retrieval', severity: 'critical', runbookUrl: 'https://runbooks.example.com/candidate-retrieval' });

    const now = new Date().toISOString();
    expect((await push([alert('cr-0', now), alert('cr-1', now)])).status).toBe(200);
    const resolved = await waitFor('the resolved notification', async () => {
      const [i] = await incidents();
      return i.signalResolvedAt ? i : null;
    }, 30_000, 200);
    expect(resolved.status).toBe('triggered');
    expect(amLog).not.toMatch(/level=error/);
  });
});
