// Errors where they happen, in the built pages in headless chromium: a scored run on disk
// (test/helpers/scored-episode.ts: known misses, false positives, one ID switch, one
// fragmentation) read by the extension's own readers, its timeline's ground-truth lanes and
// error strip, the openFrame message a click on an FN marker posts, and the frame view that the
// host answers with — the frame decoded by real ffmpeg, both kinds of box drawn and labelled.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { FrameHost } from '../../extension/frame-host';
import { readRunSnapshot } from '../../extension/manifests';
import { runFolderAt } from '../../extension/run-folder';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { cachedStill } from '../../server/engine/decode/still-frame';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import type { FrameHostMessage } from '../../webview/frame-protocol';
import { compareGtLanes } from '../../server/engine/eval/gt-lanes';
import { SCORED, writeScoredEpisode } from '../helpers/scored-episode';
import { chromiumMissing, launch, openFrame, openRuns, openTimeline, waitUntil } from './page';
import { summary } from './run-fixtures';

const skip = chromiumMissing() ?? false;
let browser: Browser;
let tmp: string;
let layout: EpisodeLayout;
const ffmpeg = resolveFfmpeg().path;

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'errors-page-'));
  const clip = path.join(tmp, 'clip.mp4');
  execFileSync(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${SCORED.width}x${SCORED.height}:rate=${SCORED.fps}:duration=${SCORED.frames / SCORED.fps}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '48', '-pix_fmt', 'yuv420p', clip]);
  layout = writeScoredEpisode(path.join(tmp, 'out'), clip);
  if (!skip) browser = await launch();
});
after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('the timeline draws a lane per ground-truth id, pairs in one colour, and the error strip; an FN click posts openFrame', { skip }, async () => {
  const p = await openTimeline(browser, { width: 1200, height: 300 });
  await p.send({ type: 'snapshot', run: await readRunSnapshot(layout) });
  const stats = await p.stats();
  assert.ok(stats.gt, 'a scored run draws its ground truth');
  assert.equal(stats.gt.lanes, 2);
  // GT 1: track 1 (0–99, another track than its pair) then track 2 (paired); GT 2: paired, missed 80–99, paired.
  assert.deepEqual(stats.gt.spans, { paired: 3, other: 1, missed: 1 });
  assert.deepEqual(stats.gt.markers, { fn: SCORED.fnFrames, fp: SCORED.fpFrames, idsw: 1, frag: 1 });
  assert.deepEqual(stats.highlighted, { gt1: 1, gt2: 1 }, 'track 2 takes GT 1\'s colour, track 3 GT 2\'s');
  assert.match(await p.page.locator('#counts').innerText(), /2 ground-truth ids, 42 frames with errors/);
  await p.screenshot('errors-timeline.png');

  // An FN marker sits in the FN sub-row at each missed frame, in the theme's red (#f14c4c).
  const v = await p.view();
  const x = (f: number) => (f + 0.5 - v.start) * v.pxPerFrame;
  assert.deepEqual(await p.pixel(x(90), stats.gt.stripY.fn), [0xf1, 0x4c, 0x4c]);
  assert.notDeepEqual(await p.pixel(x(60), stats.gt.stripY.fn), [0xf1, 0x4c, 0x4c], 'no marker where nothing was missed');

  await p.page.mouse.move(x(90), stats.gt.stripY.fn + (await p.page.locator('#canvas').boundingBox())!.y);
  assert.match(await p.page.locator('#tooltip').innerText(), /frame 90: 1 FN \(missed\)\nclick to open the frame view/);
  const box = (await p.page.locator('#canvas').boundingBox())!;
  await p.page.mouse.click(box.x + x(90), box.y + stats.gt.stripY.fn);
  await p.page.mouse.click(box.x + x(100), box.y + stats.gt.stripY.idsw);
  await p.page.mouse.click(box.x + x(60), box.y + stats.gt.stripY.fn);
  const opened = (await p.posted()).filter((m) => m.type === 'openFrame');
  assert.deepEqual(opened, [{ type: 'openFrame', frame: 90, kind: 'fn' }, { type: 'openFrame', frame: 100, kind: 'idsw' }], 'nothing opens where there is no marker');
  await p.page.close();
});

