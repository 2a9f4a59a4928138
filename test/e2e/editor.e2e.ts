// Drives a real VS Code workbench (code-server) in headless chromium as a user would: broken
// config → Problems; Run Season on three generated episodes → the Season view's rows reach
// completed, a click opens an episode's timeline; Run Episode from the palette → progress notification → timeline beside the
// config with the run's tracks and three cut lines; then the iteration loop: edit
// tracker.match_thresh, run again, the Episode Runs view lists both runs (the second on cached
// detections), Compare on the two runs shows the metrics table and both timelines; a 2-key sweep
// (stride × scene.cooldown) on a generated episode with ground truth shows HOTA against speed with
// the Pareto front and the best point, and Apply writes that point into the config.
// Screenshots go to $SHOTS.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { e2eScript, log, openFile, openWorkbench, palette } from './workbench';
import { GHOST_GT_ID, SWEEP_CONFIG } from './workspace';
import { applyEdits, applyValuesEdits } from '../../server/config/apply-values';
import type { SweepStats } from '../../webview/runs-protocol';

const FOLDER = process.env.FOLDER!;
const SHOTS = path.resolve(process.env.SHOTS ?? 'test-output/e2e');
const CLIP_MISSING = process.env.CLIP_MISSING;

/** The frame of the webview page (any panel's) that shows `selector`. */
async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) if (await f.locator(selector).count().catch(() => 0)) return f;
    if (Date.now() > end) {
      await page.screenshot({ path: path.join(SHOTS, 'no-webview.png') });
      throw new Error(`no webview shows ${selector} (screenshot no-webview.png)`);
    }
    await page.waitForTimeout(250);
  }
}

