// The engine on generated episodes with exact ground truth (MOTChallenge gt.txt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEpisode, type GenerateOptions } from '../fixtures/episode-generator';
import { formatMotMetrics } from '../fixtures/mot-metrics';
import { evaluateRun } from '../helpers/evaluate-run';
import { readJsonl, readManifest, runCli } from '../helpers/run-cli';

async function runOn(opts: GenerateOptions, extra: string[] = []) {
  const ep = await generateEpisode(opts);
  const root = mkdtempSync(join(tmpdir(), 'ep-syn-'));
  const r = await runCli(['--ep-id', 'syn', '--video', ep.video, '--output-root', root, '--quiet', ...extra]);
  assert.equal(r.code, 0, r.stderr);
  return { ep, out: join(root, 'syn') };
}

test('20 s 640×360 episode: MOTA ≥ 0.85 and IDF1 ≥ 0.85 against the generated ground truth; cuts exact', async () => {
  const { ep, out } = await runOn({ width: 640, height: 360, fps: 24, durationS: 20, seed: 1 });
  const m = await evaluateRun(ep.gtPath, out, 6);
  console.log(`# ${formatMotMetrics(m)}`);
  assert.ok(m.mota >= 0.85, `MOTA ${m.mota}`);
  assert.ok(m.idf1 >= 0.85, `IDF1 ${m.idf1}`);
  assert.deepEqual(readManifest(out, 'scene_cuts.json').cuts, ep.cuts);
});

test('crossing faces keep their identities (IDF1 ≥ 0.85, no id switch)', async () => {
  const { ep, out } = await runOn({ width: 640, height: 360, fps: 24, seed: 2, preset: 'crossing' });
  const m = await evaluateRun(ep.gtPath, out, 6);
  console.log(`# ${formatMotMetrics(m)}`);
  assert.equal(m.idsw, 0);
  assert.ok(m.idf1 >= 0.85, `IDF1 ${m.idf1}`);
});

test('F1: cuts 10 frames apart with cooldown 24 reset fewer times than they cut, and the rest are counted', async () => {
  const { ep, out } = await runOn({ width: 640, height: 360, fps: 24, seed: 3, preset: 'cut-cooldown' }, ['--scene-cut-cooldown', '24']);
  const cuts = readManifest(out, 'scene_cuts.json');
  assert.deepEqual(cuts.cuts, ep.cuts);
  const metrics = readManifest(out, 'track_metrics.json');
  assert.ok(cuts.resets.length < cuts.cuts.length, `resets ${cuts.resets} vs cuts ${cuts.cuts}`);
  assert.equal(metrics.scene_cuts.suppressed_by_cooldown, cuts.cuts.length - cuts.resets.length);
  assert.ok(metrics.scene_cuts.suppressed_by_cooldown > 0);

  const off = await runOn({ width: 640, height: 360, fps: 24, seed: 3, preset: 'cut-cooldown' }, ['--no-f1']);
  const offCuts = readManifest(off.out, 'scene_cuts.json');
  assert.deepEqual(offCuts.resets, offCuts.cuts, 'with F1 off every cut resets');
  assert.ok(readJsonl(off.out, 'tracks.jsonl').length >= readJsonl(out, 'tracks.jsonl').length);
});
