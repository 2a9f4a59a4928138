// Sweeps over analysis settings (DESIGN §12): a stride × scene.cooldown grid runs one analysis
// pass (stride 3, warm-up after every cut) and every point's tracks equal a standalone run of
// that point's config, byte for byte. The clip has cuts 101 and 111 frames after a reset, so
// cooldown 120 suppresses two of them and changes the warm-up frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns } from '../../server/engine/history';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import { generateEpisode } from '../fixtures/episode-generator';
import { runCli } from '../helpers/run-cli';

test('a stride × cooldown sweep shares one analysis pass and each point tracks as its standalone run', async () => {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 30, seed: 3 });
  assert.deepEqual(ep.cuts, [152, 253, 394, 505, 556]);
  const dir = mkdtempSync(join(tmpdir(), 'ep-sweep-an-'));
  const config = join(dir, 'c.episode.yaml');
  writeFileSync(config, `ep_id: sw\nvideo: ${ep.video}\noutput_root: out\nsweep:\n  stride: [3, 6]\n  scene.cooldown: [0, 120]\n`);
  const sweep = await runCli(['--config', config, '--sweep', '--objective', 'forced_splits', '--quiet']);
  assert.equal(sweep.code, 0, sweep.stderr);
  const epDir = join(dir, 'out', 'sw');
  const runs = await listRuns(EpisodeLayout.of(epDir));
  assert.deepEqual(runs.map((r) => [r.sweep?.values.stride, r.sweep?.values['scene.cooldown'], r.cache.analysis]), [
    [3, 0, 'computed'], [3, 120, 'reused'], [6, 0, 'reused'], [6, 120, 'reused'],
  ], 'one analysis pass for the four points');
  // The pass's own point is a standalone run; the others' speed is predicted.
  assert.deepEqual(runs.map((r) => r.speed_predicted), [false, true, true, true]);

  const tracksOf = (outDir: string) => readFileSync(join(outDir, 'manifests', 'tracks.jsonl'), 'utf8');
  const cutsOf = (outDir: string) => JSON.parse(readFileSync(join(outDir, 'manifests', 'scene_cuts.json'), 'utf8'));
  const seen = new Set<string>();
  for (const r of runs) {
    const { stride, 'scene.cooldown': cooldown } = r.sweep!.values as { stride: number; 'scene.cooldown': number };
    const alone = join(dir, `alone-${stride}-${cooldown}`);
    const c = join(dir, `alone-${stride}-${cooldown}.episode.yaml`);
    writeFileSync(c, `ep_id: sw\nvideo: ${ep.video}\noutput_root: ${alone}\nstride: ${stride}\nscene:\n  cooldown: ${cooldown}\n`);
    const one = await runCli(['--config', c, '--no-cache', '--quiet']);
    assert.equal(one.code, 0, one.stderr);
    const point = join(epDir, 'runs', r.run_id);
    const expected = tracksOf(join(alone, 'sw'));
    assert.ok(expected.length > 0);
    assert.equal(tracksOf(point), expected, `tracks of stride ${stride}, cooldown ${cooldown}`);
    assert.deepEqual(cutsOf(point), cutsOf(join(alone, 'sw')), `scene_cuts.json of stride ${stride}, cooldown ${cooldown}`);
    seen.add(expected);
  }
  assert.equal(seen.size, 4, 'each point tracks differently: the comparison can fail');
  assert.deepEqual(cutsOf(join(epDir, 'runs', runs[1].run_id)).suppressed, [253, 505]);
  // --objective: the best point and the front, with predicted speeds labelled.
  const fewest = Math.min(...runs.map((r) => r.forced_splits));
  const best = runs.find((r) => r.forced_splits === fewest)!;
  assert.match(sweep.stdout, new RegExp(`best on forced_splits \\(lower is better\\):\\n  ${best.run_id}  stride=\\d+ scene.cooldown=\\d+  forced_splits ${fewest}, `));
  assert.match(sweep.stdout, /Pareto front of forced_splits against speed \(\d of 4 points\):/);
  assert.match(sweep.stdout, /× realtime \(predicted\)/);
});
