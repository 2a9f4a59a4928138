// The sample workspace of the editor tests and `npm run demo:editor`: a Tears of Steel config,
// one to tune the tracker on, a slower one to cancel, a deliberately broken one for the
// Problems panel, and a season of three generated episodes. And the workspace of the Restricted
// Mode e2e, whose binaries leave markers.
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
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

/** The ground-truth id of a person the run cannot find (nothing is drawn there): every frame of it a miss. */
export const GHOST_GT_ID = 999;

/**
 * A generated episode scored against its ground truth (with-gt.episode.yaml: the name sorts after
 * the Tears of Steel configs, so the Runs view's first rows stay theirs), with one extra
 * ground-truth id, GHOST_GT_ID, in an empty corner of frames 12–35: misses (FN markers) for
 * certain, whatever the detector does with the real faces.
 */
export async function addScored(dir: string): Promise<void> {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 12, durationS: 6, seed: 7 });
  mkdirSync(path.join(dir, 'scored'), { recursive: true });
  copyFileSync(ep.video, path.join(dir, 'scored', 'episode.mp4'));
  const gt = path.join(dir, 'scored', 'gt.txt');
  writeFileSync(gt, readFileSync(ep.gtPath, 'utf8'));
  // MOTChallenge rows, 1-based frames: frame, id, left, top, width, height, considered, class, visibility.
  for (let f = 12; f < 36; f++) appendFileSync(gt, `${f + 1},${GHOST_GT_ID},560,8,64,64,1,1,1\n`);
  writeFileSync(path.join(dir, 'with-gt.episode.yaml'),
    '# A generated episode scored against its ground truth (one person in it the run cannot find).\n'
    + 'ep_id: scored\nvideo: scored/episode.mp4\noutput_root: episodes\nstride: 3\nevaluation:\n  ground_truth: scored/gt.txt\n');
}

/** The comments and layout Apply must keep (SWEEP_CONFIG): a generated episode with its ground truth and a 2-key grid. */
export const SWEEP_CONFIG = [
  '# A generated episode and its ground truth: tune stride and cooldown against HOTA.',
  'ep_id: gen-sweep',
  'video: videos/gen-sweep.mp4',
  'output_root: episodes',
  'stride: 6 # every 6th frame',
  'scene:',
  '  cooldown: 24   # F1: frames after a reset',
  'evaluation:',
  '  ground_truth: videos/gen-sweep-gt.txt',
  '',
  '# The grid: Run Episode runs all four points.',
  'sweep:',
  '  stride: [3, 6]',
  '  scene.cooldown: [0, 120]',
  '',
].join('\n');

/** with-sweep.episode.yaml (sorts after the Tears of Steel configs, so the Runs view's first rows stay theirs): a 30 s generated episode (cuts 101 and 111 frames after a reset, so cooldown 120 matters). */
export async function addSweep(dir: string): Promise<void> {
  mkdirSync(path.join(dir, 'videos'), { recursive: true });
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 30, seed: 3 });
  copyFileSync(ep.video, path.join(dir, 'videos', 'gen-sweep.mp4'));
  copyFileSync(ep.gtPath, path.join(dir, 'videos', 'gen-sweep-gt.txt'));
  writeFileSync(path.join(dir, 'with-sweep.episode.yaml'), SWEEP_CONFIG);
}

/**
 * The Identities walk-through: a generated episode where six people come back over twelve shots,
 * with identities on, crops exported (the Name edit saves them) and an empty cast folder.
 */
export async function addCast(dir: string): Promise<void> {
  mkdirSync(path.join(dir, 'videos'), { recursive: true });
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, seed: 7, preset: 'recurring-cast' });
  copyFileSync(ep.video, path.join(dir, 'videos', 'cast.mp4'));
  mkdirSync(path.join(dir, 'cast'), { recursive: true });
  writeFileSync(path.join(dir, 'with-cast.episode.yaml'), [
    '# Six generated people over twelve shots: Run Episode, then Identities.',
    'ep_id: cast', 'video: videos/cast.mp4', 'output_root: episodes', 'stride: 2',
    'export:', '  crops: true', 'identity:', '  enabled: true', '  cast_dir: cast', '',
  ].join('\n'));
}

/**
 * A workspace whose settings (episodeLab.ffmpegPath, episodeLab.engine.nodePath) and config
 * (ffmpeg.path) name "binaries": scripts that leave `<script>.ran` beside them, then run the real
 * ffmpeg or Node. Opened untrusted, none may run; trusted, they all do and the run completes.
 */
export function makeRestrictedWorkspace(dir: string): void {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(path.join(dir, '.vscode'));
  const ffmpeg = resolveFfmpeg().path;
  const scripts = { 'ffmpeg-setting.sh': ffmpeg, 'node-setting.sh': process.execPath, 'ffmpeg-config.sh': ffmpeg };
  for (const [name, real] of Object.entries(scripts)) {
    writeFileSync(path.join(bin, name), `#!/bin/sh\ntouch "$0.ran"\nexec '${real}' "$@"\n`, { mode: 0o755 });
  }
  writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({
    'episodeLab.ffmpegPath': path.join(bin, 'ffmpeg-setting.sh'),
    'episodeLab.engine.nodePath': path.join(bin, 'node-setting.sh'),
  }, null, 2));
  execFileSync(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=24', '-t', '2',
    '-pix_fmt', 'yuv420p', path.join(dir, 'clip.mp4')]);
  writeFileSync(path.join(dir, 'restricted.episode.yaml'),
    'ep_id: restricted\nvideo: clip.mp4\noutput_root: episodes\nffmpeg:\n  path: bin/ffmpeg-config.sh\n');
}

if (require.main === module) {
  const [flag, target] = process.argv[2] === '--restricted' ? ['--restricted', process.argv[3]] : ['', process.argv[2]];
  if (!target) throw new Error('usage: workspace.ts [--restricted] DIR');
  if (flag) {
    makeRestrictedWorkspace(path.resolve(target));
  } else {
    const ws = makeWorkspace(path.resolve(target));
    if (ws.clipMissing) console.error(`warning: ${ws.clipMissing}; runs will fail, diagnostics still work`);
    void addSeason(ws.dir).then(() => addScored(ws.dir)).then(() => addSweep(ws.dir)).then(() => addCast(ws.dir));
  }
}
