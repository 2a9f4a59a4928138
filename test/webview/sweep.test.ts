// The built Sweep page in headless Debian chromium: three runs of a sweep become three rows and
// three points of speed against fragmentation; a point or a row opens its run. A scored 2-key
// sweep plots HOTA against speed with the Pareto front and the best point marked, the axes and
// the objective can be changed, and Apply posts the point to the host.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumMissing, launch, openRuns } from './page';
import { summary } from './run-fixtures';

const skip = chromiumMissing() ?? false;

let browser: Browser;
before(async () => {
  if (!skip) browser = await launch();
});
after(() => browser?.close());

const KEY = 'tracker.match_thresh';
const runs = [
  summary('sw-1', { realtime_factor: 5.2, tracks_per_minute: 30, tracks: 5, id_switches: 2, sweep: { id: 'sw', values: { [KEY]: 0.6 } } }),
  summary('sw-2', { realtime_factor: 5.6, tracks_per_minute: 24, tracks: 4, id_switches: 1, sweep: { id: 'sw', values: { [KEY]: 0.7 } } }),
  summary('sw-3', { realtime_factor: 6.1, tracks_per_minute: 18, tracks: 3, id_switches: 0, sweep: { id: 'sw', values: { [KEY]: 0.8 } } }),
];

test('a sweep of three runs: three table rows, three distinct points, each opens its run', { skip }, async () => {
  const p = await openRuns(browser);
  await p.send({ type: 'sweep', epId: 'tos', sweepId: 'sw', keys: [KEY], runs });
  const s = await p.stats();
  assert.equal(s.mode, 'sweep');
  assert.equal(await p.page.locator('#compare').isHidden(), true);

  const circles = p.page.locator('#sweep-plot circle.point');
  assert.equal(await circles.count(), 3);
  assert.deepEqual(await circles.evaluateAll((cs) => cs.map((c) => c.getAttribute('data-run-id'))), ['sw-1', 'sw-2', 'sw-3']);
  assert.deepEqual(s.sweep.points.map((q) => q.runId), ['sw-1', 'sw-2', 'sw-3']);
  assert.equal(new Set(s.sweep.points.map((q) => `${q.cx},${q.cy}`)).size, 3, 'distinct positions');
  // Faster runs to the right, more fragmented ones higher up (SVG y grows downwards).
  const [p1, p2, p3] = s.sweep.points;
  assert.ok(p1.cx < p2.cx && p2.cx < p3.cx, 'x is the realtime factor');
  assert.ok(p1.cy < p2.cy && p2.cy < p3.cy, 'y is tracks per minute');
  assert.match(await circles.nth(1).locator('title').textContent() ?? '', /sw-2 \(match_thresh=0\.7\)\nSpeed 5\.6× · Tracks per minute 24\.0\/min/);
  const labels = await p.page.locator('#sweep-plot text.label').allTextContents();
  assert.deepEqual(labels, ['Speed: × realtime, standalone (higher is better)', 'Tracks per minute (no better side)']);
  assert.ok((await p.page.locator('#sweep-plot .axes > text:not(.label)').count()) >= 4, 'the axes have ticks');

  const rows = p.page.locator('#sweep-table tbody tr');
  assert.equal(await rows.count(), 3);
  assert.deepEqual(await p.page.locator('#sweep-table thead th').allInnerTexts(),
    ['match_thresh', 'Speed', 'Tracks', 'Tracks per minute', 'ID switches', 'Wall time', '']);
  assert.deepEqual(await rows.nth(2).locator('td').allInnerTexts(), ['0.8', '6.1×', '3', '18.0/min', '0', '4.00 s', 'Apply']);
  await p.screenshot('sweep.png');

  await circles.nth(1).click();
  await rows.nth(2).click();
  await circles.nth(0).focus();
  await p.page.keyboard.press('Enter');
  assert.deepEqual((await p.posted()).filter((m) => m.type === 'openRun'), [
    { type: 'openRun', runId: 'sw-2' }, { type: 'openRun', runId: 'sw-3' }, { type: 'openRun', runId: 'sw-1' },
  ]);
  await p.page.close();
});

