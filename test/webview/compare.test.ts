// The built Compare page in headless Debian chromium: a real Tears of Steel run against a re-run
// where one track came out in two pieces and one was lost. Screenshots go to test-output/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { diffConfigs, diffMetrics, diffScores } from '../../server/engine/history/run-diff';
import type { RunScores } from '../../server/engine/eval/scores';
import type { RunSnapshot } from '../../webview/protocol';
import type { RunsHostMessage } from '../../webview/runs-protocol';
import { parseTracksJsonl, type TimelineTrack } from '../../webview/tracks';
import { seededRandom } from '../helpers/seeded-random';
import { chromiumMissing, launch, openRuns, type RunsPage } from './page';
import { summary } from './run-fixtures';

const skip = chromiumMissing() ?? false;
const FIXTURES = path.join(__dirname, 'fixtures');
/** rowTop(0) in render.ts: AXIS_H + 6; bars are 12 px high. */
const ROW0_MID = 34 + 6 + 6;

let browser: Browser;
before(async () => {
  if (!skip) browser = await launch();
});
after(() => browser?.close());

function snapshot(tracks: TimelineTrack[]): RunSnapshot {
  const cuts = JSON.parse(readFileSync(path.join(FIXTURES, 'tos-scene_cuts.json'), 'utf8'));
  return { epId: 'tos', state: 'completed', tracks: { tracks, malformed: 0 }, cuts: cuts.cuts, suppressed: cuts.suppressed, fps: cuts.fps, framesTotal: 240 };
}

/** Track `t` cut in two at `frame`: the first piece keeps its id, the second is `newId`. */
function cutInTwo(t: TimelineTrack, frame: number, newId: number): TimelineTrack[] {
  const before = t.boxes!.filter((b) => b.frame < frame);
  const after = t.boxes!.filter((b) => b.frame >= frame);
  return [
    { ...t, last: before[before.length - 1].frame, frames: before.length, boxes: before },
    { ...t, id: newId, first: after[0].frame, frames: after.length, boxes: after },
  ];
}

/** Scores of a run against a ground truth (B lost a track and split one: fewer misses are not among its changes). */
const SCORES_A: RunScores = {
  HOTA: 0.712, DetA: 0.7, AssA: 0.725, LocA: 0.85, DetRe: 0.8, DetPr: 0.85, AssRe: 0.8, AssPr: 0.82,
  MOTA: 0.8, MOTP: 0.84, FP: 10, FN: 30, IDSW: 1, Frag: 2, MT: 2, PT: 1, ML: 0, IDF1: 0.9, IDP: 0.92, IDR: 0.88,
};
const SCORES_B: RunScores = { ...SCORES_A, HOTA: 0.65, AssA: 0.6, FN: 42, IDSW: 0, IDF1: 0.8 };

/** Run A: the committed Tears of Steel tracks (1: 21–60, 2: 65–180, 3: 222–234). Run B: track 2 split at 120, track 3 lost. */
function comparison(): Extract<RunsHostMessage, { type: 'compare' }> {
  const tracks = parseTracksJsonl(readFileSync(path.join(FIXTURES, 'tos-tracks.jsonl'), 'utf8')).tracks;
  const [t1, t2] = tracks;
  const a = { summary: summary('20250304-130500-aaaa', { tracks: 3, id_switches: 1, wall_time_s: 4, realtime_factor: 2.5, scores: SCORES_A }), snapshot: snapshot(tracks) };
  const b = {
    summary: summary('20250304-141000-bbbb', { started_at: '2025-03-04T14:10:00Z', tracks: 3, wall_time_s: 1.6, realtime_factor: 6.25, cache: { analysis: 'reused' }, scores: SCORES_B }),
    snapshot: snapshot([t1, ...cutInTwo(t2, 120, 4)]),
  };
  const config = diffConfigs({ tracker: { match_thresh: 0.8, max_gap: 60 }, gate: { enabled: false } }, { tracker: { match_thresh: 0.7 }, gate: { enabled: true } });
  return { type: 'compare', epId: 'tos', a, b, metrics: diffMetrics(a.summary, b.summary), scores: diffScores(a.summary, b.summary), config };
}

async function pixel(p: RunsPage, canvas: string, x: number, y: number): Promise<[number, number, number]> {
  return p.page.evaluate(`(() => {
    const d = document.getElementById('${canvas}').getContext('2d').getImageData(Math.round(${x} * devicePixelRatio), Math.round(${y} * devicePixelRatio), 1, 1).data;
    return [d[0], d[1], d[2]];
  })()`) as Promise<[number, number, number]>;
}

