// The on-disk layout: ids that can name a folder, every path inside the episode folder, and a
// run's clean-up that removes the engine's own files and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../server/config/episode-config';
import { clearOutputs, removeLeftovers } from '../../server/engine/manifests/episode-folder';
import { EpisodeLayout, frameFileName, idProblem, LayoutError, MANIFEST_FILES, trackDirName } from '../../server/engine/manifests/layout';

test('ids: `.`, `..`, a leading dot, separators, an empty or a too long id are refused, with one line saying what is allowed', () => {
  for (const good of ['TEST-S01E01', 'ep_1.2', 'x', '_a', '-a', 'a'.repeat(128)]) assert.equal(idProblem('ep_id', good), undefined, good);
  for (const bad of ['.', '..', '.hidden', 'a/b', 'a\\b', '../x', '', 'a b', 'é', 'a'.repeat(129)]) {
    const problem = idProblem('ep_id', bad);
    assert.ok(problem && !problem.includes('\n'), bad);
  }
  assert.equal(idProblem('ep_id', '..'), `ep_id ".." is not allowed: use letters, digits, '.', '_' and '-' only, not starting with '.', at most 128 characters`);
  assert.match(idProblem('ep_id', 'a'.repeat(10_000))!, /^ep_id is 10000 characters long; at most 128 are allowed$/);
  assert.equal(idProblem('ep_id', 7), 'ep_id must be a string');
});

test('the config schema refuses the same ep_ids, naming the key', () => {
  assert.throws(() => resolveConfig({ ep_id: '..', video: 'v.mp4' }),
    /^ConfigError: Invalid episode config: `ep_id` "\.\." is not allowed\. Use letters, digits, '\.', '_' and '-' only, not starting with '\.'/);
  assert.throws(() => resolveConfig({ ep_id: 'a/b', video: 'v.mp4' }), /`ep_id` "a\/b" is not allowed/);
  assert.throws(() => resolveConfig({ ep_id: 'x'.repeat(200), video: 'v.mp4' }), /`ep_id` is 200 characters long; at most 128 are allowed/);
  assert.equal(resolveConfig({ ep_id: 'S01E01.v2', video: 'v.mp4' }).ep_id, 'S01E01.v2');
});

test('every path the layout hands out lies inside the episode folder', () => {
  const l = new EpisodeLayout('/data/out', 'S01E01');
  assert.equal(l.dir, '/data/out/S01E01');
  assert.equal(l.manifest('metrics'), '/data/out/S01E01/manifests/track_metrics.json');
  assert.equal(l.runManifest('r1', 'tracks'), '/data/out/S01E01/runs/r1/manifests/tracks.jsonl');
  assert.equal(l.trackCropsDir(7), '/data/out/S01E01/crops/track_0007');
  assert.equal(l.lockDir, '/data/out/S01E01/episode.lock');
  assert.equal(EpisodeLayout.of('/data/out/S01E01/').dir, l.dir);
  assert.throws(() => new EpisodeLayout('/data/out/sub', '..'), LayoutError);
  assert.throws(() => EpisodeLayout.of('/'), LayoutError);
  assert.throws(() => l.runDir('../..'), /run id "\.\.\/\.\." is not allowed/);
  assert.throws(() => l.runDir('.'), LayoutError);
  for (const bad of [-1, 1.5, NaN, Number('.*')]) assert.throws(() => l.trackCropsDir(bad), LayoutError, String(bad));
  assert.equal(l.still('0123abcd0123abcd', 42), '/data/out/S01E01/stills/0123abcd0123abcd/frame_000042.jpg');
  for (const key of ['..', '../x', 'ABCDEF01', 'abc', '']) assert.throws(() => l.still(key, 1), /video key must be 8–64 lowercase hex digits/, key);
  for (const bad of [-1, 0.5, NaN]) assert.throws(() => l.still('0123abcd', bad), /frame index must be a whole number/, String(bad));
  assert.throws(() => l.inside('/data/out/S01E01'), /outside the episode folder/, 'not the folder itself');
  assert.throws(() => l.inside('/data/out/S01E01/../crops'), /outside the episode folder/);
  assert.throws(() => l.inside('/data/out/S01E01x/a'), /outside the episode folder/);
  assert.equal(l.inside('/data/out/S01E01/crops/../frames'), '/data/out/S01E01/frames');
});

test('a run clears the engine\'s own outputs and temp files, and leaves a user\'s files (and their folders) alone', async () => {
  const root = mkdtempSync(join(tmpdir(), 'layout-'));
  const l = new EpisodeLayout(root, 'ep');
  const write = (p: string) => {
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, 'x');
  };
  for (const name of Object.values(MANIFEST_FILES)) write(join(l.manifestsDir, name));
  write(join(l.manifestsDir, 'tracks.jsonl.partial'));
  write(join(l.manifestsDir, '.progress.json.123-4.tmp'));
  write(join(l.manifestsDir, 'my-notes.md'));
  write(join(l.trackCropsDir(1), frameFileName(10)));
  write(join(l.trackCropsDir(1), 'index.json'));
  write(join(l.trackCropsDir(2), frameFileName(11)));
  write(join(l.trackCropsDir(2), `.${frameFileName(12)}.777-3.tmp`)); // a crop a killed run was writing
  write(join(l.trackCropsDir(3), `.${frameFileName(13)}.777-4.tmp`));
  write(join(l.trackCropsDir(3), '.favourite.jpg.777-5.tmp')); // not a name the engine writes
  write(join(l.trackCropsDir(2), 'favourite.jpg'));
  write(join(l.cropsDir, 'README.txt'));
  write(join(l.framesDir, frameFileName(3)));
  write(join(l.framesDir, '.index.json.55-1.tmp'));
  write(join(l.framesDir, `.${frameFileName(4)}.55-2.tmp`));
  write(join(l.runsDir, '.r1.tmp', 'manifests', 'x'));
  write(join(l.cacheDir, '.tmp-analysis-abc-1', 'rows.jsonl'));
  write(join(l.cacheDir, `analysis-${'a'.repeat(24)}`, 'rows.jsonl'));
  write(join(l.scratchDir, 'pick-1', 'select.txt'));

  await clearOutputs(l);
  await removeLeftovers(l);
  assert.deepEqual(readdirSync(l.manifestsDir), ['my-notes.md']);
  assert.deepEqual(readdirSync(l.cropsDir).sort(), ['README.txt', trackDirName(2), trackDirName(3)]);
  assert.deepEqual(readdirSync(l.trackCropsDir(2)), ['favourite.jpg']);
  assert.deepEqual(readdirSync(l.trackCropsDir(3)), ['.favourite.jpg.777-5.tmp']);
  assert.ok(!existsSync(l.framesDir), 'an emptied frames/ goes');
  assert.deepEqual(readdirSync(l.runsDir), []);
  assert.deepEqual(readdirSync(l.cacheDir), [`analysis-${'a'.repeat(24)}`]);
  assert.ok(!existsSync(l.scratchDir));
});
