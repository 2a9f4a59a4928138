// `npm run bench` (tiles part): detector tile modes on generated small-face episodes (or another
// preset) with ground truth, scored by the engine's evaluation (`--ground-truth`, eval.json). For
// none, 2×2, 3×3 and auto: HOTA with its detection recall and precision (DetRe, DetPr), recall and
// precision at IoU 0.5, MOTA and IDF1, what tiles and the face check cost per analysed frame
// (model runs, which do not depend on the machine's load, and the engine thread's detection
// milliseconds, which do), and the recall each extra detector run bought. Modes run interleaved, so machine noise hits each alike.
//   node --import tsx test/bench/tiles.ts [--seeds 1,2,3] [--width 1920 --height 1080] [--modes 1x1,2x2,3x3,auto]
//     [--preset small-faces|crossing|…|random] (random: a --duration-s episode, default 20)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { EvalReport } from '../../server/engine/eval/evaluate-run';
import { readGroundTruth } from '../../server/engine/eval/ground-truth';
import { readRunRows } from '../../server/engine/eval/run-rows';
import type { TrackMetrics } from '../../server/engine/manifests/track-metrics';
import { generateEpisode } from '../fixtures/episode-generator';
import type { PresetName } from '../fixtures/presets';
import { detectionScores, duplicateFaces, extraCost } from '../helpers/tile-scoring';

const CLI = resolve(__dirname, '../../dist/cli.js');

interface Row { hota: number; detRe: number; detPr: number; recall: number; precision: number; mota: number; idf1: number; cost: number; ms: number; dups: number; frames: number; checked: number; dropped: number }

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { seeds: { type: 'string', default: '1,2,3' }, width: { type: 'string', default: '1920' }, height: { type: 'string', default: '1080' }, modes: { type: 'string', default: '1x1,2x2,3x3,auto' },
      preset: { type: 'string', default: 'small-faces' }, 'duration-s': { type: 'string', default: '20' } },
  });
  const modes = values.modes!.split(',');
  const rows = new Map<string, Row[]>(modes.map((m) => [m, []]));
  for (const seed of values.seeds!.split(',').map(Number)) {
    const episode = values.preset === 'random' ? { durationS: Number(values['duration-s']) } : { preset: values.preset as PresetName };
    const ep = await generateEpisode({ width: Number(values.width), height: Number(values.height), fps: 24, seed, ...episode });
    const gt = (await readGroundTruth(ep.gtPath, 1)).rows;
    console.log(`${values.preset} seed ${seed}: ${ep.frames} frames ${values.width}×${values.height}, ${ep.tracks} GT tracks`);
    for (const mode of modes) {
      const root = mkdtempSync(join(tmpdir(), 'bench-tiles-'));
      const r = spawnSync(process.execPath, [CLI, '--ep-id', 'b', '--video', ep.video, '--output-root', root, '--quiet', '--no-gate', '--no-cache', '--tiles', mode, '--ground-truth', ep.gtPath], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`--tiles ${mode} failed: ${r.stderr.slice(-500)}`);
      const out = join(root, 'b', 'manifests');
      const m = JSON.parse(readFileSync(join(out, 'track_metrics.json'), 'utf8')) as TrackMetrics;
      const report = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')) as EvalReport;
      const hyp = await readRunRows(join(out, 'detections.jsonl'));
      const d = m.detection!;
      const s = report.scores;
      rows.get(mode)!.push({
        hota: s.HOTA, detRe: s.DetRe, detPr: s.DetPr, ...detectionScores(report), mota: s.MOTA, idf1: s.IDF1, cost: extraCost(d), ms: d.per_frame.detection_ms ?? NaN,
        dups: duplicateFaces(gt, hyp).length, frames: d.frames, checked: d.verify.checked, dropped: d.verify.dropped + d.verify.fell_back,
      });
      rmSync(root, { recursive: true, force: true });
      process.stderr.write(`  ${mode}: done\n`);
    }
  }
  const mean = (mode: string, k: keyof Row) => rows.get(mode)!.reduce((s, r) => s + r[k], 0) / rows.get(mode)!.length;
  const base = modes[0];
  const pct = (v: number) => (v * 100).toFixed(1);
  console.log(`\nMeans over seeds ${values.seeds}. Extra cost: detector runs per analysed frame beyond the whole-frame pass (tiles, face-check views, landmark runs at 0.1).`);
  console.log(`ms: the engine thread's detection time per analysed frame, measured in this run (a loaded machine inflates it).`);
  console.log('| tiles | HOTA | DetRe | DetPr | recall % (IoU 0.5) | precision % (IoU 0.5) | MOTA % | IDF1 % | extra cost (runs/frame) | extra cost ÷ 2x2\'s | detection ms/frame | extra ms ÷ 2x2\'s | recall gained per extra run | boxes checked / dropped | faces with 2 boxes |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const gridExtraMs = rows.has('2x2') ? mean('2x2', 'ms') - mean(base, 'ms') : NaN;
  for (const mode of modes) {
    const gainPerRun = mean(mode, 'cost') > 0 ? ((mean(mode, 'recall') - mean(base, 'recall')) * 100) / mean(mode, 'cost') : NaN;
    const msRatio = (mean(mode, 'ms') - mean(base, 'ms')) / gridExtraMs;
    const costRatio = rows.has('2x2') ? mean(mode, 'cost') / mean('2x2', 'cost') : NaN;
    console.log(
      `| ${mode} | ${pct(mean(mode, 'hota'))} | ${pct(mean(mode, 'detRe'))} | ${pct(mean(mode, 'detPr'))} | ${pct(mean(mode, 'recall'))} | ${pct(mean(mode, 'precision'))} | ${pct(mean(mode, 'mota'))} | ${pct(mean(mode, 'idf1'))} | ` +
        `${mean(mode, 'cost').toFixed(2)} | ${Number.isFinite(costRatio) ? costRatio.toFixed(2) : '–'} | ` +
        `${mean(mode, 'ms').toFixed(1)} | ${Number.isFinite(msRatio) ? msRatio.toFixed(2) : '–'} | ${Number.isFinite(gainPerRun) ? gainPerRun.toFixed(1) + ' pts' : '–'} | ` +
        `${mean(mode, 'checked').toFixed(0)} / ${mean(mode, 'dropped').toFixed(0)} | ${rows.get(mode)!.reduce((s, r) => s + r.dups, 0)} |`,
    );
  }
}

main().catch((e) => {
  console.error(`bench tiles: ${(e as Error).message}`);
  process.exitCode = 1;
});
