// Detector tiles on generated episodes with exact ground truth: what 2×2 and `auto` buy on the
// small-face preset (24–60 px faces at 1080p among hands, dotted patches and sockets), what it
// costs in model runs, and that no face ever gets two boxes on one frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrackMetrics } from '../../server/engine/manifests/track-metrics';
import { generateEpisode, type GenerateOptions } from '../fixtures/episode-generator';
import { readMotFile, rowsFromDetectionsJsonl } from '../fixtures/mot-format';
import { formatMotMetrics } from '../fixtures/mot-metrics';
import { evaluateRun } from '../helpers/evaluate-run';
import { readManifest, runCli } from '../helpers/run-cli';
import { detectionScores, duplicateFaces, extraCost } from '../helpers/tile-scoring';

async function runTiles(opts: GenerateOptions, tiles: string) {
  const ep = await generateEpisode(opts);
  const root = mkdtempSync(join(tmpdir(), 'ep-tiles-'));
  const r = await runCli(['--ep-id', 'tiles', '--video', ep.video, '--output-root', root, '--quiet', '--no-gate', '--no-cache', '--tiles', tiles]);
  assert.equal(r.code, 0, r.stderr);
  const out = join(root, 'tiles');
  const mot = await evaluateRun(ep.gtPath, out, 6);
  const metrics = readManifest<TrackMetrics>(out, 'track_metrics.json');
  const hyp = rowsFromDetectionsJsonl(readFileSync(join(out, 'manifests', 'detections.jsonl'), 'utf8'));
  const duplicates = duplicateFaces(await readMotFile(ep.gtPath), hyp);
  console.log(`# ${tiles}: ${formatMotMetrics(mot)}; extra cost ${metrics.detection ? extraCost(metrics.detection).toFixed(2) : '-'} runs/frame`);
  return { mot, scores: detectionScores(mot), metrics, duplicates };
}

const SMALL_FACES: GenerateOptions = { width: 1920, height: 1080, fps: 24, seed: 1, preset: 'small-faces' };

test('small-face preset: 2×2 adds ≥5 points of recall without losing precision or MOTA/IDF1; auto keeps ≥80% of the gain at ≤50% of the extra cost', async () => {
  const none = await runTiles(SMALL_FACES, '1x1');
  const grid = await runTiles(SMALL_FACES, '2x2');
  const auto = await runTiles(SMALL_FACES, 'auto');

  assert.ok(grid.scores.recall >= none.scores.recall + 0.05, `recall ${none.scores.recall} → ${grid.scores.recall}`);
  assert.ok(grid.scores.precision >= none.scores.precision - 0.005, `precision ${none.scores.precision} → ${grid.scores.precision}`);
  assert.ok(grid.mot.mota >= none.mot.mota && grid.mot.idf1 >= none.mot.idf1, 'MOTA and IDF1 do not drop');

  const gain = grid.scores.recall - none.scores.recall;
  assert.ok(auto.scores.recall - none.scores.recall >= 0.8 * gain, `auto recall ${auto.scores.recall}: keeps ${((auto.scores.recall - none.scores.recall) / gain).toFixed(2)} of the gain`);
  assert.ok(auto.scores.precision >= none.scores.precision - 0.005, `auto precision ${auto.scores.precision}`);
  const [gridCost, autoCost] = [extraCost(grid.metrics.detection!), extraCost(auto.metrics.detection!)];
  assert.ok(autoCost <= 0.5 * gridCost, `auto costs ${autoCost.toFixed(2)} detector runs per frame, 2×2 ${gridCost.toFixed(2)}`);

  // The face check saw the props: it dropped boxes, and said why.
  const v = grid.metrics.detection!.verify;
  assert.ok(v.dropped + v.fell_back > 0 && v.by_reason.redetect > 0, JSON.stringify(v));
  assert.equal(none.metrics.detection!.tile_inferences, 0);
  for (const run of [grid, auto]) assert.deepEqual(run.duplicates, [], `${run.metrics.detection!.tiles}: a face with two boxes`);
});

test('no face gets two boxes on one frame with tiles on: 3×3 on a random 640×360 episode and on crossing faces, auto on a second small-face episode', async () => {
  const cases: [GenerateOptions, string][] = [
    [{ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 }, '3x3'],
    [{ width: 640, height: 360, fps: 24, seed: 2, preset: 'crossing' }, '3x3'],
    [{ width: 1280, height: 720, fps: 24, seed: 2, preset: 'small-faces' }, 'auto'],
  ];
  for (const [opts, tiles] of cases) {
    const run = await runTiles(opts, tiles);
    assert.deepEqual(run.duplicates, [], `${opts.preset ?? 'random'} ${tiles}`);
    assert.ok(run.mot.matches > 0);
  }
});
