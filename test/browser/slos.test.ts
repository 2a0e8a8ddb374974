import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshotOnFailure } from '../support/browser';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { REPO_ROOT, startHeadroomProcess, waitFor, type HeadroomProcess } from '../support/headroom-process';

/**
 * The SLO pages in a real browser (Debian's Chromium driven by playwright-core) against the
 * real server running the simulator 60× faster than real time, with the ranker made slow so
 * its latency SLO pages: dashboard, SLO list, the SLO page with its charts, latency and a
 * back-test, and the services list. On the embedded database, and on real PostgreSQL too when
 * DATABASE_URL is set (the history, latency and back-test queries differ by store).
 * Screenshots are kept in test-artifacts/screenshots/slo-* (slo-pg-* for PostgreSQL).
 */
const ADMIN = 'browser-slo-admin-token-0123456789';
const SHOTS = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');
const SLO = 'now-playing-ranker.latency';

interface SloJson {
  id: string;
  state: string;
  history: { burnRates: Array<Record<string, string | number | null>> };
}
interface BacktestJson {
  alerts: Array<{ severity: string }>;
  summary: { pages: number; tickets: number };
}

describe.each(databaseKinds())('SLO pages in Chromium (%s)', (kind) => {
  const prefix = kind === 'postgres' ? 'slo-pg' : 'slo';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-browser-slo-'));
  let db: TestDatabase | undefined;
  let app: HeadroomProcess;
  let browser: Browser;
  let page: Page;

  const api = (p: string, init: RequestInit = {}) =>
    fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' } });
  const getJson = async <T>(p: string): Promise<T> => {
    const res = await api(p);
    if (!res.ok) throw new Error(`GET ${p}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${prefix}-${name}.png`), fullPage: true });
  const points = (slo: SloJson, window: string) => slo.history.burnRates.filter((p) => typeof p[window] === 'number').length;

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    if (kind === 'postgres') db = await openTestDatabase('postgres', { migrate: false });
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'true',
      HEADROOM_TIME_SCALE: '60',
      ...(db ? { DATABASE_URL: db.url } : {}),
    });
    // A line needs two points of the 15-minute history: half an hour of simulated time.
    await waitFor('burn-rate history', async () => points(await getJson<SloJson>(`/api/slos/${SLO}`), '5m') >= 2, 90_000, 1000);
    // Twenty times slower: nearly every request misses 250 ms, the latency SLO pages. Six
    // simulated hours (six real minutes) outlast the suite.
    const fault = await api('/api/simulator/faults', {
      method: 'POST',
      body: JSON.stringify({ service: 'now-playing-ranker', kind: 'latency', value: 20, durationSeconds: 6 * 3600 }),
    });
    expect(fault.status).toBe(201);
    await waitFor('the latency SLO to page', async () => (await getJson<SloJson>(`/api/slos/${SLO}`)).state === 'page', 90_000, 500);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  });

  // Keep what the browser showed when a test fails.
  afterEach(() => screenshotOnFailure(page, SHOTS, `${prefix}-last-`));

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in with an API token to the dashboard, which shows the paging SLO and the lowest budgets', async () => {
    await page.goto(`${app.url}/`);
    await page.getByRole('button', { name: 'Use an API token instead' }).click();
    await page.waitForSelector('input[name="token"]');
    await page.fill('input[name="token"]', ADMIN);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const paging = page.getByRole('region', { name: 'Paging now' });
    await paging.getByRole('link', { name: 'now-playing-ranker latency' }).waitFor();
    const budgets = page.getByRole('region', { name: 'Closest to exhausting their budget' });
    expect(await budgets.getByRole('progressbar', { name: 'Error budget remaining' }).count()).toBeGreaterThan(0);
    await page.getByRole('region', { name: 'Services' }).getByRole('link', { name: 'now-playing-ranker' }).waitFor();
    await shot('01-dashboard');
  });

  it('lists the SLOs with state badges, budget bars and burn rates, and filters by state', async () => {
    await page.goto(`${app.url}/#/slos`);
    const row = page.getByRole('row').filter({ hasText: 'now-playing-ranker' }).filter({ hasText: 'latency ≤ 250 ms' });
    await row.getByText('page', { exact: true }).waitFor();
    // Hovering a state badge says since when (or, for no-data, why).
    await row.getByText('page', { exact: true }).hover();
    await page.getByRole('tooltip').getByText(/^since /).waitFor();
    const total = (await getJson<unknown[]>('/api/slos?range=[0,499]')).length;
    expect(await page.getByRole('progressbar', { name: 'Error budget remaining' }).count()).toBe(total);
    // Under the fault the 5-minute burn rate is far above the page threshold.
    expect(await row.locator('td').filter({ hasText: /^\d+(\.\d+)?×$/ }).count()).toBe(2);
    await shot('02-list');

    const paging = await getJson<Array<{ id: string }>>(`/api/slos?filter=${encodeURIComponent('{"state":"page"}')}`);
    await page.goto(`${app.url}/#/slos?filter=${encodeURIComponent('{"state":"page"}')}`);
    await row.waitFor();
    await waitFor(`${paging.length} paging rows`, async () => (await page.locator('tbody tr').count()) === paging.length, 10_000);
  });

  it('opens now-playing-ranker.latency from the list, with its header and runbook link', async () => {
    await page.goto(`${app.url}/#/slos`);
    await page.getByRole('row').filter({ hasText: 'now-playing-ranker' }).filter({ hasText: 'latency ≤ 250 ms' }).click();
    await page.waitForURL(/#\/slos\/now-playing-ranker\.latency\/show/);
    await page.getByRole('heading', { name: 'now-playing-ranker · latency' }).waitFor();
    await page.getByText('99.9% over 30d').waitFor();
    await page.getByText('latency: requests within 250 ms').waitFor();
    const runbook = page.getByRole('link', { name: 'now-playing-ranker-latency' });
    expect(await runbook.getAttribute('href')).toBe('#/runbooks/now-playing-ranker-latency/show');
  });

  it('draws the burn rate per window with the page thresholds, and the budget burn-down', async () => {
    const chart = page.getByTestId('burn-rate-chart');
    await chart.locator('path.recharts-line-curve').first().waitFor();
    // One line per window in the history, each drawn through at least two points.
    const slo = await getJson<SloJson>(`/api/slos/${SLO}`);
    const windows = Object.keys(slo.history.burnRates[0]).filter((k) => k !== 'at');
    expect(windows.length).toBeGreaterThanOrEqual(4);
    const lines = await chart.locator('path.recharts-line-curve').evaluateAll((paths) => paths.map((p) => p.getAttribute('d') ?? ''));
    expect(lines).toHaveLength(windows.length);
    expect(lines.filter((d) => /^M[\d.,-]+L[\d.,-]+/.test(d)).length).toBe(windows.length);
    await chart.getByText('page 14.4× (1h/5m)').waitFor();
    await chart.getByText('page 6× (6h/30m)').waitFor();
    // The budget has a point a day; this young database has data for the last one only: its dot.
    await page.getByTestId('budget-chart').locator('.recharts-area-dot').first().waitFor({ state: 'attached' });
    await page.getByRole('table', { name: 'Window pairs' }).getByText('firing', { exact: true }).first().waitFor();
    await shot('03-show');
  });

  it('shows the latency quantiles and the histogram for the chosen window', async () => {
    const p50 = page.getByTestId('quantile-p50');
    await p50.getByText(/^\d+(\.\d+)? m?s$/).waitFor();
    await page.getByTestId('quantile-p99.9').getByText('objective', { exact: false }).waitFor();
    const histogram = page.getByTestId('latency-histogram');
    // Under the fault most requests miss the threshold: red bars.
    await histogram.locator('path.recharts-rectangle[name="slower than 250 ms"]').first().waitFor();

    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/api/slos/${SLO}/latency?window=1h`)),
      page.getByRole('button', { name: '1h', exact: true }).click(),
    ]);
    expect(response.status()).toBe(200);
    await page.getByText(/requests in the last 1h/).waitFor();
    expect(await histogram.locator('path.recharts-rectangle').count()).toBeGreaterThan(0);
  });

  it('draws the latency quantiles over time and the bucket heatmap, from the history endpoint', async () => {
    const history = await getJson<{ points: Array<{ at: string; total: number; quantiles: Array<{ q: number; value: number | null }>; buckets: Array<{ le: number | string; count: number }> }> }>(
      `/api/slos/${SLO}/latency/history?span=6h&step=5m&q=0.5,0.99`,
    );
    expect(history.points).toHaveLength(72);
    const last = history.points.filter((p) => p.total > 0).at(-1)!;
    // Per-bucket counts add up to the step's total, and the quantiles come from them.
    expect(last.buckets.reduce((n, b) => n + b.count, 0)).toBe(last.total);
    expect(last.quantiles[1].value).toBeGreaterThan(0.25);
    await page.getByRole('img', { name: 'Latency quantiles over time' }).locator('path.recharts-line-curve').first().waitFor();
    expect(await page.getByRole('img', { name: 'Latency heatmap' }).locator('rect').count()).toBeGreaterThan(72);
    await shot('05b-latency-history');
  });

  it('runs a back-test with the default range and shows its summary, alerts and breaches', async () => {
    const run = page.getByRole('button', { name: 'Run back-test' });
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/slos/${SLO}/backtest`) && r.request().method() === 'POST'),
      run.click(),
    ]);
    expect(response.status()).toBe(200);
    const result = (await response.json()) as BacktestJson;
    // The fault pages in the replay as it did live.
    expect(result.summary.pages).toBeGreaterThanOrEqual(1);
    const summary = page.getByRole('group', { name: 'Back-test summary' });
    await summary.getByText(String(result.summary.pages), { exact: true }).first().waitFor();
    const alerts = page.getByRole('table', { name: 'Back-test alerts' });
    expect(await alerts.locator('tbody tr').count()).toBe(result.alerts.length);
    await alerts.getByText('page', { exact: true }).first().waitFor();
    await shot('04-backtest');

    // Pages off: the request says so and the replay finds none.
    await page.getByLabel('Pages', { exact: true }).uncheck();
    const [again] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/slos/${SLO}/backtest`) && r.request().method() === 'POST'),
      run.click(),
    ]);
    expect((again.request().postDataJSON() as { alerting: { page: boolean } }).alerting.page).toBe(false);
    expect(((await again.json()) as BacktestJson).summary.pages).toBe(0);
    await page.getByLabel('Tickets', { exact: true }).uncheck();
    expect(await run.isDisabled()).toBe(true);
  });

  it('shows no latency panel for an events SLO', async () => {
    await page.goto(`${app.url}/#/slos/now-playing-ranker.availability/show`);
    await page.getByRole('heading', { name: 'now-playing-ranker · availability' }).waitFor();
    await page.getByTestId('burn-rate-chart').locator('path.recharts-line-curve').first().waitFor();
    expect(await page.getByRole('region', { name: 'Latency' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Run back-test' }).count()).toBe(1);
  });

  it('lists services and opens the SLOs of one', async () => {
    await page.goto(`${app.url}/#/services`);
    const services = await getJson<Array<{ id: string }>>('/api/services');
    await page.getByRole('row').filter({ hasText: 'now-playing-ranker' }).getByText('page', { exact: true }).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(services.length);
    await shot('05-services');
    await page.getByRole('row').filter({ hasText: 'now-playing-ranker' }).click();
    await page.waitForURL(/#\/slos\?filter=/);
    await page.getByRole('row').filter({ hasText: 'latency ≤ 250 ms' }).waitFor();
    const rows = page.locator('tbody tr');
    await waitFor('the filtered list', async () => (await rows.count()) === 2 && (await rows.filter({ hasText: 'now-playing-ranker' }).count()) === 2, 10_000);
  });
});
