// Re-cluster bench (issue 15): on the generated recurring-cast episode (6 people, 12 shots,
// 1280×720 24 fps), a full run with identities against `--recluster` after a change of
// identity.threshold, which replays the manifests (no decode, no ffmpeg, no track-face
// embedding). Times are process wall clock (Node start included), medians over --reps.
//   node --import tsx test/bench/recluster.ts [--reps 3]
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateEpisode } from '../fixtures/episode-generator';
import { median, timedCli } from './timing';


async function main(): Promise<void> {
  const { values } = parseArgs({ options: { reps: { type: 'string', default: '3' } } });
  const reps = Number(values.reps);
  const ep = await generateEpisode({ width: 1280, height: 720, fps: 24, seed: 7, preset: 'recurring-cast' });
  const base = (root: string) => ['--ep-id', 'bench', '--video', ep.video, '--output-root', root, '--identities', '--stride', '6'];
  const fulls: number[] = [];
  const reclusters: number[] = [];
  for (let i = 0; i < reps; i++) {
    const root = mkdtempSync(join(tmpdir(), 'bench-recluster-'));
    fulls.push(timedCli([...base(root), '--no-cache']));
    reclusters.push(timedCli([...base(root), '--no-cache', '--recluster', '--set', `identity.threshold=${[0.4, 0.6, 0.3][i % 3]}`]));
    const m = JSON.parse(readFileSync(join(root, 'bench', 'manifests', 'track_metrics.json'), 'utf8'));
    console.error(`  rep ${i + 1}/${reps}: full ${fulls[i].toFixed(2)} s, re-cluster ${reclusters[i].toFixed(2)} s (stage ${m.identities.wall_s} s, ${m.identities.identities} identities)`);
  }
  const [full, re] = [median(fulls), median(reclusters)];
  console.log(`\nEpisode: ${ep.frames} frames 1280×720 24 fps (recurring-cast); stride 6; ${reps} reps, medians; ${cpus().length} cores`);
  console.log(`| run | wall (s) |\n|---|---|\n| full run with identities (--no-cache) | ${full.toFixed(2)} |\n| --recluster after identity.threshold changed | ${re.toFixed(2)} |`);
  console.log(`re-cluster / full: ${((100 * re) / full).toFixed(1)}%`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