async function waitForRuns(epId: string, count: number, timeoutMs = 90_000): Promise<void> {
  for (const t = Date.now(); runsIndex(epId).length < count;) {
    if (Date.now() - t > timeoutMs) throw new Error(`${epId}: ${runsIndex(epId).length} of ${count} runs recorded`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The finished runs of an episode of the workspace, oldest first (runs.json lists a run from its start). */
const runsIndex = (epId: string): { run_id: string }[] => {
  try {
    const { runs } = JSON.parse(readFileSync(path.join(FOLDER, 'episodes', epId, 'runs.json'), 'utf8')) as { runs: { run_id: string; state: string }[] };
    return runs.filter((r) => r.state !== 'running');
  } catch {
    return [];
  }
};

/**
 * Errors where they happen: run the config with a ground truth; its timeline shows the
 * ground-truth lanes and the error strip; a click on an FN marker opens the frame view, with the
 * frame decoded and both the run's and the ground truth's boxes drawn. Needs no footage.
 */
async function groundTruthErrors(page: Page): Promise<void> {
  await openFile(page, 'with-gt.episode.yaml');
  await palette(page, 'Episode Lab: Run Episode');
  const timeline = await webviewFrame(page, '#canvas', 30_000);
  await timeline.locator('#state', { hasText: 'completed' }).waitFor({ timeout: 120_000 });
  type GtStats = { lanes: number; markers: Record<string, number>; stripY: Record<string, number> };
  type Stats = { bars: number; gt?: GtStats };
  // The snapshot read from disk after the run carries the ground truth; wait until it is drawn.
  await timeline.waitForFunction(() => !!(globalThis as unknown as { episodeTimeline: { stats(): Stats } }).episodeTimeline.stats()?.gt, undefined, { timeout: 30_000 });
  const stats = await timeline.evaluate(() => (globalThis as unknown as { episodeTimeline: { stats(): Stats } }).episodeTimeline.stats());
  log('scored timeline:', await timeline.locator('#counts').innerText(), JSON.stringify(stats.gt));
  assert.ok(stats.gt && stats.gt.lanes >= 2, 'a lane per ground-truth id (the generated people and the ghost)');
  assert.ok(stats.gt.markers.fn >= 8, `the ghost's misses are FN markers (${stats.gt.markers.fn})`);
  await page.mouse.move(800, 600);
  await page.screenshot({ path: path.join(SHOTS, '1e-ground-truth-timeline.png') });

  // The ghost's first miss, from the run's eval_frames.jsonl; its marker clicked.
  const evalFrames = readFileSync(path.join(FOLDER, 'episodes', 'scored', 'manifests', 'eval_frames.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { frame_idx: number; fn: number[] });
  const missed = evalFrames.find((r) => r.fn.includes(GHOST_GT_ID))!.frame_idx;
  const view = await timeline.evaluate(() => (globalThis as unknown as { episodeTimeline: { view(): { start: number; pxPerFrame: number } } }).episodeTimeline.view());
  await timeline.locator('#canvas').click({ position: { x: (missed + 0.5 - view.start) * view.pxPerFrame, y: stats.gt.stripY.fn } });
  await page.locator('.tabs-container .tab', { hasText: 'Frame: scored' }).waitFor({ timeout: 15_000 });
  const frame = await webviewFrame(page, '#boxes li', 30_000);
  type FrameStats = { frame: number; image: boolean; drawn: { gt: number; track: number; error: number }; labels: string[] };
  await frame.waitForFunction(() => (globalThis as unknown as { episodeFrame: { stats(): FrameStats | undefined } }).episodeFrame.stats()?.image, undefined, { timeout: 30_000 });
  const shot = await frame.evaluate(() => (globalThis as unknown as { episodeFrame: { stats(): FrameStats } }).episodeFrame.stats());
  log('frame view:', JSON.stringify(shot), await frame.locator('#errors').innerText());
  assert.equal(shot.frame, missed);
  assert.ok(shot.drawn.gt >= 2 && shot.drawn.track >= 1, `both kinds of box: ${JSON.stringify(shot.drawn)}`);
  assert.ok(shot.labels.includes(`GT ${GHOST_GT_ID} FN`), `the missed ground truth is highlighted: ${shot.labels.join(', ')}`);
  assert.ok(shot.labels.some((l) => /^#\d+/.test(l)), 'a track labelled by its id');
  await page.mouse.move(800, 600);
  await page.screenshot({ path: path.join(SHOTS, '1f-frame-view.png') });
  const stills = path.join(FOLDER, 'episodes', 'scored', 'stills');
  assert.ok(existsSync(stills), 'the decoded frame is cached under the episode folder');
  await palette(page, 'View: Close All Editors');
}

e2eScript(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const { browser, page } = await openWorkbench(FOLDER);
  await page.getByRole('treeitem', { name: 'tos.episode.yaml' }).waitFor({ timeout: 60_000 });
  log('workbench and explorer ready');

  // 1. A broken config: the language server's diagnostic shows in Problems.
  await openFile(page, 'broken.episode.yaml');
  await palette(page, 'View: Focus Problems');
  const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'stride' }).first();
  await problem.waitFor({ timeout: 30_000 });
  log('Problems:', JSON.stringify(await page.locator('.markers-panel .monaco-list-row').allInnerTexts()));
  await page.screenshot({ path: path.join(SHOTS, '1-problems.png') });
  await palette(page, 'View: Hide Panel');

  // 1b. Run Season on the season of three generated episodes: the Season view fills with three
  // rows that reach completed; a click on one opens that episode's timeline.
  await openFile(page, 's01.season.yaml');
  await page.locator('.codelens-decoration', { hasText: 'Run Season' }).waitFor({ timeout: 30_000 });
  await palette(page, 'Episode Lab: Run Season');
  const season = await webviewFrame(page, '#episodes tbody tr', 60_000);
  await page.locator('.tabs-container .tab', { hasText: 'Season: s01' }).waitFor();
  type SeasonStats = { rows: { ep_id: string; status: string; progress: string }[] };
  const seasonStats = () => season.evaluate(() => (globalThis as unknown as { episodeSeason: { stats(): SeasonStats } }).episodeSeason.stats());
  await season.locator('#episodes tbody tr.status-running').first().waitFor({ timeout: 60_000 }).catch(() => undefined);
  await page.screenshot({ path: path.join(SHOTS, '1b-season-running.png') });
  log('Season view while running:', JSON.stringify((await seasonStats()).rows));
  await season.locator('#episodes tbody tr.status-completed').nth(2).waitFor({ timeout: 180_000 });
  const seasonRows = (await seasonStats()).rows;
  log('Season view:', JSON.stringify(seasonRows));
  assert.deepEqual(seasonRows.map((r) => [r.ep_id, r.status]), [['s01e01', 'completed'], ['s01e02', 'completed'], ['s01e03', 'completed']]);
  await page.mouse.move(800, 600);
  await page.screenshot({ path: path.join(SHOTS, '1c-season-completed.png') });
  await season.locator('#episodes tbody tr', { hasText: 's01e02' }).click();
  await page.locator('.tabs-container .tab', { hasText: 'Timeline: s01e02' }).waitFor({ timeout: 15_000 });
  // The timeline page is the one with a canvas (the Season page has none).
  const episodeTimeline = await webviewFrame(page, '#canvas', 30_000);
  await episodeTimeline.locator('#state', { hasText: 'completed' }).waitFor({ timeout: 30_000 });
  assert.equal(await episodeTimeline.locator('#ep').innerText(), 's01e02');
  log('timeline of s01e02:', await episodeTimeline.locator('#counts').innerText());
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(SHOTS, '1d-season-episode-timeline.png') });
  // The steps below find the one webview on screen.
  await palette(page, 'View: Close All Editors');

  await groundTruthErrors(page);

  if (CLIP_MISSING) {
    log(`skipping the run: ${CLIP_MISSING}`);
    await browser.close();
    return;
  }

  // 2. Run Episode from the palette on the Tears of Steel config; the progress notification shows.
  await openFile(page, 'tos.episode.yaml');
  await palette(page, 'Episode Lab: Run Episode');
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'Episode tos' });
  await toast.waitFor({ timeout: 15_000 });
  // The run is short; catch the notification with its percentage and ETA if we can.
  await toast.filter({ hasText: /detecting|writing/ }).waitFor({ timeout: 8000 }).catch(() => undefined);
  log('progress notification:', JSON.stringify((await toast.innerText()).replace(/\s+/g, ' ')));
  await page.screenshot({ path: path.join(SHOTS, '2-progress.png') });

  // 3. The timeline beside the config fills in and ends with the run's tracks and cuts.
  const timeline = page.frameLocator('iframe.webview').frameLocator('#active-frame');
  await timeline.locator('#state', { hasText: 'completed' }).waitFor({ timeout: 90_000 });
  await page.waitForTimeout(500);
  const stats = await timeline.locator('#canvas').evaluate(() => (globalThis as unknown as { episodeTimeline: { stats(): { bars: number; rows: number; cuts: { frame: number }[] } } }).episodeTimeline.stats());
  log('timeline:', await timeline.locator('#counts').innerText(), JSON.stringify(stats.cuts));
  assert.deepEqual(stats.cuts.map((c) => c.frame), [21, 65, 185]);
  assert.ok(stats.bars >= 3, `${stats.bars} track bars drawn`);
  const groups = await page.locator('.editor-group-container').count();
  assert.ok(groups >= 2, 'config and timeline are in two editor groups, side by side');
  await page.locator('.tabs-container .tab', { hasText: 'Timeline: tos' }).waitFor();
  // The lens above the config turns back from Cancel Run to Run Episode.
  await page.locator('.codelens-decoration', { hasText: 'Run Episode' }).waitFor({ timeout: 10_000 });
  await page.mouse.move(800, 600);
  await page.screenshot({ path: path.join(SHOTS, '3-timeline-beside-config.png') });
  const metrics = JSON.parse(readFileSync(path.join(FOLDER, 'episodes', 'tos', 'manifests', 'track_metrics.json'), 'utf8'));
  log('engine used:', JSON.stringify({ ffmpeg: metrics.ffmpeg, detector: metrics.detector }));

  // 4. The iteration loop on the tuning config (no crops to export, so its analysis can be
  // replayed): run it, change tracker.match_thresh in the editor, run again.
  await openFile(page, 'tos-tune.episode.yaml');
  await palette(page, 'Episode Lab: Run Episode');
  await waitForRuns('tos-tune', 1);
  await page.locator('.codelens-decoration', { hasText: 'Run Episode' }).waitFor({ timeout: 30_000 });
  log('tos-tune: first run recorded');
  // The YAML indentation rule indents the line after `tracker:`; Escape closes the completion
  // list so that Enter makes a new line.
  const configPath = path.join(FOLDER, 'tos-tune.episode.yaml');
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type('tracker:');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await page.keyboard.type('match_thresh: 0.7');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+S');
  const t0Save = Date.now();
  let edited = '';
  while (!/\ntracker:\n +match_thresh: 0\.7\n?$/.test((edited = readFileSync(configPath, 'utf8')))) {
    if (Date.now() - t0Save > 10_000) throw new Error(`the saved config:\n${edited}`);
    await page.waitForTimeout(100);
  }
  await page.screenshot({ path: path.join(SHOTS, '4-edited.png') });
  log('config edited: tracker.match_thresh 0.7');
  await palette(page, 'Episode Lab: Run Episode');
  await waitForRuns('tos-tune', 2);
  await page.locator('.codelens-decoration', { hasText: 'Run Episode' }).waitFor({ timeout: 30_000 });
  log('tos-tune: second run recorded');

  // 5. The Episode Runs view in the Explorer: two runs of tos-tune, newest first, the newest on
  // cached detections. Rows are flat in the DOM: a config's runs follow its row, one level down.
  const header = page.locator('.pane-header', { hasText: 'Episode Runs' });
  await header.waitFor({ timeout: 15_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const pane = page.locator('.pane', { has: header });
  const tuneRuns = async () => {
    const rows = await pane.locator('.monaco-list-row').all();
    const levels = await Promise.all(rows.map((r) => r.getAttribute('aria-level')));
    const texts = await Promise.all(rows.map(async (r) => (await r.innerText()).replace(/\s+/g, ' ')));
    const at = texts.findIndex((t, i) => levels[i] === '1' && t.startsWith('tos-tune.episode.yaml'));
    const end = levels.findIndex((l, i) => i > at && l === '1');
    return { rows: rows.slice(at + 1, end < 0 ? undefined : end), texts: texts.slice(at + 1, end < 0 ? undefined : end), all: texts, at };
  };
  let listed = await tuneRuns();
  for (const t2 = Date.now(); listed.at < 0 || listed.rows.length !== 2; listed = await tuneRuns()) {
    if (Date.now() - t2 > 15_000) throw new Error(`the Runs view: ${JSON.stringify(listed.all)}`);
    await page.waitForTimeout(250);
  }
  log('Runs view, tos-tune:', JSON.stringify(listed.texts));
  assert.ok(listed.texts.every((t) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(t)), 'labelled by start time');
  assert.match(listed.texts[0], /cached detections/, 'the second run replayed the first one\'s detections');
  assert.doesNotMatch(listed.texts[1], /cached detections/);
  await page.screenshot({ path: path.join(SHOTS, '5-runs-view.png') });

  // 6. Select both runs and Compare them from the context menu: both timelines and the metrics.
  const [newer, older] = listed.rows;
  await newer.click();
  await older.click({ modifiers: ['Control'] });
  await older.click({ button: 'right' });
  // The workbench's menu acts on the item the pointer is over; a synthetic click right after it
  // opens is ignored, so point at the item and press Enter.
  const item = page.locator('.context-view .action-item', { hasText: 'Compare Runs' }).first();
  await item.hover();
  await page.keyboard.press('Enter');
  const compare = await webviewFrame(page, '#metrics tr[data-metric]');
  await page.locator('.tabs-container .tab', { hasText: 'Compare: tos-tune' }).waitFor();
  const metricRows = await Promise.all((await compare.locator('#metrics tr[data-metric]').all()).map((r) => r.getAttribute('data-metric')));
  log('Compare metrics:', JSON.stringify(metricRows));
  assert.ok(metricRows.includes('tracks') && metricRows.includes('id_switches'), JSON.stringify(metricRows));
  assert.match(await compare.locator('#config-diff').innerText(), /match_thresh/);
  // The page's test hook: what each of the two timelines drew (once both have drawn).
  type CompareStats = { mode: string; compare: { runs: { runId: string; bars: number }[] } };
  const statsOf = () => (globalThis as unknown as { episodeRuns: { stats(): CompareStats } }).episodeRuns.stats();
  // A function, not a string: a string predicate is polled through eval, which the webview's CSP forbids.
  await compare.waitForFunction(() => (globalThis as unknown as { episodeRuns: { stats(): CompareStats } }).episodeRuns.stats()
    .compare.runs.filter((r) => r.bars > 0).length === 2, undefined, { timeout: 15_000 })
    .catch(() => undefined);
  const compareStats = await compare.evaluate(statsOf);
  log('Compare page:', JSON.stringify({ mode: compareStats.mode, runs: compareStats.compare.runs.map((r) => ({ runId: r.runId, bars: r.bars })) }));
  assert.equal(compareStats.mode, 'compare');
  const recorded = runsIndex('tos-tune').map((r) => r.run_id);
  assert.deepEqual(compareStats.compare.runs.map((r) => r.runId), recorded, 'the two runs, older as A');
  assert.ok(compareStats.compare.runs.every((r) => r.bars > 0), 'both timelines drew their tracks');
  await page.screenshot({ path: path.join(SHOTS, '6-compare.png') });

  // 7. Tuning against ground truth: Run Episode on a config with a 2-key sweep (stride ×
  // scene.cooldown) runs its four points; the Sweep page plots HOTA against speed with the
  // Pareto front and the best point marked; Apply writes the best point's values into the
  // config, keeping its comments (the saved file is exactly the expected edit).
  await openFile(page, 'with-sweep.episode.yaml');
  await page.locator('.codelens-decoration', { hasText: 'Run Sweep' }).waitFor({ timeout: 30_000 });
  await palette(page, 'Episode Lab: Run Episode');
  await waitForRuns('gen-sweep', 4, 600_000);
  const sweepPage = await webviewFrame(page, '#sweep-plot circle.best-ring', 60_000);
  await page.locator('.tabs-container .tab', { hasText: 'Sweep: gen-sweep' }).waitFor();
  const sweepStats = () => sweepPage.evaluate(() => (globalThis as unknown as { episodeRuns: { stats(): { sweep: SweepStats } } }).episodeRuns.stats().sweep);
  await sweepPage.waitForFunction(() => (globalThis as unknown as { episodeRuns: { stats(): { sweep: SweepStats } } }).episodeRuns.stats().sweep.rows === 4,
    undefined, { timeout: 15_000 }).catch(() => undefined);
  const shown = await sweepStats();
  log('Sweep page:', JSON.stringify({ axes: shown.axes, objective: shown.objective, front: shown.front, best: shown.best }));
  assert.equal(shown.rows, 4);
  assert.deepEqual(shown.axes, { x: 'speed', y: 'HOTA' });
  assert.equal(shown.objective, 'HOTA');
  assert.ok(shown.front.length >= 1 && shown.best && shown.front.includes(shown.best), 'the best on HOTA is on the HOTA–speed front');
  assert.equal(await sweepPage.locator('#sweep-plot circle.point.front').count(), shown.front.length);
  assert.deepEqual(await sweepPage.locator('#sweep-table thead th').allInnerTexts().then((h) => h.slice(0, 3)), ['stride', 'cooldown', 'Speed']);
  await page.screenshot({ path: path.join(SHOTS, '7-sweep-hota-front.png') });
  const bestRun = (JSON.parse(readFileSync(path.join(FOLDER, 'episodes', 'gen-sweep', 'runs.json'), 'utf8')) as { runs: { run_id: string; sweep?: { values: Record<string, number> } }[] })
    .runs.find((r) => r.run_id === shown.best)!;
  const expected = applyEdits(SWEEP_CONFIG, applyValuesEdits(SWEEP_CONFIG, bestRun.sweep!.values));
  await sweepPage.locator('#apply-best').click();
  await sweepPage.locator('#apply-status', { hasText: 'Applied' }).waitFor({ timeout: 15_000 });
  log('Apply:', await sweepPage.locator('#apply-status').innerText());
  await palette(page, 'View: Focus First Editor Group');
  await page.screenshot({ path: path.join(SHOTS, '8-applied-config.png') });
  await palette(page, 'File: Save');
  const sweepConfig = path.join(FOLDER, 'with-sweep.episode.yaml');
  for (const t = Date.now(); readFileSync(sweepConfig, 'utf8') !== expected;) {
    if (Date.now() - t > 10_000) throw new Error(`the applied config:\n${readFileSync(sweepConfig, 'utf8')}\nexpected:\n${expected}`);
    await page.waitForTimeout(100);
  }
  assert.notEqual(expected, SWEEP_CONFIG, 'Apply changed the config text');
  log('config after Apply:', JSON.stringify(bestRun.sweep!.values));

  await browser.close();
});
