// The evaluation stage on a generated episode with its exact ground truth (gt.txt from the
// generator): a real engine run scored, `frames: all` over the interpolated tracks, the run
// summary and history carrying the scores, and "Export as MOT" read back as a ground truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEpisode } from '../fixtures/episode-generator';
import { readJsonl, readManifest, runCli } from '../helpers/run-cli';
import { readGroundTruth } from '../../server/engine/eval/ground-truth';
import type { EvalFrameRow, EvalReport } from '../../server/engine/eval/evaluate-run';

test('a run scored against the generated ground truth: sane HOTA, eval.json, eval_frames.jsonl, summary and history', async () => {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 });
  const root = mkdtempSync(join(tmpdir(), 'ep-eval-'));
  const out = join(root, 'syn');
  const base = ['--ep-id', 'syn', '--video', ep.video, '--output-root', root, '--quiet', '--ground-truth', ep.gtPath];

  const r = await runCli([...base, '--run-id', 'analysed']);
  assert.equal(r.code, 0, r.stderr);
  const report = readManifest<EvalReport>(out, 'eval.json');
  const s = report.scores;
  console.log(`# analysed frames: HOTA ${s.HOTA.toFixed(3)} DetA ${s.DetA.toFixed(3)} AssA ${s.AssA.toFixed(3)} MOTA ${s.MOTA.toFixed(3)} IDF1 ${s.IDF1.toFixed(3)} FP ${s.FP} FN ${s.FN} IDSW ${s.IDSW}`);
  assert.ok(s.HOTA >= 0.6 && s.HOTA <= 1, `HOTA ${s.HOTA}`);
  assert.ok(s.IDF1 >= 0.85, `IDF1 ${s.IDF1}`);
  assert.ok(s.MOTA >= 0.85, `MOTA ${s.MOTA}`);
  const metrics = readManifest(out, 'track_metrics.json');
  assert.equal(report.frames, 'analysed');
  assert.equal(report.frames_scored, metrics.stats.frames_analysed);
  assert.deepEqual(metrics.evaluation.scores, s);
  assert.match(r.stdout, /scores {3}HOTA \d+\.\d% \(DetA/);
  const runs = JSON.parse(readFileSync(join(out, 'runs.json'), 'utf8')).runs;
  assert.deepEqual(runs.at(-1).scores, s);

  // Per frame: only analysed frames, and the counts add up to the CLEAR totals.
  const frames = readJsonl<EvalFrameRow>(out, 'eval_frames.jsonl');
  const analysed = new Set(readJsonl(out, 'detections.jsonl').map((d) => d.frame_idx));
  for (const f of frames) if (f.matches.length || f.fp.length) assert.ok(analysed.has(f.frame_idx), `frame ${f.frame_idx} was not analysed`);
  const sum = (k: 'fn' | 'fp' | 'idsw' | 'frag') => frames.reduce((n, f) => n + f[k].length, 0);
  assert.deepEqual([sum('fn'), sum('fp'), sum('idsw'), sum('frag')], [s.FN, s.FP, s.IDSW, s.Frag]);
  assert.equal(frames.reduce((n, f) => n + f.matches.length, 0), report.clear.TP);

  // A replay of the analysis (no pixels) is scored exactly as the live run was.
  const replay = await runCli([...base, '--run-id', 'replayed']);
  assert.equal(replay.code, 0, replay.stderr);
  assert.equal(readManifest(out, 'track_metrics.json').cache.analysis, 'reused');
  assert.deepEqual(readManifest<EvalReport>(out, 'eval.json'), report);

  // `frames: all` scores every frame (the analysis is replayed from the cache), over interpolated tracks.
  const all = await runCli([...base, '--run-id', 'all', '--set', 'evaluation.frames=all', '--export-mot', join(root, 'export.zip')]);
  assert.equal(all.code, 0, all.stderr);
  const reportAll = readManifest<EvalReport>(out, 'eval.json');
  assert.equal(reportAll.frames_scored, readManifest(out, 'track_metrics.json').stats.frames_decoded);
  assert.ok(reportAll.tracks.rows > report.tracks.rows * 5, `${reportAll.tracks.rows} interpolated rows vs ${report.tracks.rows} analysed`);
  console.log(`# all frames: HOTA ${reportAll.scores.HOTA.toFixed(3)} MOTA ${reportAll.scores.MOTA.toFixed(3)} IDF1 ${reportAll.scores.IDF1.toFixed(3)}`);
  assert.ok(reportAll.scores.HOTA >= 0.6, `HOTA ${reportAll.scores.HOTA}`);
  assert.match(all.stdout, /MOT {6}.*export\.zip/);

  // The run's own export as ground truth, every frame: a perfect score, so export and scoring agree.
  const exported = await readGroundTruth(join(root, 'export.zip'), 1);
  assert.deepEqual(exported.labels, ['face']);
  assert.equal(exported.rows.length, reportAll.tracks.rows);
  const self = await runCli([...base.slice(0, -1), join(root, 'export.zip'), '--run-id', 'self', '--set', 'evaluation.frames=all']);
  assert.equal(self.code, 0, self.stderr);
  const perfect = readManifest<EvalReport>(out, 'eval.json').scores;
  assert.deepEqual([perfect.HOTA, perfect.MOTA, perfect.IDF1, perfect.FP, perfect.FN, perfect.IDSW], [1, 1, 1, 0, 0, 0]);
});
