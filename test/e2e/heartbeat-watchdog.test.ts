import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';
import { startAlertmanager, type AlertmanagerProcess } from '../support/debian-tools';

/**
 * Alertmanager's always-firing Watchdog alert as the heartbeat of the alert pipeline: a real
 * Alertmanager (Debian's prometheus-alertmanager) routes it to Headroom's heartbeat endpoint
 * with the route and receiver of docs/alerts.md (timings shortened), and Headroom takes each
 * notification as a beat.
 */
const ADMIN = 'e2e-admin-token-0123456789abcdef';
const KEY = 'hk_heartbeat_watchdog-0123456789abcdef';
describe('the Watchdog alert of a real Alertmanager beats a heartbeat', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-watchdog-'));
  let app: HeadroomProcess;
  let am: AlertmanagerProcess;

  beforeAll(async () => {
    fs.mkdirSync(path.join(dir, 'alerts'));
    fs.writeFileSync(path.join(dir, 'alerts/heartbeats.yaml'), 'heartbeats:\n  - name: alertmanager\n    interval: 5m\n');
    fs.writeFileSync(path.join(dir, 'heartbeat-key'), KEY);
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: path.join(dir, 'data'),
      HEADROOM_ALERTS_DIR: path.join(dir, 'alerts'),
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_INTEGRATION_KEYS: `heartbeat:watchdog:${KEY}`,
    });
    // docs/alerts.md's route and receiver; group_interval and repeat_interval shortened for the test.
    fs.writeFileSync(path.join(dir, 'alertmanager.yml'), `route:
  receiver: headroom
  routes:
    - matchers: [alertname="Watchdog"]
      receiver: headroom-heartbeat
      group_wait: 0s
      group_interval: 1s
      repeat_interval: 2s
receivers:
  - name: headroom-heartbeat
    webhook_configs:
      - url: ${app.url}/api/integrations/heartbeat/alertmanager
        send_resolved: false
        http_config:
          authorization:
            type: Bearer
            credentials_file: ${path.join(dir, 'heartbeat-key')}
  - name: headroom
`);
    am = await startAlertmanager(path.join(dir, 'alertmanager.yml'), path.join(dir, 'am'));
  });

  afterAll(async () => {
    am?.stop();
    await app?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const heartbeat = async (): Promise<any> => (await fetch(`${app.url}/api/heartbeats/alertmanager`, { headers: { authorization: `Bearer ${ADMIN}` } })).json();

  it('takes each Watchdog notification as a beat', async () => {
    expect(await heartbeat()).toMatchObject({ state: 'waiting', beatCount: 0 });
    const watchdog = { labels: { alertname: 'Watchdog', severity: 'none' }, annotations: { summary: 'An alert that should always be firing' }, startsAt: new Date().toISOString() };
    expect((await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([watchdog]) })).status).toBe(200);
    const beaten = await waitFor('two beats from Alertmanager', async () => {
      const h = await heartbeat();
      return h.beatCount >= 2 ? h : null;
    }, 30_000, 200);
    expect(beaten.state).toBe('ok');
    expect(am.log()).not.toMatch(/level=error/);
  });
});
