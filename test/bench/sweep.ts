// Sweep bench (issue 14, DESIGN §12): on the generated 1080p24 episode with its ground truth, a
// stride [3, 6, 12] × scene.cooldown [0, 24, 48] sweep (9 points over one shared analysis pass)
// against one fresh full run at stride 3; then every point run standalone (a default run into an
// empty output root, so it records its cache as a user's first run does) to check
// that its HOTA equals the sweep point's (within 1e-6) and that its predicted speed is near the
// measured one. Times are process wall clock (Node start included). Exits 1 when a check fails.
//   node --import tsx test/bench/sweep.ts [--duration 120]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateEpisode } from '../fixtures/episode-generator';
import type { RunSummary } from '../../server/engine/history/run-summary';
import { median } from './timing';

const CLI = resolve(__dirname, '../../dist/cli.js');
const STRIDES = [3, 6, 12];
const COOLDOWNS = [0, 24, 48];

function run(args: string[]): { s: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args, '--quiet'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`episode-run ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  return { s: (performance.now() - t0) / 1000, stdout: r.stdout };
}

const metricsOf = (epDir: string) => JSON.parse(readFileSync(join(epDir, 'manifests', 'track_metrics.json'), 'utf8'));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '120' } } });
  const ep = await generateEpisode({ width: 1920, height: 1080, fps: 24, durationS: Number(values.duration), seed: 7 });
  const work = mkdtempSync(join(tmpdir(), 'bench-sweep-'));
  const yaml = (root: string, extra: string) =>
    `ep_id: bench\nvideo: ${ep.video}\noutput_root: ${root}\nevaluation:\n  ground_truth: ${ep.gtPath}\n${extra}`;
  const load0 = loadavg()[0];

  // One fresh full run at stride 3 as a user runs it: default settings, so it fills an empty
  // cache, and with the gate on that embeds every detection on sampled frames (the live pass of
  // the sweep does the same). --no-cache, for reference, embeds only the faces the gate asks for.
  const freshCfg = join(work, 'fresh.episode.yaml');
  writeFileSync(freshCfg, yaml(join(work, 'fresh'), 'stride: 3\n'));
  const fresh = run(['--config', freshCfg]).s;
  console.error(`fresh full run, stride 3: ${fresh.toFixed(1)} s`);
  const freshNoCache = run(['--config', freshCfg, '--no-cache']).s;
  console.error(`fresh full run, stride 3, --no-cache: ${freshNoCache.toFixed(1)} s`);

  // The sweep, from an empty cache.
  const sweepCfg = join(work, 'sweep.episode.yaml');
  writeFileSync(sweepCfg, yaml(join(work, 'sweep'), `sweep:\n  stride: [${STRIDES}]\n  scene.cooldown: [${COOLDOWNS}]\n`));
  const sweepRun = run(['--config', sweepCfg, '--sweep', '--objective', 'hota', '--json']);
  const result = JSON.parse(sweepRun.stdout.trim().split('\n').pop()!) as { csv: string; runs: RunSummary[]; tuning: { best: { run_id: string } } };
  console.error(`sweep, 9 points: ${sweepRun.s.toFixed(1)} s`);
  const csvHeader = readFileSync(result.csv, 'utf8').split('\n')[0].split(',');

  // Each point standalone: HOTA equal, speed predicted vs measured.
  const rows: string[] = [];
  const errors: number[] = [];
  let worstHota = 0;
  for (const r of result.runs) {
    const { stride, 'scene.cooldown': cooldown } = r.sweep!.values as { stride: number; 'scene.cooldown': number };
    const cfg = join(work, `alone-${stride}-${cooldown}.episode.yaml`);
    const root = join(work, `alone-${stride}-${cooldown}`);
    writeFileSync(cfg, yaml(root, `stride: ${stride}\nscene:\n  cooldown: ${cooldown}\n`));
    // A default run in its own output root (an empty cache): what the prediction models.
    const alone = run(['--config', cfg]).s;
    const m = metricsOf(join(root, 'bench'));
    const hotaAlone = m.evaluation.scores.HOTA as number;
    const dHota = Math.abs(hotaAlone - r.scores!.HOTA);
    worstHota = Math.max(worstHota, dHota);
    const engineAlone = m.stats.wall_time_s as number;
    const err = (r.standalone_s! - engineAlone) / engineAlone;
    if (r.speed_predicted) errors.push(Math.abs(err));
    rows.push(`| ${stride} | ${cooldown} | ${r.scores!.HOTA.toFixed(4)} | ${dHota.toExponential(1)} | ${r.scores!.IDF1.toFixed(4)} | ${r.scores!.MOTA.toFixed(4)} | ` +
      `${r.standalone_s!.toFixed(1)} s ${r.speed_predicted ? 'predicted' : 'measured'} | ${engineAlone.toFixed(1)} s | ${r.speed_predicted ? `${(100 * err).toFixed(0)} %` : '—'} | ${alone.toFixed(1)} s |`);
    console.error(`  standalone stride ${stride} cooldown ${cooldown}: ${alone.toFixed(1)} s, HOTA Δ ${dHota.toExponential(1)}`);
  }
  const ratio = sweepRun.s / fresh;
  const csvOk = ['HOTA', 'IDF1', 'MOTA'].every((c) => csvHeader.includes(c));
  console.log(`\nSweep bench: ${ep.frames} frames 1920×1080 24 fps, ground truth ${ep.tracks} tracks; ${cpus().length} cores, load ${load0.toFixed(1)} at start, ${loadavg()[0].toFixed(1)} at end`);
  console.log(`fresh full run at stride 3: ${fresh.toFixed(1)} s (--no-cache: ${freshNoCache.toFixed(1)} s); ` +
    `9-point sweep (stride ${STRIDES} × cooldown ${COOLDOWNS}): ${sweepRun.s.toFixed(1)} s = ${ratio.toFixed(2)}× the fresh run (limit 1.5×), ${(sweepRun.s / freshNoCache).toFixed(2)}× the --no-cache one`);
  console.log(`HOTA, point vs standalone: max |Δ| ${worstHota.toExponential(1)} (limit 1e-6); CSV columns HOTA, IDF1, MOTA: ${csvOk ? 'yes' : 'NO'}`);
  console.log(`predicted standalone time vs the standalone run's engine wall time: median |error| ${(100 * median(errors)).toFixed(0)} %, max ${(100 * Math.max(...errors)).toFixed(0)} %`);
  console.log(`best on HOTA (--objective hota): ${result.tuning.best.run_id}`);
  console.log('\n| stride | cooldown | HOTA | |Δ| vs standalone | IDF1 | MOTA | point: standalone time | standalone run (engine) | prediction error | standalone (process) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  if (ratio > 1.5 || worstHota > 1e-6 || !csvOk) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
