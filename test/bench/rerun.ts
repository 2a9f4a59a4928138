// Re-run bench (issue 6): on the generated 1080p24 episode, a full run that computes and caches
// the analysis stage, the same run with --no-cache (the live pass without the cache, to price
// embedding every detection for the cache), a re-run after changing only tracker.match_thresh
// (replays the cache), and a 3-point match_thresh sweep. Times are process wall clock (Node
// start included), medians over --reps; no crops, as crops need decoded frames.
//   node --import tsx test/bench/rerun.ts [--duration 120] [--reps 3]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateEpisode } from '../fixtures/episode-generator';
import { median, timedCli } from './timing';

const tracksOf = (root: string) => readFileSync(join(root, 'bench', 'manifests', 'tracks.jsonl'), 'utf8');
const metricsOf = (root: string) => JSON.parse(readFileSync(join(root, 'bench', 'manifests', 'track_metrics.json'), 'utf8'));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '120' }, reps: { type: 'string', default: '3' } } });
  const reps = Number(values.reps);
  const ep = await generateEpisode({ width: 1920, height: 1080, fps: 24, durationS: Number(values.duration), seed: 7 });
  const work = mkdtempSync(join(tmpdir(), 'bench-rerun-'));
  const cached = join(work, 'cached');
  const live = join(work, 'live');
  const base = (root: string) => ['--ep-id', 'bench', '--video', ep.video, '--output-root', root, '--stride', '6'];

  const full = timedCli(base(cached));
  const m = metricsOf(cached);
  const entry = m.cache.size_bytes;
  console.error(`full run (computes the cache): ${full.toFixed(2)} s`);
  const noCache = timedCli([...base(live), '--no-cache']);
  console.error(`full run --no-cache: ${noCache.toFixed(2)} s`);

  const reruns: number[] = [];
  for (let i = 0; i < reps; i++) {
    reruns.push(timedCli([...base(cached), '--match-thresh', String([0.7, 0.6, 0.75][i % 3])]));
    console.error(`  cached re-run ${i + 1}/${reps}: ${reruns[i].toFixed(2)} s`);
  }
  // Same config as the last re-run, live: the tracks must match.
  timedCli([...base(live), '--match-thresh', String([0.7, 0.6, 0.75][(reps - 1) % 3]), '--no-cache']);
  const equal = tracksOf(cached) === tracksOf(live);
  const replayed = metricsOf(cached);

  const config = join(work, 'sweep.episode.yaml');
  writeFileSync(config, `ep_id: bench\nvideo: ${ep.video}\noutput_root: ${cached}\nstride: 6\nsweep:\n  tracker.match_thresh: [0.6, 0.7, 0.8]\n`);
  const sweeps: number[] = [];
  for (let i = 0; i < reps; i++) sweeps.push(timedCli(['--config', config, '--sweep']));

  const rerun = median(reruns);
  const sweep = median(sweeps);
  console.log(`\nEpisode: ${ep.frames} frames 1920×1080 24 fps; stride 6; gate on; ${reps} reps, medians; process wall clock`);
  console.log('| run | wall s | ÷ full run |');
  console.log('|---|---|---|');
  console.log(`| full run, computes and caches the analysis stage | ${full.toFixed(2)} | 1.00 |`);
  console.log(`| full run, --no-cache (gate embeds only what it asks for) | ${noCache.toFixed(2)} | ${(noCache / full).toFixed(3)} |`);
  console.log(`| re-run after a tracker.match_thresh change (analysis reused) | ${rerun.toFixed(2)} | ${(rerun / full).toFixed(3)} |`);
  console.log(`| 3-point match_thresh sweep, cached | ${sweep.toFixed(2)} | ${(sweep / full).toFixed(3)} |`);
  console.log(`\nre-run ÷ full run: ${((100 * rerun) / full).toFixed(1)}% (target ≤ 5%); in-engine wall of the re-run ${replayed.stats.wall_time_s} s`);
  console.log(`sweep ÷ one re-run: ${(sweep / rerun).toFixed(2)}× (target ≤ 3×)`);
  console.log(`cache entry: ${(entry / 1e6).toFixed(1)} MB; re-run tracks equal to a --no-cache run: ${equal ? 'yes' : 'NO'}`);
  rmSync(work, { recursive: true, force: true });
  if (!equal) process.exitCode = 1;
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
