// The Identities view in a real VS Code workbench (code-server), as a user goes: Run Episode on
// the generated six-person episode, open the Identities view (a face, a lane and a screen-time bar
// per person), name one person, run again: the cast now names them. Screenshots go to $SHOTS.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { e2eScript, log, openFile, openWorkbench, palette } from './workbench';

const FOLDER = process.env.FOLDER!;
const SHOTS = path.resolve(process.env.SHOTS ?? 'test-output/e2e');

type Stats = { identities: number; bars: number; lanes: number; tracks: number; names: string[]; thumbnails: number };

async function identitiesFrame(page: Page, timeoutMs = 30_000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) if (await f.locator('#lanes').count().catch(() => 0)) return f;
    if (Date.now() > end) {
      await page.screenshot({ path: path.join(SHOTS, 'identities-missing.png') });
      throw new Error('no Identities page (screenshot identities-missing.png)');
    }
    await page.waitForTimeout(250);
  }
}

const stats = (f: Frame) => f.evaluate(() => (globalThis as unknown as { episodeIdentities: { stats(): Stats } }).episodeIdentities.stats());

function finishedRuns(): number {
  try {
    const { runs } = JSON.parse(readFileSync(path.join(FOLDER, 'episodes', 'cast', 'runs.json'), 'utf8')) as { runs: { state: string }[] };
    return runs.filter((r) => r.state === 'completed').length;
  } catch {
    return 0;
  }
}

async function runEpisode(page: Page, count: number): Promise<void> {
  await palette(page, 'Episode Lab: Run Episode');
  for (const t = Date.now(); finishedRuns() < count;) {
    if (Date.now() - t > 300_000) throw new Error(`cast: ${finishedRuns()} of ${count} runs completed`);
    await page.waitForTimeout(500);
  }
}

e2eScript(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { browser, page } = await openWorkbench(FOLDER);
  await page.getByRole('treeitem', { name: 'with-cast.episode.yaml' }).waitFor({ timeout: 60_000 });
  await openFile(page, 'with-cast.episode.yaml');
  await runEpisode(page, 1);
  log('first run completed');
  await page.waitForTimeout(1000);
  await page.screenshot({ path: path.join(SHOTS, 'identities-1-timeline.png') });

  await openFile(page, 'with-cast.episode.yaml');
  await palette(page, 'Episode Lab: Open Identities View');
  await page.locator('.tabs-container .tab', { hasText: 'Identities: cast' }).waitFor({ timeout: 15_000 });
  const view = await identitiesFrame(page);
  await view.locator('.person').first().waitFor({ timeout: 15_000 });
  await page.waitForTimeout(500);
  const first = await stats(view);
  log('Identities view:', JSON.stringify(first));
  assert.equal(first.identities, 6);
  assert.equal(first.bars, 6);
  assert.equal(first.lanes, 6);
  assert.equal(first.thumbnails, 6, 'a face per person');
  assert.ok(first.names.every((n) => /^unknown-\d+$/.test(n)), first.names.join(','));
  await page.screenshot({ path: path.join(SHOTS, 'identities-2-view.png') });

  // Name the first person: their best crops go into cast/Ana/.
  const person = view.locator('#identity-1');
  await person.locator('.name-input').fill('Ana');
  await person.locator('button.name').click();
  const notice = await identitiesNotice(page);
  log('notice:', notice);
  assert.match(notice, /Saved \d crops of identity 1 as "Ana"/);
  const saved = readdirSync(path.join(FOLDER, 'cast', 'Ana'));
  assert.ok(saved.length >= 2, `cast/Ana holds ${saved.length} photos`);
  await page.screenshot({ path: path.join(SHOTS, 'identities-3-named.png') });

  // Run again: the cast names the person.
  await openFile(page, 'with-cast.episode.yaml');
  await runEpisode(page, 2);
  log('second run completed');
  await palette(page, 'Episode Lab: Open Identities View');
  const after = await identitiesFrame(page);
  for (const t = Date.now(); !(await stats(after)).names.includes('Ana');) {
    if (Date.now() - t > 20_000) throw new Error(`Ana not named: ${(await stats(after)).names.join(',')}`);
    await page.waitForTimeout(250);
  }
  const second = await stats(after);
  log('after the second run:', JSON.stringify(second));
  assert.equal(second.names.filter((n) => n === 'Ana').length, 1);
  assert.equal(second.names.filter((n) => /^unknown-\d+$/.test(n)).length, 5);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, 'identities-4-named-by-cast.png') });
  await browser.close();
});

/** The notice line of the Identities page, once an edit has answered. */
async function identitiesNotice(page: Page): Promise<string> {
  const end = Date.now() + 15_000;
  for (;;) {
    for (const f of page.frames()) {
      if (!(await f.locator('#notice').count().catch(() => 0))) continue;
      const text = await f.locator('#notice').innerText().catch(() => '');
      if (text) return text;
    }
    if (Date.now() > end) return '';
    await page.waitForTimeout(250);
  }
}
