import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * The heartbeats list in a real browser (Debian's Chromium): one heartbeat beating, one missed
 * (time runs 60x, so its 1-minute interval passes in a second), each with its state, and the
 * missed one's incident in the incidents list like any other. Screenshot in
 * test-artifacts/screenshots/heartbeats.png.
 */
const ADMIN = 'browser-heartbeats-admin-token-0123456789';
const KEY = 'hk_heartbeat_browser-0123456789abcdef';
const SHOTS = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');

describe('heartbeats in Chromium', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-browser-heartbeats-'));
  let app: HeadroomProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.mkdirSync(path.join(dir, 'alerts'));
    fs.writeFileSync(path.join(dir, 'alerts/heartbeats.yaml'), 'heartbeats:\n  - { name: alertmanager, interval: 1h }\n  - { name: nightly-backup, interval: 1m, grace: 0s, severity: ticket }\n');
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: path.join(dir, 'data'),
      HEADROOM_ALERTS_DIR: path.join(dir, 'alerts'),
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_TIME_SCALE: '60',
      HEADROOM_EVALUATION_INTERVAL_SECONDS: '1',
      HEADROOM_INTEGRATION_KEYS: `heartbeat:browser:${KEY}`,
    });
    const beat = await fetch(`${app.url}/api/integrations/heartbeat/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` } });
    expect(beat.status).toBe(200);
    await waitFor('the missed backup', async () => {
      const list = (await (await fetch(`${app.url}/api/incidents`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as Array<{ source: string }>;
      return list.some((i) => i.source === 'heartbeat');
    }, 30_000, 250);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists the heartbeats with their state and last beat; the missed one has an incident', async () => {
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: 'Use an API token instead' }).click();
    await page.waitForSelector('input[name="token"]');
    await page.fill('input[name="token"]', ADMIN);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('menuitem', { name: 'Heartbeats' }).click();
    const rows = page.locator('tbody tr');
    await rows.filter({ hasText: 'nightly-backup' }).filter({ hasText: 'missed' }).waitFor();
    const alertmanager = rows.filter({ hasText: 'alertmanager' });
    await alertmanager.filter({ hasText: 'ok' }).waitFor();
    expect(await alertmanager.textContent()).toContain('1h (+1m grace)');
    expect(await rows.filter({ hasText: 'nightly-backup' }).textContent()).toContain('never');
    await page.screenshot({ path: path.join(SHOTS, 'heartbeats.png'), fullPage: true });
    await page.goto(`${app.url}/#/incidents`);
    await page.getByText(/heartbeat nightly-backup missed \(no beat since it was declared at/).first().waitFor();
  });
});
