// Detector tiles on generated episodes with exact ground truth, scored by the engine's own
// evaluation (`--ground-truth`, eval.json: HOTA, CLEAR, Identity at TrackEval parity): what 2×2
// and `auto` buy on the small-face preset (24–60 px faces at 1080p among hands, dotted patches
// and sockets), what it costs in model runs, and that no face ever gets two boxes on one frame.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGroundTruth } from '../../server/engine/eval/ground-truth';
import type { EvalReport } from '../../server/engine/eval/evaluate-run';
import { readRunRows } from '../../server/engine/eval/run-rows';
import type { TrackMetrics } from '../../server/engine/manifests/track-metrics';
import { generateEpisode, type GenerateOptions } from '../fixtures/episode-generator';
import { readManifest, runCli } from '../helpers/run-cli';
import { detectionScores, duplicateFaces, extraCost } from '../helpers/tile-scoring';

async function runTiles(opts: GenerateOptions, tiles: string) {
  const ep = await generateEpisode(opts);
  const root = mkdtempSync(join(tmpdir(), 'ep-tiles-'));
  const r = await runCli(['--ep-id', 'tiles', '--video', ep.video, '--output-root', root, '--quiet', '--no-gate', '--no-cache', '--tiles', tiles, '--ground-truth', ep.gtPath]);
  assert.equal(r.code, 0, r.stderr);
  const out = join(root, 'tiles');
  const report = readManifest<EvalReport>(out, 'eval.json');
  const metrics = readManifest<TrackMetrics>(out, 'track_metrics.json');
  const duplicates = duplicateFaces((await readGroundTruth(ep.gtPath, 1)).rows, await readRunRows(join(out, 'manifests', 'detections.jsonl')));
  const s = report.scores;
  const cost = metrics.detection ? extraCost(metrics.detection) : 0;
  const pct = (v: number) => (100 * v).toFixed(1);
  console.log(`# ${opts.preset ?? 'random'} seed ${opts.seed} ${tiles}: HOTA ${pct(s.HOTA)} DetRe ${pct(s.DetRe)} DetPr ${pct(s.DetPr)} MOTA ${pct(s.MOTA)} IDF1 ${pct(s.IDF1)} FP ${s.FP} FN ${s.FN}; extra cost ${cost.toFixed(2)} runs/frame`);
  return { s, scores: detectionScores(report), metrics, cost, duplicates };
}

for (const seed of [1, 2]) {
  test(`small-face preset, seed ${seed}: 2×2 adds ≥5 points of recall at no loss of HOTA or precision (DetPr, IoU 0.5); auto keeps ≥80% of the gain at ≤50% of the extra cost`, async () => {
    const opts: GenerateOptions = { width: 1920, height: 1080, fps: 24, seed, preset: 'small-faces' };
    const none = await runTiles(opts, '1x1');
    const grid = await runTiles(opts, '2x2');
    const auto = await runTiles(opts, 'auto');

    assert.ok(grid.scores.recall >= none.scores.recall + 0.05 && grid.s.DetRe >= none.s.DetRe + 0.05, `recall ${none.scores.recall} → ${grid.scores.recall}`);
    assert.ok(grid.s.HOTA >= none.s.HOTA, `HOTA ${none.s.HOTA} → ${grid.s.HOTA}`);
    assert.ok(grid.s.DetPr >= none.s.DetPr, `DetPr ${none.s.DetPr} → ${grid.s.DetPr}`);
    assert.ok(grid.scores.precision >= none.scores.precision, `precision at IoU 0.5 ${none.scores.precision} → ${grid.scores.precision}`);
    assert.ok(grid.s.MOTA >= none.s.MOTA && grid.s.IDF1 >= none.s.IDF1, 'MOTA and IDF1 do not drop');

    const gain = grid.scores.recall - none.scores.recall;
    assert.ok(auto.scores.recall - none.scores.recall >= 0.8 * gain, `auto recall ${auto.scores.recall}: keeps ${((auto.scores.recall - none.scores.recall) / gain).toFixed(2)} of the gain`);
    assert.ok(auto.cost <= 0.5 * grid.cost, `auto costs ${auto.cost.toFixed(2)} detector runs per frame, 2×2 ${grid.cost.toFixed(2)}`);
    assert.ok(auto.s.HOTA >= none.s.HOTA && auto.scores.precision >= none.scores.precision, `auto HOTA ${auto.s.HOTA}, precision ${auto.scores.precision}`);

    // The face check saw the props: it dropped boxes, and said why.
    const v = grid.metrics.detection!.verify;
    assert.ok(v.dropped + v.fell_back > 0 && v.by_reason.redetect > 0, JSON.stringify(v));
    assert.equal(none.metrics.detection!.tile_inferences, 0);
    for (const run of [grid, auto]) assert.deepEqual(run.duplicates, [], `${run.metrics.detection!.tiles}: a face with two boxes`);
  });
}

test('no face gets two boxes on one frame with tiles on: 3×3 on a random 640×360 episode and on crossing faces, auto on a 720p small-face episode', async () => {
  const cases: [GenerateOptions, string][] = [
    [{ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 }, '3x3'],
    [{ width: 640, height: 360, fps: 24, seed: 2, preset: 'crossing' }, '3x3'],
    [{ width: 1280, height: 720, fps: 24, seed: 2, preset: 'small-faces' }, 'auto'],
  ];
  for (const [opts, tiles] of cases) {
    const run = await runTiles(opts, tiles);
    assert.deepEqual(run.duplicates, [], `${opts.preset ?? 'random'} ${tiles}`);
    assert.ok(run.scores.recall > 0);
  }
});
