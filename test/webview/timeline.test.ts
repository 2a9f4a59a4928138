// The built timeline page in headless Debian chromium: a real tracks.jsonl and real run events
// in, lanes, cut lines, hover text, crops and live append out. Screenshots go to test-output/.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { readCrops, readRunSnapshot, scoreCurve } from '../../extension/manifests';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import type { RunStreamEvent } from '../../server/lsp/protocol';
import type { RunSnapshot } from '../../webview/protocol';
import { parseTracksJsonl } from '../../webview/tracks';
import { runCli } from '../helpers/run-cli';
import { sharedClip } from '../helpers/shared-data';
import { seededRandom } from '../helpers/seeded-random';
import { chromiumMissing, launch, OUT, openTimeline, type TimelinePage, waitUntil } from './page';
import { summary } from './run-fixtures';

const skip = chromiumMissing() ?? false;
const clip = sharedClip('clip_01_tears_of_steel.mp4');
const FIXTURES = path.join(__dirname, 'fixtures');
const TOS_CUTS = [21, 65, 185];
/** rowTop(0) in render.ts: AXIS_H + 6. */
const ROW0_Y = 34 + 6;

let browser: Browser;

/** Our committed output of a Tears of Steel run: tracks.jsonl and scene_cuts.json. */
function fixtureSnapshot(): RunSnapshot {
  const cuts = JSON.parse(readFileSync(path.join(FIXTURES, 'tos-scene_cuts.json'), 'utf8'));
  return {
    epId: 'tos', state: 'completed', tracks: parseTracksJsonl(readFileSync(path.join(FIXTURES, 'tos-tracks.jsonl'), 'utf8')),
    cuts: cuts.cuts, suppressed: cuts.suppressed, fps: cuts.fps, framesTotal: 240,
    attribution: 'Tears of Steel (c) Blender Foundation, CC-BY 3.0 (mango.blender.org)',
  };
}

before(async () => {
  if (!skip) browser = await launch();
});

after(() => browser?.close());

/** CSS x of a frame in the current view. */
async function xOfFrame(p: TimelinePage, frame: number): Promise<number> {
  const v = await p.view();
  return (frame - v.start) * v.pxPerFrame;
}

test('draws a real run: lanes, the three cut lines, hover text, detail on click', { skip }, async () => {
  const p = await openTimeline(browser);
  await p.send({ type: 'snapshot', run: fixtureSnapshot() });
  const stats = await p.stats();
  assert.equal(stats.rows, 1, 'the three Tears of Steel tracks do not overlap: one row');
  assert.equal(stats.bars, 3);
  assert.deepEqual(stats.cuts.map((c) => c.frame), TOS_CUTS);
  assert.ok(stats.cuts.every((c) => !c.suppressed));
  assert.match(await p.page.locator('#counts').innerText(), /3 tracks in 1 row · 3 cuts · 240 frames/);

  // The pixels say it too: the cut colour on each cut line, the bar colour inside track 2.
  for (const c of stats.cuts) {
    const [r, g, b] = await p.pixel(c.x, 200);
    assert.ok(r > 180 && g < 120 && b < 120, `cut line at frame ${c.frame} (x=${c.x}) is red: ${[r, g, b]}`);
  }
  const x2 = await xOfFrame(p, 120);
  const [r, g, b] = await p.pixel(x2, ROW0_Y + 6);
  assert.ok(b > 150 && r < 120, `track 2's bar is drawn at frame 120: ${[r, g, b]}`);

  const box = (await p.page.locator('#canvas').boundingBox())!;
  await p.page.mouse.move(box.x + x2, box.y + ROW0_Y + 6);
  const tip = p.page.locator('#tooltip');
  await tip.waitFor({ state: 'visible' });
  const text = await tip.innerText();
  assert.match(text, /Track 2/);
  assert.match(text, /frames 65–180 \(116 frames, 22 detections\)/);
  assert.match(text, /00:00:02:17 – 00:00:07:12 · 4\.83 s/);
  assert.match(text, /mean conf 0\.992/);
  await p.screenshot('timeline-tos-hover.png');

  await p.page.mouse.click(box.x + x2, box.y + ROW0_Y + 6);
  await waitUntil(p.page, 'window.__posted.some((m) => m.type === "selectTrack" && m.trackId === 2)');
  assert.match(await p.page.locator('#detail-title').innerText(), /^Track 2 · frames 65–180/);
  assert.match(await p.page.locator('#attribution').innerText(), /Tears of Steel \(c\) Blender Foundation, CC-BY 3\.0/);
  await p.page.close();
});