test('the frame view: frame 90 decoded, GT 2 missed (FN, highlighted) and GT 1 with its track, all labelled; cached the second time', { skip }, async () => {
  const p = await openFrame(browser);
  const posted: FrameHostMessage[] = [];
  const host = new FrameHost(runFolderAt(layout), {
    post: (m) => posted.push(m), opened: () => undefined, fileUrl: (f) => pathToFileURL(f).href, warn: (m) => assert.fail(m),
  }, (r) => cachedStill(EpisodeLayout.of(r.episodeDir), { ffmpegPath: ffmpeg, ...r }));
  const m = await host.show(90, undefined, 'fn');
  assert.equal(m.type, 'frame', JSON.stringify(m));
  if (m.type !== 'frame') return;
  const { shot } = m;
  assert.deepEqual([shot.frame, shot.ts, shot.cached, shot.note, shot.prev, shot.next], [90, 90 / SCORED.fps, false, undefined, 89, 91]);
  assert.deepEqual(shot.errors, { fn: 1, fp: 0, idsw: 0, frag: 0 });
  assert.deepEqual(shot.boxes, [
    { kind: 'gt', id: 1, xyxy: [100, 200, 220, 320], partner: 1 },
    { kind: 'gt', id: 2, xyxy: [400, 200, 520, 320], error: 'fn' },
    { kind: 'track', id: 1, xyxy: [100, 200, 220, 320], partner: 1 },
  ]);
  await p.send(m);
  await waitUntil(p.page, 'window.episodeFrame.stats()?.image');
  const stats = (await p.stats())!;
  assert.deepEqual(stats.drawn, { gt: 2, track: 1, error: 1 });
  assert.deepEqual(stats.labels.sort(), ['#1', 'GT 1', 'GT 2 FN']);
  assert.match(await p.page.locator('#title').innerText(), /ep · frame 90 · /);
  assert.match(await p.page.locator('#errors').innerText(), /1 FN · 0 FP · 0 IDSW · 0 Frag/);
  await p.screenshot('errors-frame-view.png');

  const again = await host.show(90, undefined, 'fn');
  assert.equal(again.type === 'frame' && again.shot.cached, true, 'the second time the frame comes from the cache');
  // Stepping to the next error frame: the page asks, the host checks and answers.
  await p.page.locator('#next').click();
  const asked = (await p.posted()).filter((x) => x.type === 'showFrame');
  assert.deepEqual(asked, [{ type: 'showFrame', frame: 91 }]);
  await host.receive(asked[0]);
  assert.equal(posted.at(-1)?.type === 'frame' && posted.at(-1)?.type === 'frame' ? (posted.at(-1) as Extract<FrameHostMessage, { type: 'frame' }>).shot.frame : -1, 91);
  await p.page.close();
});

test('Restricted Mode: no decoder, so no ffmpeg runs; the boxes are drawn on a blank frame and the page says why', { skip }, async () => {
  const p = await openFrame(browser);
  const host = new FrameHost(runFolderAt(layout), { post: () => undefined, opened: () => undefined, fileUrl: (f) => f, warn: () => undefined });
  const m = await host.show(160, undefined, 'fp');
  assert.equal(m.type, 'frame');
  if (m.type !== 'frame') return;
  assert.equal(m.shot.src, undefined);
  assert.match(m.shot.note ?? '', /^Restricted Mode: the frame is not decoded/);
  assert.deepEqual(m.shot.boxes.filter((b) => b.error).map((b) => [b.kind, b.id, b.error]), [['track', 4, 'fp']]);
  await p.send(m);
  assert.equal(await p.page.locator('#note').isVisible(), true);
  const stats = (await p.stats())!;
  assert.deepEqual([stats.image, stats.drawn], [false, { gt: 2, track: 3, error: 1 }]);
  const forged = await host.show(SCORED.frames, undefined);
  assert.deepEqual(forged, { type: 'failed', frame: SCORED.frames, message: 'frame 240 is past the run\'s last frame (239)' });
  await p.page.close();
});

test('Compare lists the ground-truth ids that got worse and better between two scored runs', { skip }, async () => {
  const a = await readRunSnapshot(layout);
  const b = await readRunSnapshot(writeScoredEpisode(path.join(tmp, 'rerun'), path.join(tmp, 'clip.mp4'), 'b'));
  const gt = compareGtLanes(a.gt!.lanes, b.gt!.lanes);
  assert.deepEqual(gt, [
    { gtId: 1, a: { scored: 240, matched: 240, idsw: 1, track: 2 }, b: { scored: 240, matched: 240, idsw: 2, track: 2 }, verdict: 'worse' },
    { gtId: 2, a: { scored: 171, matched: 151, idsw: 0, track: 3 }, b: { scored: 171, matched: 171, idsw: 0, track: 3 }, verdict: 'better' },
  ]);
  const p = await openRuns(browser);
  await p.send({
    type: 'compare', epId: 'ep', a: { summary: summary('20250304-130500-aaaa'), snapshot: a }, b: { summary: summary('20250304-141000-bbbb'), snapshot: b },
    metrics: [], scores: [], config: [], gt,
  });
  const rows = await p.page.locator('#gt-table tbody tr').allInnerTexts();
  assert.deepEqual(rows.map((r) => r.split('\t').map((c) => c.trim())), [
    ['GT 1', '240/240 (100%) · #2', '240/240 (100%) · #2', '1 → 2', 'worse'],
    ['GT 2', '151/171 (88%) · #3', '171/171 (100%) · #3', '0 → 0', 'better'],
  ]);
  await p.screenshot('errors-compare.png');
  await p.page.close();
});
