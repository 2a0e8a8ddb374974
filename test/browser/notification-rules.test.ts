import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshotOnFailure } from '../support/browser';
import { REPO_ROOT, startHeadroomProcess, type HeadroomProcess } from '../support/headroom-process';

/**
 * A person sets up how pages reach them, on their own page in the console: adds an SMS number
 * (a malformed one first, which the server refuses naming the field), then a high-urgency rule
 * "Slack DM at once; SMS after 2 minutes", saves, and finds both saved (through the API and
 * after a reload). Screenshot in test-artifacts/screenshots/notification-rules.png.
 */
const ADMIN = 'browser-notification-rules-admin-token-0123';
const RITA = { email: 'rita@example.com', password: 'rita-responder-password-1' };
const SHOTS = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');

describe('notification rules in Chromium', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-browser-rules-'));
  let app: HeadroomProcess;
  let browser: Browser;
  let page: Page;
  let ritaId: string;

  const api = (p: string, init: RequestInit = {}) => fetch(`${app.url}${p}`, { ...init, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' } });

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startHeadroomProcess({ HEADROOM_DATA_DIR: path.join(dir, 'data'), HEADROOM_ADMIN_TOKEN: ADMIN, HEADROOM_SIMULATOR: 'false' });
    const created = await api('/api/users', { method: 'POST', body: JSON.stringify({ email: RITA.email, name: 'Rita Responder', role: 'responder', password: RITA.password }) });
    expect(created.status).toBe(201);
    ritaId = ((await created.json()) as { id: string }).id;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });

  afterEach(() => screenshotOnFailure(page, SHOTS, 'last-rules-'));

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds an SMS number and a rule "Slack DM at once; SMS after 2 minutes" on the person\'s own page, and they are saved', async () => {
    await page.goto(`${app.url}/#/users`);
    await page.waitForSelector('input[name="email"]');
    await page.fill('input[name="email"]', RITA.email);
    await page.fill('input[name="password"]', RITA.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('tbody tr').filter({ hasText: 'Rita Responder' }).waitFor();
    // The user menu leads to the signed-in person's own page.
    await page.getByRole('button', { name: 'Profile' }).click();
    await page.getByRole('menuitem', { name: 'My notification rules' }).click();
    await page.getByText('rita@example.com').waitFor();
    const methods = page.getByLabel('Contact methods');
    await methods.getByText('None yet').waitFor();

    // The address is checked by the server for its kind: the answer names the field.
    await page.fill('input[name="address"]', '0415 555 0123');
    await page.getByRole('button', { name: 'Add method' }).click();
    await page.getByText('address: must be a phone number in E.164 form').waitFor();

    await page.fill('input[name="address"]', '+14155550123');
    await page.fill('input[name="label"]', 'mobile');
    await page.getByRole('button', { name: 'Add method' }).click();
    await methods.getByText('SMS: +14155550123 (mobile)').waitFor();

    const high = page.getByRole('group', { name: 'High urgency (critical and error pages)' });
    await high.getByRole('button', { name: 'Add a step' }).click();
    await high.getByRole('button', { name: 'Add a step' }).click();
    const steps = high.getByTestId('rule-high');
    await steps.nth(1).getByText('SMS: +14155550123 (mobile)').waitFor();
    await steps.nth(1).getByLabel('After (minutes)').fill('2');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByText('Notification rules saved').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'notification-rules.png'), fullPage: true });

    const saved = (await (await api(`/api/users/${ritaId}/contact-methods`)).json()) as Array<{ id: number; kind: string; address: string; label: string }>;
    expect(saved.map((m) => [m.kind, m.address, m.label])).toEqual([['sms', '+14155550123', 'mobile']]);
    expect(await (await api(`/api/users/${ritaId}/notification-rules`)).json()).toEqual({
      high: [{ method: 'slack', delaySeconds: 0 }, { method: saved[0].id, delaySeconds: 120 }],
      low: [],
    });

    await page.reload();
    const again = page.getByRole('group', { name: 'High urgency (critical and error pages)' }).getByTestId('rule-high');
    await again.nth(1).getByText('SMS: +14155550123 (mobile)').waitFor();
    expect(await again.nth(1).getByLabel('After (minutes)').inputValue()).toBe('2');
    expect(await again.count()).toBe(2);
  });
});