test('the score toggle draws the scene scores under the cut lines: spikes on the cuts and through the flicker', { skip }, async () => {
  const curve = scoreCurve(JSON.parse(readFileSync(path.join(FIXTURES, 'tos-scene_scores.json'), 'utf8')))!;
  assert.equal(curve.step, 1);
  const p = await openTimeline(browser);
  await p.send({ type: 'snapshot', run: { ...fixtureSnapshot(), sceneScores: curve } });
  assert.equal((await p.stats()).scores, undefined, 'off until asked for');
  await p.page.locator('#scores').check();
  await waitUntil(p.page, 'window.episodeTimeline.stats().scores !== undefined'); // drawn on the next frame
  const stats = await p.stats();
  assert.equal(stats.scores?.points, 240);
  // Content reaches min_content on the three cut frames, and on every other frame of the hologram
  // flicker (192–204), which is no cut because its neighbours change as much: the curve shows why.
  // Each cut line runs down through its spike.
  assert.deepEqual(stats.scores?.aboveMinContent, [...TOS_CUTS, 192, 194, 196, 198, 200, 202, 204]);
  const box = (await p.page.locator('#canvas').boundingBox())!;
  for (const c of stats.cuts) {
    const [r, g, b] = await p.pixel(c.x, box.height - 4);
    assert.ok(r > 180 && g < 120 && b < 120, `cut line at frame ${c.frame} runs through the score band: ${[r, g, b]}`);
  }
  await p.screenshot('timeline-tos-scores.png');
  await p.page.locator('#scores').uncheck();
  await waitUntil(p.page, 'window.episodeTimeline.stats().scores === undefined');
  // Without a scores file the toggle is off and says why.
  await p.send({ type: 'snapshot', run: fixtureSnapshot() });
  assert.equal(await p.page.locator('#scores').isDisabled(), true);
  await p.page.close();
});

