// What the editor e2e scripts share: the browser, the workbench page and the user's gestures on
// it (the command palette, opening a file from the Explorer), and a log with elapsed seconds.
import { chromium, type Browser, type Page } from 'playwright-core';

const t0 = Date.now();
export const log = (...a: unknown[]) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

/** Headless chromium on the workbench of `folder` served at 127.0.0.1:PORT. */
export async function openWorkbench(folder: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  page.on('console', (m) => m.type() === 'error' && /episode|timeline/i.test(m.text()) && log('[browser]', m.text().slice(0, 300)));
  await page.goto(`http://127.0.0.1:${process.env.PORT ?? '18080'}/?folder=${encodeURIComponent(folder)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  return { browser, page };
}

export async function palette(page: Page, command: string): Promise<void> {
  // Commands register a few seconds after the workbench shows: retry.
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${command}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first();
    try {
      await row.waitFor({ timeout: 4000 });
      await page.keyboard.press('Enter');
      return;
    } catch {
      await page.keyboard.press('Escape');
      log(`"${command}" not in the palette yet, retrying`);
      await page.waitForTimeout(1500);
    }
  }
  throw new Error(`command never appeared in the palette: ${command}`);
}

export async function openFile(page: Page, name: string): Promise<void> {
  await page.getByRole('treeitem', { name }).first().click();
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor();
}

/** Runs an e2e script: PASS, or FAIL with the error and exit code 1. */
export function e2eScript(script: () => Promise<void>): void {
  script().then(() => log('PASS'), (e) => {
    console.error('FAIL', e);
    process.exit(1);
  });
}
