// The sample workspace of the editor tests and `npm run demo:editor`: a Tears of Steel config,
// one to tune the tracker on, a slower one to cancel, a deliberately broken one for the
// Problems panel, and a season of three generated episodes.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import { TOS_CLIP } from '../helpers/shared-data';
import { generateEpisode } from '../fixtures/episode-generator';

export { TOS_CLIP };

export function makeWorkspace(dir: string): { dir: string; clipMissing?: string } {
  mkdirSync(dir, { recursive: true });
  const header = '# Footage: Tears of Steel (c) Blender Foundation, CC-BY 3.0 (mango.blender.org)\n';
  writeFileSync(path.join(dir, 'tos.episode.yaml'),
    `${header}ep_id: tos\nvideo: ${JSON.stringify(TOS_CLIP)}\noutput_root: episodes\nstride: 6\nexport:\n  crops: true\n`);
  // Every frame analysed on one thread: slow enough to cancel mid-run.
  writeFileSync(path.join(dir, 'tos-cancel.episode.yaml'),
    `${header}ep_id: tos-cancel\nvideo: ${JSON.stringify(TOS_CLIP)}\noutput_root: episodes\nstride: 1\nthreads: 1\n`);
  // Tuning the tracker: without crops to export, a re-run replays the cached analysis.
  writeFileSync(path.join(dir, 'tos-tune.episode.yaml'),
    `${header}ep_id: tos-tune\nvideo: ${JSON.stringify(TOS_CLIP)}\noutput_root: episodes\nstride: 6\n`);
  writeFileSync(path.join(dir, 'broken.episode.yaml'), 'ep_id: broken\nvideo: missing.mp4\nstride: 0\n');
  writeFileSync(path.join(dir, 'README.md'), '# Episode Lab sample workspace\n\nOpen `tos.episode.yaml` and press Run Episode (the ▶ in the editor title or the lens above the first line).\n');
  return existsSync(TOS_CLIP) ? { dir } : { dir, clipMissing: `shared footage not found at ${TOS_CLIP}` };
}

/** A season of three short generated episodes (no footage needed): s01.season.yaml, two at a time. */
export async function addSeason(dir: string): Promise<void> {
  mkdirSync(path.join(dir, 'videos'), { recursive: true });
  const episodes: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const ep = await generateEpisode({ width: 320, height: 240, fps: 12, durationS: 4, seed: 100 + i });
    copyFileSync(ep.video, path.join(dir, 'videos', `s01e0${i}.mp4`));
    episodes.push(`  - { ep_id: s01e0${i}, video: videos/s01e0${i}.mp4 }`);
  }
  writeFileSync(path.join(dir, 's01.season.yaml'),
    ['# Three generated episodes, run two at a time.', 'base:', '  output_root: episodes', 'episodes:', ...episodes, 'jobs: 2', ''].join('\n'));
}

if (require.main === module) {
  const target = process.argv[2];
  if (!target) throw new Error('usage: workspace.ts DIR');
  const ws = makeWorkspace(path.resolve(target));
  if (ws.clipMissing) console.error(`warning: ${ws.clipMissing}; runs will fail, diagnostics still work`);
  void addSeason(ws.dir);
}