// Two keys, scored: HOTA is the default y axis; speeds predicted except the shared pass's own point.
const scored = (id: string, stride: number, cooldown: number, speed: number, hota: number, fp: number) => summary(id, {
  speed, speed_predicted: id !== 'g-1', sweep: { id: 'g', values: { stride, 'scene.cooldown': cooldown } },
  ...({ scores: { HOTA: hota, IDF1: hota + 0.05, FP: fp } } as object),
});
const grid = [
  scored('g-1', 3, 0, 2.0, 0.70, 10),
  scored('g-2', 3, 48, 2.1, 0.66, 14),
  scored('g-3', 6, 0, 3.5, 0.68, 9),
  scored('g-4', 6, 48, 3.4, 0.60, 20),
  scored('g-5', 12, 0, 6.0, 0.55, 30),
  scored('g-6', 12, 48, 5.0, 0.50, 40),
];

test('a scored 2-key sweep: HOTA against speed, the Pareto front drawn, the best point marked, axes and objective selectable, Apply posted', { skip }, async () => {
  const p = await openRuns(browser);
  await p.send({ type: 'sweep', epId: 'tos', sweepId: 'g', keys: ['stride', 'scene.cooldown'], runs: grid });
  let s = await p.stats();
  assert.deepEqual(s.sweep.axes, { x: 'speed', y: 'HOTA' });
  assert.equal(s.sweep.objective, 'HOTA');
  // g-2 is beaten by g-3 (faster, higher HOTA), g-4 by g-3, g-6 by g-5: the front is g-1, g-3, g-5 along speed.
  assert.deepEqual(s.sweep.front, ['g-1', 'g-3', 'g-5']);
  assert.equal(s.sweep.best, 'g-1');
  assert.deepEqual(await p.page.locator('#sweep-plot circle.point.front').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-run-id'))), ['g-1', 'g-3', 'g-5']);
  assert.equal(await p.page.locator('#sweep-plot path.front-line').count(), 1);
  const ring = p.page.locator('#sweep-plot circle.best-ring');
  const best = s.sweep.points.find((q) => q.runId === 'g-1')!;
  assert.deepEqual([Number(await ring.getAttribute('cx')), Number(await ring.getAttribute('cy'))], [best.cx, best.cy]);
  assert.equal(await p.page.locator('#sweep-plot circle.point.predicted').count(), 5);
  assert.equal(await p.page.locator('#sweep-best').innerText(), 'Best on HOTA: stride=3, cooldown=0 (0.700)');
  assert.deepEqual(await p.page.locator('#sweep-table thead th').allInnerTexts(),
    ['stride', 'cooldown', 'Speed', 'Tracks', 'Tracks per minute', 'ID switches', 'Wall time', 'HOTA', 'IDF1', 'FP', '']);
  assert.match(await p.page.locator('#sweep-table tbody tr').nth(2).innerText(), /3\.5× \(predicted\)/);
  await p.screenshot('sweep-hota-front.png');

  // FP on y (lower is better) and as the objective: the front and the best change.
  await p.page.selectOption('#axis-y', 'FP');
  await p.page.selectOption('#objective', 'FP');
  s = await p.stats();
  assert.deepEqual(s.sweep.axes, { x: 'speed', y: 'FP' });
  assert.deepEqual(s.sweep.front, ['g-3', 'g-5'], 'g-3 is faster with fewer FP than g-1');
  assert.equal(s.sweep.best, 'g-3');
  assert.deepEqual(await p.page.locator('#sweep-plot text.label').allTextContents(),
    ['Speed: × realtime, standalone (higher is better)', 'FP (lower is better)']);
  await p.screenshot('sweep-fp-front.png');

  await p.page.click('#apply-best');
  await p.page.locator('#sweep-table tbody tr').nth(4).locator('button.apply').click();
  const posted = await p.posted();
  assert.deepEqual(posted.filter((m) => m.type === 'apply'), [{ type: 'apply', runId: 'g-3' }, { type: 'apply', runId: 'g-5' }]);
  assert.ok(!posted.some((m) => m.type === 'openRun'), 'Apply in a row does not open the run');
  await p.send({ type: 'applied', runId: 'g-3', config: 'tos.episode.yaml', keys: ['stride', 'scene.cooldown'] });
  assert.equal(await p.page.locator('#apply-status').innerText(), 'Applied g-3 to tos.episode.yaml: stride, scene.cooldown');
  await p.page.close();
});
