// Season bench: six generated episodes run as a season two at a time (`--season --jobs 2`)
// against the same six one after another (`--jobs 1`), each into a fresh output root so every
// run decodes and detects. Times are process wall clock, medians over interleaved pairs.
//   node --import tsx test/bench/season.ts [--pairs 2] [--duration 20]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { generateEpisode } from '../fixtures/episode-generator';
import { median } from './timing';

const CLI = resolve(__dirname, '../../dist/cli.js');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { pairs: { type: 'string', default: '2' }, duration: { type: 'string', default: '20' } } });
  const videos: string[] = [];
  for (let i = 1; i <= 6; i++) videos.push((await generateEpisode({ width: 640, height: 360, fps: 24, durationS: Number(values.duration), seed: 40 + i })).video);
  const work = mkdtempSync(join(tmpdir(), 'bench-season-'));
  let n = 0;
  const timed = (jobs: number): number => {
    const dir = join(work, `r${++n}`);
    const file = join(work, `r${n}.season.yaml`);
    writeFileSync(file, stringify({ base: { output_root: dir }, episodes: videos.map((video, i) => ({ ep_id: `E${i + 1}`, video })) }));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, '--season', file, '--jobs', String(jobs), '--quiet'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`episode-run --season failed: ${r.stderr.slice(-500)}`);
    return (performance.now() - t0) / 1000;
  };
  const one: number[] = [];
  const two: number[] = [];
  for (let p = 0; p < Number(values.pairs); p++) {
    one.push(timed(1));
    two.push(timed(2));
    console.error(`pair ${p + 1}: one after another ${one[p].toFixed(1)} s, two at a time ${two[p].toFixed(1)} s`);
  }
  const [a, b] = [median(one), median(two)];
  console.log(`season of 6 × ${values.duration} s 640×360 episodes on ${cpus().length} cores: one after another ${a.toFixed(1)} s, --jobs 2 ${b.toFixed(1)} s (${(b / a).toFixed(2)}× the time)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