test('a fresh run read by the host\'s manifest reader: crops of the clicked track', { skip: skip || clip.skip }, async () => {
  const root = path.join(OUT, 'runs');
  rmSync(root, { recursive: true, force: true });
  const r = await runCli(['--ep-id', 'tos', '--video', clip.path, '--save-crops', '--output-root', root, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const outDir = path.join(root, 'tos');
  const snapshot = await readRunSnapshot(EpisodeLayout.of(outDir), clip.path);
  assert.deepEqual(snapshot.cuts, TOS_CUTS);
  assert.equal(snapshot.fps, 24);
  assert.equal(snapshot.sceneScores?.content.length, 240, 'scene_scores.json read into the snapshot');
  const p = await openTimeline(browser);
  await p.send({ type: 'snapshot', run: snapshot });
  const second = snapshot.tracks.tracks.find((t) => t.first >= 65 && t.last <= 185)!;
  const box = (await p.page.locator('#canvas').boundingBox())!;
  await p.page.mouse.click(box.x + (await xOfFrame(p, (second.first + second.last) / 2)), box.y + ROW0_Y + 6);
  await waitUntil(p.page, `window.__posted.some((m) => m.type === "selectTrack" && m.trackId === ${second.id})`);
  const crops = await readCrops(EpisodeLayout.of(outDir), second.id);
  assert.ok(crops.length > 3, 'the run saved crops of the track');
  await p.send({ type: 'crops', trackId: second.id, crops: crops.map((c) => ({ src: pathToFileURL(c.file).href, frame_idx: c.frame_idx })) });
  await waitUntil(p.page, `[...document.querySelectorAll('#crops img')].filter((i) => i.complete && i.naturalWidth > 0).length === ${crops.length}`);
  await p.screenshot('timeline-tos-detail.png');
  await p.page.close();
});

test('fills in live from run events, then shows the outcome', { skip }, async () => {
  const p = await openTimeline(browser);
  await p.send({ type: 'snapshot', run: { epId: 'tos', state: 'running', tracks: { tracks: [], malformed: 0 }, cuts: [], suppressed: [] } });
  const events = readFileSync(path.join(FIXTURES, 'tos-events.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as RunStreamEvent);
  const firstTrack = events.findIndex((e) => e.type === 'track');
  for (const e of events.slice(0, firstTrack + 1)) await p.send({ type: 'event', event: e });
  let run = await p.run();
  assert.equal(run.state, 'running');
  assert.equal(run.tracks, 1);
  assert.equal((await p.stats()).bars, 1);
  assert.match(await p.page.locator('#state').innerText(), /running/);
  await p.screenshot('timeline-live-partial.png');

  for (const e of events.slice(firstTrack + 1)) await p.send({ type: 'event', event: e });
  await p.send({ type: 'event', event: { type: 'exit', ep_id: 'tos', state: 'completed', exit_code: 0 } });
  run = await p.run();
  assert.deepEqual({ state: run.state, tracks: run.tracks, cuts: run.cuts, total: run.total }, { state: 'completed', tracks: 3, cuts: 3, total: 240 });
  assert.deepEqual((await p.stats()).cuts.map((c) => c.frame), TOS_CUTS);
  await p.page.close();
});

test('a cancelled run and malformed lines show as such; suppressed cuts are dashed', { skip }, async () => {
  const p = await openTimeline(browser);
  const text = readFileSync(path.join(FIXTURES, 'tos-tracks.jsonl'), 'utf8') + '{"track_id": 7, "first_frame_idx": \nnot json\n';
  await p.send({
    type: 'snapshot',
    run: { epId: 'tos', state: 'cancelled', tracks: parseTracksJsonl(text), cuts: [21, 40, 65], suppressed: [40], fps: 24, framesTotal: 120 },
  });
  assert.equal(await p.page.locator('#state').innerText(), 'cancelled');
  assert.match(await p.page.locator('#warning').innerText(), /2 malformed lines in tracks\.jsonl skipped \(first at line 4\)/);
  const stats = await p.stats();
  assert.equal(stats.bars, 3);
  const dashed = stats.cuts.find((c) => c.frame === 40)!;
  assert.ok(dashed.suppressed);
  // A dashed line has gaps: along it, some pixels are the background.
  const column = await Promise.all(Array.from({ length: 16 }, (_, i) => p.pixel(dashed.x, 150 + i)));
  const red = column.filter(([r, g]) => r > 150 && g < 120).length;
  assert.ok(red > 2 && red < 14, `suppressed cut is dashed (${red} of 16 pixels red)`);
  await p.screenshot('timeline-cancelled-malformed.png');
  await p.page.close();
});

test('10,000 tracks: draw time (benchmark), zoom and filter', { skip }, async () => {
  const p = await openTimeline(browser, { width: 1600, height: 900 });
  // A long episode's worth: 10,000 tracks over 64,800 frames (45 min at 24 fps), with cuts.
  const rand = seededRandom(7);
  const rows: string[] = [];
  for (let id = 1; id <= 10_000; id++) {
    const first = Math.floor(rand() * 64_000);
    const last = first + 6 + Math.floor(rand() * rand() * 600);
    const split = rand() < 0.03 ? ',"split_reason":"max_gap"' : '';
    rows.push(`{"track_id":${id},"first_frame_idx":${first},"last_frame_idx":${last},"frame_count":${Math.ceil((last - first) / 6)},"mean_conf":${(0.5 + rand() / 2).toFixed(3)}${split}}`);
  }
  const cuts = Array.from({ length: 600 }, (_, i) => i * 108 + 50);
  const t0 = performance.now();
  await p.send({ type: 'snapshot', run: { epId: 'synthetic', state: 'completed', tracks: parseTracksJsonl(rows.join('\n')), cuts, suppressed: cuts.filter((_, i) => i % 7 === 0), fps: 24, framesTotal: 64_800 } });
  const loadMs = performance.now() - t0;
  const times: number[] = [];
  for (let i = 0; i < 15; i++) times.push(((await p.page.evaluate('window.episodeTimeline.drawNow()')) as { ms: number }).ms);
  const stats = await p.stats();
  assert.ok(stats.bars > 500, `${stats.bars} bars drawn`);
  const box = (await p.page.locator('#canvas').boundingBox())!;
  await p.page.mouse.move(box.x + 800, box.y + 300);
  const zoomTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    await p.page.mouse.wheel(0, -240);
    zoomTimes.push(((await p.page.evaluate('window.episodeTimeline.drawNow()')) as { ms: number }).ms);
  }
  assert.ok((await p.view()).pxPerFrame > 1600 / 64_800 * 10, 'the wheel zoomed in');
  await p.screenshot('timeline-10k-zoomed.png');
  await p.page.locator('#min-len').fill('300');
  await p.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
  assert.match(await p.page.locator('#counts').innerText(), /^\d+ of 10000 tracks/);

  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  console.log(`# timeline benchmark, 10,000 tracks in ${stats.rows} rows, 600 cuts, 1600×900 px, headless chromium (software canvas):`);
  console.log(`#   load + pack + first draw ${loadMs.toFixed(0)} ms; full view draw median ${median(times).toFixed(1)} ms (max ${Math.max(...times).toFixed(1)}); zoomed draw median ${median(zoomTimes).toFixed(1)} ms`);
  await p.page.close();
});

test('the run switcher lists the recorded runs, newest first, and asks for the one picked', { skip }, async () => {
  const p = await openTimeline(browser);
  const select = p.page.locator('#run');
  assert.equal(await select.isHidden(), true, 'hidden before any run is recorded');
  await p.send({ type: 'runs', runs: [] });
  assert.equal(await select.isHidden(), true, 'hidden while there are no runs');
  const runs = [
    summary('20250304-130500-aaaa', { tracks: 3 }),
    summary('20250304-141000-bbbb', { started_at: '2025-03-04T14:10:00Z', tracks: 4, cache: { analysis: 'reused' } }),
  ];
  await p.send({ type: 'runs', runs, current: runs[0].run_id });
  assert.equal(await select.isVisible(), true);
  const options = await select.locator('option').evaluateAll((os) => os.map((o) => [o.getAttribute('value'), o.textContent]));
  assert.deepEqual(options.map(([v]) => v), ['', '20250304-141000-bbbb', '20250304-130500-aaaa']);
  assert.equal(options[0][1], 'Latest');
  assert.match(options[1][1]!, /^Mar 4, \d\d:10 · 4 tracks · cached detections$/);
  assert.match(options[2][1]!, /^Mar 4, \d\d:05 · 3 tracks$/);
  assert.equal(await select.inputValue(), runs[0].run_id, 'the run shown is selected');

  await select.selectOption(runs[1].run_id);
  await select.selectOption('');
  const asked = (await p.posted()).filter((m) => m.type === 'selectRun');
  assert.deepEqual(asked, [{ type: 'selectRun', runId: runs[1].run_id }, { type: 'selectRun' }]);
  await p.page.close();
});
