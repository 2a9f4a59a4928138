// Restricted Mode in a real workbench (code-server with workspace trust on): a user opens a
// folder they do not trust, whose settings and config name "binaries" (scripts that leave a
// marker, then run the real ffmpeg or Node). They open the config, see its diagnostics, and try
// Run: the config is checked with Episode Lab's own ffmpeg, Run is refused, and no marker
// appears. Then, as the control that the markers work, they trust the folder from the lens and
// run: all three binaries run, and so does the episode. Screenshots go to $SHOTS (r*.png).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { e2eScript, log, openFile, openWorkbench, palette } from './workbench';

const FOLDER = process.env.FOLDER!;
const SHOTS = path.resolve(process.env.SHOTS ?? 'test-output/e2e');
const markers = () => readdirSync(path.join(FOLDER, 'bin')).filter((f) => f.endsWith('.ran')).sort();

e2eScript(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { browser, page } = await openWorkbench(FOLDER);
  // The first time a folder opens, the workbench asks whether to trust its authors: the user says no.
  await page.getByRole('button', { name: 'No, I don\'t trust the authors' }).click({ timeout: 60_000 });
  await page.getByRole('treeitem', { name: 'restricted.episode.yaml' }).waitFor({ timeout: 60_000 });
  await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 15_000 });
  log('workbench in Restricted Mode');

  // 1. Open the config and wait for its diagnostics: the only one says that its ffmpeg.path is
  // not run (the video itself was probed fine, with Episode Lab's own ffmpeg).
  await openFile(page, 'restricted.episode.yaml');
  await palette(page, 'View: Focus Problems');
  const rows = page.locator('.markers-panel .monaco-list-row');
  await rows.filter({ hasText: 'Restricted Mode: this workspace is not trusted' }).first().waitFor({ timeout: 60_000 });
  const problems = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
  log('Problems:', JSON.stringify(problems));
  // The file's row, then its one diagnostic.
  assert.equal(problems.length, 2, JSON.stringify(problems));
  assert.match(problems[1], /ffmpeg\.path \(bin\/ffmpeg-config\.sh\) is not run; the video was checked with Episode Lab's own ffmpeg/);
  await page.locator('.codelens-decoration', { hasText: 'Restricted Mode: trust this workspace to run' }).waitFor({ timeout: 15_000 });
  await page.screenshot({ path: path.join(SHOTS, 'r1-restricted-problems.png') });

  // 2. Run Episode from the palette: refused, saying why.
  await palette(page, 'Episode Lab: Run Episode');
  const refusal = page.locator('.notifications-toasts .notification-toast', { hasText: 'Run Episode is off in Restricted Mode' });
  await refusal.waitFor({ timeout: 15_000 });
  log('refusal:', JSON.stringify((await refusal.innerText()).replace(/\s+/g, ' ')));
  await page.screenshot({ path: path.join(SHOTS, 'r2-restricted-run-refused.png') });
  // Whatever had been started would have left its marker by now.
  await page.waitForTimeout(3000);
  assert.deepEqual(markers(), [], 'a binary the workspace names ran in Restricted Mode');
  assert.equal(existsSync(path.join(FOLDER, 'episodes')), false, 'a run wrote outputs in Restricted Mode');
  log('no marker after opening, diagnostics and Run');

  // 3. The control: trust the folder from the lens (the Workspace Trust editor's Trust). The
  // server restarts trusted and checks the config with its own ffmpeg.path; Run starts the engine
  // with the settings' Node and ffmpeg.
  await page.locator('.notifications-toasts .notification-toast .codicon-notifications-clear').first().click().catch(() => undefined);
  await page.locator('.codelens-decoration a', { hasText: 'Restricted Mode' }).click();
  await page.getByRole('button', { name: 'Trust', exact: true }).click({ timeout: 15_000 });
  await openFile(page, 'restricted.episode.yaml');
  const run = page.locator('.codelens-decoration a', { hasText: 'Run Episode' });
  await run.waitFor({ timeout: 30_000 });
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'Restricted Mode' }).waitFor({ state: 'detached', timeout: 30_000 });
  await run.click();
  const metrics = path.join(FOLDER, 'episodes', 'restricted', 'manifests', 'track_metrics.json');
  for (const t0 = Date.now(); !existsSync(metrics);) {
    if (Date.now() - t0 > 90_000) throw new Error(`trusted, the run never finished; markers ${JSON.stringify(markers())}`);
    await page.waitForTimeout(250);
  }
  await run.waitFor({ timeout: 30_000 }); // the lens is back from Cancel Run: the run has ended
  log('trusted: markers', JSON.stringify(markers()));
  assert.deepEqual(markers(), ['ffmpeg-config.sh.ran', 'ffmpeg-setting.sh.ran', 'node-setting.sh.ran']);
  await page.screenshot({ path: path.join(SHOTS, 'r3-trusted-control.png') });
  await browser.close();
});
