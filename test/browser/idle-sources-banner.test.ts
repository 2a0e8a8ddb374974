import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshotOnFailure } from '../support/browser';
import { REPO_ROOT, startHeadroomProcess, type HeadroomProcess } from '../support/headroom-process';

/**
 * The console's banner for SLOs that cannot receive data: the shipped alerts/ (simulator SLOs)
 * with the simulator off, as on a first production start. It names them on every page, links
 * to them, says what to do, and goes away once the rules read them from a source that is on.
 * Screenshots in test-artifacts/screenshots/idle-sources-*.
 */
const ADMIN = 'browser-idle-admin-token-0123456789';
const SHOTS = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');

describe('the banner for SLOs without a source, in Chromium', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-browser-idle-'));
  const alerts = path.join(dir, 'alerts');
  const shipped = fs.readdirSync(path.join(REPO_ROOT, 'alerts')).filter((f) => f.endsWith('.yaml'));
  let app: HeadroomProcess;
  let browser: Browser;
  let page: Page;
  let simulated: number;

  const banner = () => page.getByRole('alert').filter({ hasText: 'cannot receive data' });
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `idle-sources-${name}.png`), fullPage: true });

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    // A copy of the shipped rules, so the test can change them.
    fs.mkdirSync(alerts);
    for (const f of shipped) fs.copyFileSync(path.join(REPO_ROOT, 'alerts', f), path.join(alerts, f));
    simulated = shipped.reduce((n, f) => n + (fs.readFileSync(path.join(alerts, f), 'utf8').match(/source: simulator/g)?.length ?? 0), 0);
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: path.join(dir, 'data'),
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_ALERTS_DIR: alerts,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  // Keep what the browser showed when a test fails.
  afterEach(() => screenshotOnFailure(page, SHOTS, 'idle-sources-last-'));

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows on the dashboard which SLOs cannot receive data, why, and what to do', async () => {
    expect(simulated).toBeGreaterThan(0);
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: 'Use an API token instead' }).click();
    await page.waitForSelector('input[name="token"]');
    await page.fill('input[name="token"]', ADMIN);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await banner().waitFor();
    expect(await banner().textContent()).toContain(`${simulated} SLOs cannot receive data in this configuration`);
    await banner().getByText(/The simulator is off \(HEADROOM_SIMULATOR=false\).*HEADROOM_SIMULATOR=true/).waitFor();
    expect(await banner().getByRole('link').count()).toBe(Math.min(simulated, 8));
    await shot('01-dashboard');
  });

  it('stays on other pages, and its links open the SLO', async () => {
    await page.goto(`${app.url}/#/incidents`);
    await banner().waitFor();
    await banner().getByRole('link', { name: 'now-playing-ranker.availability' }).click();
    await page.waitForURL(/#\/slos\/now-playing-ranker\.availability\/show/);
    await banner().waitFor();
    await shot('02-slo');
  });

  it('goes away once the rules read the SLOs from a source that is on', async () => {
    for (const f of shipped) {
      if (/source: simulator/.test(fs.readFileSync(path.join(alerts, f), 'utf8'))) fs.rmSync(path.join(alerts, f));
    }
    fs.copyFileSync(path.join(REPO_ROOT, 'alerts/examples/prometheus-servers.yaml'), path.join(alerts, 'prometheus-servers.yaml'));
    const reload = await fetch(`${app.url}/api/rules/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(((await reload.json()) as { problems: unknown[] }).problems).toEqual([]);
    // A fresh load asks for the status again; once it has answered, no banner.
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/rules/status') && r.ok(), { timeout: 30_000 });
    await page.reload();
    await answered;
    await page.getByRole('link', { name: 'now-playing-ranker.availability' }).waitFor({ state: 'detached' });
    expect(await banner().count()).toBe(0);
    await shot('03-gone');
  });
});
