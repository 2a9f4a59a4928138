// The built Sweep page in headless Debian chromium: three runs of a sweep become three rows and
// three points of speed against fragmentation; a point or a row opens its run.
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
  assert.match(await circles.nth(1).locator('title').textContent() ?? '', /sw-2 \(match_thresh=0\.7\)\n5\.6× realtime · 24\.0\/min/);
  const labels = await p.page.locator('#sweep-plot text.label').allTextContents();
  assert.ok(labels.some((l) => /realtime factor/.test(l)) && labels.some((l) => /tracks per minute/.test(l)), `axis labels: ${labels}`);
  assert.ok((await p.page.locator('#sweep-plot .axes > text:not(.label)').count()) >= 4, 'the axes have ticks');

  const rows = p.page.locator('#sweep-table tbody tr');
  assert.equal(await rows.count(), 3);
  assert.deepEqual(await p.page.locator('#sweep-table thead th').allInnerTexts(),
    ['match_thresh', 'Tracks', 'Tracks per minute', 'ID switches', 'Wall time', 'Realtime factor']);
  assert.deepEqual(await rows.nth(2).locator('td').allInnerTexts(), ['0.8', '3', '18.0/min', '0', '4.00 s', '6.1×']);
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
