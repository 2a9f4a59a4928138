// The text of a new episode config for a picked video.
import * as path from 'node:path';
import { ID_MAX_LENGTH } from '../server/engine/manifests/ids';

/** A valid ep_id from a file name: `My Show S01E02.mp4` → `My-Show-S01E02`. */
export function epIdFromVideo(videoPath: string): string {
  const stem = path.basename(videoPath, path.extname(videoPath));
  return stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+|-+$/g, '').slice(0, ID_MAX_LENGTH) || 'episode';
}

export function scaffoldConfig(opts: { epId: string; configPath: string; videoPath: string }): string {
  const rel = path.relative(path.dirname(opts.configPath), opts.videoPath).split(path.sep).join('/');
  const video = path.isAbsolute(rel) || rel.startsWith('../../..') ? opts.videoPath : rel;
  return `# Episode Lab config. Hover a key for what it does; Run Episode is above and in the editor title.
ep_id: ${opts.epId}
video: ${JSON.stringify(video)}
# Outputs go to <output_root>/<ep_id>/, relative to this file.
output_root: episodes
# Analyse every 6th frame; 1 analyses all of them.
stride: 6
export:
  crops: true
`;
}