test('two runs on one axis: the split and the lost track highlighted, metrics and config diff', { skip }, async () => {
  const p = await openRuns(browser);
  await p.send(comparison());
  let s = await p.stats();
  assert.equal(s.mode, 'compare');
  const [a, b] = s.compare.runs;
  assert.deepEqual([a.runId, b.runId], ['20250304-130500-aaaa', '20250304-141000-bbbb']);
  assert.equal(s.compare.axis.total, 240);
  assert.deepEqual(a.view, b.view, 'both timelines are drawn on one axis');
  assert.equal(a.view.start, 0);
  assert.ok(Math.abs(a.view.pxPerFrame * 240 - (await p.page.locator('#canvas-a').boundingBox())!.width) < 1, 'fitted to the run');
  assert.deepEqual([a.bars, b.bars], [3, 3]);
  // Exactly the split track and the lost one in A, the two pieces in B.
  assert.deepEqual(a.highlighted, { split: 1, only: 1 });
  assert.deepEqual(b.highlighted, { split: 2 });
  assert.deepEqual(a.classes, { same: 1, split: 1, only: 1 });
  assert.deepEqual(b.classes, { same: 1, split: 2, only: 0 });
  assert.equal(await p.page.locator('#counts-a').innerText(), '3 tracks: 1 same · 1 split · 1 only in A');

  // The colours are on the canvas: track 1 in the bar blue, track 2 (split) purple, track 3 (only in A) orange.
  const x = (frame: number) => (frame - a.view.start) * a.view.pxPerFrame;
  const [r1, g1, b1] = await pixel(p, 'canvas-a', x(40), ROW0_MID);
  assert.ok(b1 > 150 && r1 < 120, `same track drawn blue: ${[r1, g1, b1]}`);
  const [r2, g2, b2] = await pixel(p, 'canvas-a', x(100), ROW0_MID);
  assert.ok(r2 > 140 && b2 > 180 && g2 < 150, `split track drawn purple: ${[r2, g2, b2]}`);
  const [r3, g3, b3] = await pixel(p, 'canvas-a', x(228), ROW0_MID);
  assert.ok(r3 > 180 && g3 > 100 && b3 < 60, `lost track drawn orange: ${[r3, g3, b3]}`);

  const tip = p.page.locator('#canvas-a + .tooltip');
  const box = (await p.page.locator('#canvas-a').boundingBox())!;
  await p.page.mouse.move(box.x + x(100), box.y + ROW0_MID);
  await tip.waitFor({ state: 'visible' });
  assert.match(await tip.innerText(), /Track 2[\s\S]*split or changed: B #2, #4/);

  const row = (metric: string) => p.page.locator(`#metrics tr[data-metric="${metric}"] > *`).allInnerTexts();
  assert.equal(await p.page.locator('#metrics tbody tr[data-metric]').count(), 8);
  assert.deepEqual(await row('wall_time_s'), ['Wall time', '4.00 s', '1.60 s', '-2.40 s (-60.0%)']);
  assert.deepEqual(await row('realtime_factor'), ['Realtime factor', '2.5×', '6.3×', '+3.8× (+150.0%)']);
  assert.deepEqual(await row('tracks'), ['Tracks', '3', '3', '0']);
  // Scores against the ground truth, with deltas coloured by whether they got better.
  const score = (key: string) => p.page.locator(`#metrics tr[data-score="${key}"] > *`).allInnerTexts();
  assert.equal(await p.page.locator('#metrics tbody tr[data-score]').count(), 20);
  assert.deepEqual(await score('HOTA'), ['HOTA', '71.2%', '65.0%', '-6.2 pt']);
  assert.deepEqual(await score('FN'), ['FN', '30', '42', '+12']);
  assert.deepEqual(await score('IDSW'), ['IDSW', '1', '0', '-1']);
  assert.deepEqual(await score('MOTA'), ['MOTA', '80.0%', '80.0%', '0.0 pt']);
  const cls = (key: string) => p.page.locator(`#metrics tr[data-score="${key}"] td:last-child`).getAttribute('class');
  assert.deepEqual([await cls('HOTA'), await cls('FN'), await cls('IDSW'), await cls('MOTA')], ['worse', 'worse', 'better', null]);
  assert.deepEqual(await p.page.locator('#config-diff li').allInnerTexts(), [
    'gate.enabled: false → true', 'tracker.match_thresh: 0.8 → 0.7', 'tracker.max_gap: 60 → —',
  ]);
  assert.match(await p.page.locator('#head-b').innerText(), /^B 20250304-141000-bbbb · Mar 4, \d\d:10 · cached detections$/);
  assert.doesNotMatch(await p.page.locator('#head-a').innerText(), /cached/);
  await p.screenshot('compare-tos.png');

  // Zoom on B and drag A: both move together.
  const boxB = (await p.page.locator('#canvas-b').boundingBox())!;
  await p.page.mouse.move(boxB.x + 600, boxB.y + 60);
  for (let i = 0; i < 4; i++) await p.page.mouse.wheel(0, -240);
  await p.page.mouse.move(box.x + 600, box.y + 60);
  await p.page.mouse.down();
  await p.page.mouse.move(box.x + 400, box.y + 60, { steps: 4 });
  await p.page.mouse.up();
  await p.page.evaluate('window.episodeRuns.drawNow()');
  s = await p.stats();
  assert.ok(s.compare.runs[0].view.pxPerFrame > a.view.pxPerFrame * 2, 'the wheel on B zoomed A too');
  assert.ok(s.compare.runs[0].view.start > 0, 'the drag panned');
  assert.deepEqual(s.compare.runs[0].view, s.compare.runs[1].view);

  await p.page.locator('#head-b').click();
  await p.page.locator('#head-a').focus();
  await p.page.keyboard.press('Enter');
  assert.deepEqual((await p.posted()).filter((m) => m.type === 'openRun'), [
    { type: 'openRun', runId: '20250304-141000-bbbb' }, { type: 'openRun', runId: '20250304-130500-aaaa' },
  ]);
  await p.page.close();
});

test('10,000 tracks a run: matched and drawn (benchmark)', { skip }, async () => {
  const p = await openRuns(browser, { width: 1600, height: 900 });
  // Run B is run A with every 10th track cut in two and every 25th lost (400).
  const rand = seededRandom(11);
  const a: TimelineTrack[] = [];
  for (let id = 1; id <= 10_000; id++) {
    const first = Math.floor(rand() * 64_000);
    const last = first + 30 + Math.floor(rand() * 150);
    // About 16 faces on screen at a time, each in one of 100 places, so few share one by chance.
    const x = (id % 20) * 90;
    const y = (Math.floor(id / 20) % 5) * 110;
    const boxes = [first, Math.round((first + last) / 2), last].map((frame) => ({ frame, xyxy: [x, y, x + 80, y + 100] as [number, number, number, number] }));
    a.push({ id, first, last, frames: Math.ceil((last - first) / 6) + 1, conf: 0.9, boxes });
  }
  const b = a.flatMap((t) => {
    if (t.id % 25 === 0) return [];
    if (t.id % 10 !== 0) return [t];
    const mid = Math.round((t.first + t.last) / 2);
    return [{ ...t, last: mid - 6 }, { ...t, id: t.id + 100_000, first: mid }];
  });
  const run = (runId: string, tracks: TimelineTrack[]) => ({ summary: summary(runId), snapshot: { ...snapshot(tracks), framesTotal: 64_800 } });
  const message: RunsHostMessage = { type: 'compare', epId: 'synthetic', a: run('a', a), b: run('b', b), metrics: [], scores: [], config: [] };
  // Handed over as an argument, not as a script literal (p.send), which takes the browser longer
  // to compile than the page takes to match and pack; the handler runs synchronously.
  const showMs = await p.page.evaluate(([m]) => {
    const page = globalThis as unknown as { dispatchEvent(e: unknown): void; MessageEvent: new (type: string, init: unknown) => unknown };
    const t = performance.now();
    page.dispatchEvent(new page.MessageEvent('message', { data: m }));
    return performance.now() - t;
  }, [message]);
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    await p.page.evaluate('window.episodeRuns.drawNow()');
    times.push(performance.now() - t);
  }
  const s = await p.stats();
  // Random boxes of other faces can overlap, so the counts are bounds, not exact.
  assert.ok(s.compare.runs[0].classes.only >= 350, `lost tracks found: ${JSON.stringify(s.compare.runs[0].classes)}`);
  assert.ok(s.compare.runs[1].classes.split >= 2 * 900, `pieces found: ${JSON.stringify(s.compare.runs[1].classes)}`);
  assert.ok(s.compare.runs.every((r) => r.bars > 200), 'both panes drew bars');
  const median = [...times].sort((x, y) => x - y)[times.length >> 1];
  console.log(`# compare benchmark, 10,000 + ${b.length} tracks, 1600×900 px, headless chromium: match + pack + headers ${showMs.toFixed(0)} ms; both panes redrawn, median ${median.toFixed(1)} ms`);
  await p.page.close();
});
