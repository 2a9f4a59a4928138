// Where a config's run writes: <output_root>/<ep_id>, resolved the way the engine does.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { absolutizePaths, parseConfigYaml, withDefaults, type EpisodeConfig } from '../server/config/episode-config';
import { EpisodeLayout } from '../server/engine/manifests/layout';

export interface RunFolder {
  epId: string;
  /** The episode folder, <output_root>/<ep_id> (layout.dir). */
  outDir: string;
  layout: EpisodeLayout;
  video: string;
}

export function runFolderAt(layout: EpisodeLayout, video = ''): RunFolder {
  return { epId: layout.epId, outDir: layout.dir, layout, video };
}

/** Throws with a readable message when the config cannot name its run folder (an ep_id such as `..` cannot). */
export async function runFolderOf(configPath: string): Promise<RunFolder> {
  const raw = parseConfigYaml(await readFile(configPath, 'utf8'), path.basename(configPath));
  const cfg = withDefaults(raw) as Partial<EpisodeConfig>;
  if (typeof cfg.ep_id !== 'string' || typeof cfg.video !== 'string' || typeof cfg.output_root !== 'string') {
    throw new Error(`${path.basename(configPath)} needs ep_id and video before it has a run folder`);
  }
  const abs = absolutizePaths(cfg as EpisodeConfig, path.dirname(configPath));
  return runFolderAt(new EpisodeLayout(abs.output_root, cfg.ep_id), abs.video);
}
