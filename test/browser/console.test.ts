import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT, runHeadroomCli, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against the real
 * server: sign in from a deep link, acknowledge, read the runbook; a viewer cannot act.
 * Screenshots are kept in test-artifacts/screenshots/.
 */
const ADMIN = 'browser-admin-token-0123456789';
const SHOTS = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');

describe('web console in Chromium', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-browser-'));
  let app: HeadroomProcess;
  let browser: Browser;
  let page: Page;
  let viewerToken: string;
  let incidentId: number;

  const api = (p: string, token = ADMIN, init: RequestInit = {}) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    const env = { HEADROOM_DATA_DIR: dataDir, HEADROOM_ADMIN_TOKEN: ADMIN, HEADROOM_SIMULATOR: 'true', HEADROOM_TIME_SCALE: '60' };
    const created = await runHeadroomCli(['token', 'create', '--name', 'viewer-vic', '--role', 'viewer'], env);
    expect(created.code).toBe(0);
    viewerToken = created.stdout.trim();
    app = await startHeadroomProcess(env);
    await api('/api/simulator/faults', ADMIN, { method: 'POST', body: JSON.stringify({ service: 'model-serving', kind: 'error-rate', value: 1, durationSeconds: 3600 }) });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const incidents: any[] = await waitFor('an incident', async () => {
      const list = (await (await api('/api/incidents')).json()) as unknown[];
      return list.length > 0 ? list : null;
    });
    incidentId = incidents[0].id;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });

  afterEach(async () => {
    // Keep what the browser showed when a test fails.
    const state = expect.getState();
    if (page && state.currentTestName) await page.screenshot({ path: path.join(SHOTS, `last-${state.currentTestName.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in from a deep link and lands on the incident', async () => {
    await page.goto(`${app.url}/#/incidents/${incidentId}/show`);
    await page.waitForSelector('input[name="token"]');
    await shot('01-login');
    await page.fill('input[name="token"]', 'wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Invalid API token').waitFor();
    await page.fill('input[name="token"]', ADMIN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor();
    expect(page.url()).toContain(`#/incidents/${incidentId}/show`);
    await page.getByText('model-serving availability SLO is burning its error budget').first().waitFor();
    await shot('02-incident');
  });

  it('acknowledges and shows it on the timeline', async () => {
    const button = page.getByRole('button', { name: 'Acknowledge' });
    await button.waitFor();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/incidents/${incidentId}/acknowledge`) && r.request().method() === 'POST'),
      button.click(),
    ]);
    expect(response.status()).toBe(200);
    await page.getByText(/Acknowledged by admin/).first().waitFor();
    expect(await page.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    const incident = (await (await api(`/api/incidents/${incidentId}`)).json()) as { status: string };
    expect(incident.status).toBe('acknowledged');
    await shot('03-acknowledged');
  });

  it('opens the runbook linked from the incident', async () => {
    await page.getByRole('link', { name: 'Runbook' }).click();
    await page.waitForURL(/#\/runbooks\/model-serving-availability\/show/);
    await page.getByText('First five minutes').waitFor();
    await shot('04-runbook');
  });

  it('lists incidents and SLOs', async () => {
    await page.goto(`${app.url}/#/incidents`);
    await page.getByText('model-serving availability SLO is burning its error budget').first().waitFor();
    await shot('05-incidents');
    await page.goto(`${app.url}/#/slos`);
    await page.getByText('now-playing-ranker').first().waitFor();
    await shot('06-slos');
  });

  it('a viewer sees no actions, and the API refuses them with 403', async () => {
    await page.evaluate((t) => localStorage.setItem('headroom.token', t), viewerToken);
    await page.goto(`${app.url}/#/incidents/${incidentId}/show`);
    await page.reload();
    await page.getByText('model-serving availability SLO is burning its error budget').first().waitFor();
    await page.getByText(/Acknowledged by admin/).first().waitFor();
    expect(await page.getByRole('button', { name: 'Resolve' }).count()).toBe(0);
    await shot('07-viewer');
    const res = await api(`/api/incidents/${incidentId}/resolve`, viewerToken, { method: 'POST' });
    expect(res.status).toBe(403);
  });
});
