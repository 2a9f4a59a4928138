// Runs the in-host suite (test/extension, built to out/test/extension) inside code-server's
// extension host: the workbench URL's payload names the development extension and the tests,
// and the workbench reports the suite's outcome through codeAutomationExit.
import * as path from 'node:path';
import { chromium } from 'playwright-core';

const PORT = process.env.PORT ?? '18080';
const ROOT = path.resolve(__dirname, '../..');
const TESTS = path.join(ROOT, 'out', 'test', 'extension', 'index.js');

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = await browser.newPage();
  const exit = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)));
  page.on('console', (m) => {
    const t = m.text();
    if (/IN-HOST|✔|✓|passing|failing|pending|Error|\d+\) /.test(t)) console.log('[ext host]', t.slice(0, 800));
  });
  const remote = (p: string) => `vscode-remote://127.0.0.1:${PORT}${p}`;
  const payload = JSON.stringify([['extensionDevelopmentPath', remote(ROOT)], ['extensionTestsPath', remote(TESTS)], ['skipWelcome', 'true']]);
  await page.goto(`http://127.0.0.1:${PORT}/?folder=${encodeURIComponent(process.env.FOLDER!)}&payload=${encodeURIComponent(payload)}`);
  const code = await Promise.race([exit, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('in-host tests timed out')), 240_000))]);
  console.log('in-host tests exit code:', code);
  await browser.close();
  process.exit(code);
})().catch((e) => {
  console.error('FAIL', e);
  process.exit(1);
});
