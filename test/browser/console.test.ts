import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT, runHeadroomCli, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * The console in a real browser (Debian's Chromium driven by playwright-core) against the real
 * server: sign in with email and password from a deep link, acknowledge, read the runbook, see
 * the people; a viewer cannot act.
 * Screenshots are kept in test-artifacts/screenshots/.
 */
const ADMIN = 'browser-admin-token-0123456789';
const ADA = { email: 'ada@example.com', password: 'ada-console-password-1' };
const VIC = { email: 'vic@example.com', password: 'vic-viewer-password-1' };
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
    const env = {
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_ADMIN_EMAIL: ADA.email,
      HEADROOM_ADMIN_PASSWORD: ADA.password,
      HEADROOM_SIMULATOR: 'true',
      HEADROOM_TIME_SCALE: '60',
    };
    const created = await runHeadroomCli(['token', 'create', '--name', 'viewer-vic', '--role', 'viewer'], env);
    expect(created.code).toBe(0);
    viewerToken = created.stdout.trim();
    app = await startHeadroomProcess(env);
    const vic = await api('/api/users', ADMIN, { method: 'POST', body: JSON.stringify({ email: VIC.email, name: 'Vic Viewer', role: 'viewer', password: VIC.password }) });
    expect(vic.status).toBe(201);
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

  const signIn = async (who: { email: string; password: string }) => {
    await page.fill('input[name="email"]', who.email);
    await page.fill('input[name="password"]', who.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  };

  it('signs in with email and password from a deep link and lands on the incident', async () => {
    await page.goto(`${app.url}/#/incidents/${incidentId}/show`);
    await page.waitForSelector('input[name="email"]');
    await shot('01-login');
    await signIn({ email: ADA.email, password: 'not-the-password' });
    await page.getByText('wrong email or password').waitFor();
    await signIn(ADA);
    await page.getByRole('button', { name: 'Acknowledge' }).waitFor();
    expect(page.url()).toContain(`#/incidents/${incidentId}/show`);
    await page.getByText('model-serving availability SLO is burning its error budget').first().waitFor();
    // The session is an HTTP-only cookie: nothing for a script on the page to read.
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'headroom_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate('document.cookie')).toBe('');
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
    await page.getByText(/Acknowledged by ada/).first().waitFor();
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

  it('an admin sees the people, with the button to add one', async () => {
    await page.goto(`${app.url}/#/users`);
    await page.getByText('vic@example.com').waitFor();
    await page.getByText(ADA.email).first().waitFor();
    expect(await page.getByRole('link', { name: 'Create' }).count()).toBe(1);
    await shot('07-people');
  });

  it('shows who is on call and the shifts of a schedule, overrides marked', async () => {
    const now = Date.now();
    const override = { user: ADA.email, start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 3_600_000).toISOString() };
    expect((await api('/api/schedules/ranker-primary/overrides', ADMIN, { method: 'POST', body: JSON.stringify(override) })).status).toBe(201);
    await page.goto(`${app.url}/#/schedules`);
    await page.getByText('Ranking primary').waitFor();
    await page.getByText(/until .* \(override\)/).first().waitFor();
    await shot('08-oncall');
    await page.getByText('Ranking primary').click();
    await page.getByText('Shifts, next 14 days').waitFor();
    await page.getByRole('cell', { name: 'override' }).first().waitFor();
    // The example's participants are not users here: each is reported, none is fatal.
    await page.getByText(/no active Headroom user with email bob@example.com/).first().waitFor();
    await shot('09-schedule');
  });

  it('a viewer signs in and sees no actions, and the API refuses them with 403', async () => {
    await page.context().clearCookies();
    await page.goto(`${app.url}/#/incidents/${incidentId}/show`);
    await page.reload();
    await page.waitForSelector('input[name="email"]');
    await signIn(VIC);
    await page.getByText('model-serving availability SLO is burning its error budget').first().waitFor();
    await page.getByText(/Acknowledged by ada/).first().waitFor();
    expect(await page.getByRole('button', { name: 'Resolve' }).count()).toBe(0);
    await shot('08-viewer');
    const res = await api(`/api/incidents/${incidentId}/resolve`, viewerToken, { method: 'POST' });
    expect(res.status).toBe(403);
    await page.goto(`${app.url}/#/users`);
    await page.getByText('vic@example.com').waitFor();
    expect(await page.getByRole('link', { name: 'Create' }).count()).toBe(0);
  });
});
