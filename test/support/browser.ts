import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with the flags it needs as root and without calling home. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Keeps what the browser showed when a test fails (call it from afterEach). */
export async function screenshotOnFailure(page: Page | undefined, dir: string, prefix: string): Promise<void> {
  const state = expect.getState();
  if (page && state.currentTestName) await page.screenshot({ path: path.join(dir, `${prefix}${state.currentTestName.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
}
