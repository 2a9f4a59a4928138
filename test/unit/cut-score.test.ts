// Cut-list scoring: precision and recall within ±1 frame, one to one; the three list forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCutList, readCutList, scoreCuts } from '../../server/engine/eval/cut-score';

test('a found cut within ±1 frame of a true one matches; 2 frames off does not', () => {
  const s = scoreCuts([21, 66, 187], [21, 65, 185], 'cuts.json');
  assert.deepEqual([s.matched, s.precision, s.recall, s.extra, s.missed], [2, 0.666667, 0.666667, [187], [185]]);
  assert.equal(s.f1, 0.666667);
  assert.equal(s.tolerance, 1);
});

test('one found cut cannot count for two true cuts, and the closest pair wins', () => {
  // 10 is within 1 of both 9 and 11; 11 is found exactly, so 10 pairs with 9.
  assert.deepEqual(scoreCuts([10, 11], [9, 11], 'c').missed, []);
  const s = scoreCuts([10], [9, 11], 'c');
  assert.deepEqual([s.matched, s.precision, s.recall, s.missed], [1, 1, 0.5, [11]]);
});

test('empty lists: nothing found is precision 1, nothing to find is recall 1', () => {
  assert.deepEqual([scoreCuts([], [5], 'c').precision, scoreCuts([], [5], 'c').recall], [1, 0]);
  assert.deepEqual([scoreCuts([5], [], 'c').precision, scoreCuts([5], [], 'c').recall], [0, 1]);
});

test('a cut list as a JSON array, as a scene_cuts.json, or as lines; sorted, duplicates dropped', async () => {
  assert.deepEqual(parseCutList('[65, 21, 21]', 'a.json'), [21, 65]);
  assert.deepEqual(parseCutList('{"ep_id": "x", "cuts": [21, 65, 185]}', 'scene_cuts.json'), [21, 65, 185]);
  assert.deepEqual(parseCutList('# shot starts\n21\n\n65  # the lab\n185\n', 'cuts.txt'), [21, 65, 185]);
  const dir = mkdtempSync(join(tmpdir(), 'ep-cuts-'));
  writeFileSync(join(dir, 'c.txt'), '48\n');
  assert.deepEqual(await readCutList(join(dir, 'c.txt')), [48]);
});

test('a bad cut list is refused with where and why', async () => {
  assert.throws(() => parseCutList('21\n6.5\n', 'cuts.txt'), /^CutListError: cuts.txt:2: "6.5" is not a frame number \(a whole number ≥ 0\)$/);
  assert.throws(() => parseCutList('[21, -1]', 'a.json'), /a.json item 2: -1 is not a frame number/);
  assert.throws(() => parseCutList('{"shots": []}', 'a.json'), /an object with a `cuts` array/);
  assert.throws(() => parseCutList('[21,', 'a.json'), /a.json: not valid JSON/);
  await assert.rejects(readCutList('/nonexistent/cuts.txt'), /cannot read the cut list \/nonexistent\/cuts.txt: ENOENT/);
});
