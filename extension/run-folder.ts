// Where a config's run writes: <output_root>/<ep_id>, resolved the way the engine does.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { absolutizePaths, parseConfigYaml, withDefaults, type EpisodeConfig } from '../server/config/episode-config';

export interface RunFolder {
  epId: string;
  outDir: string;
  video: string;
}

/** Throws with a readable message when the config cannot name its run folder. */
export async function runFolderOf(configPath: string): Promise<RunFolder> {
  const raw = parseConfigYaml(await readFile(configPath, 'utf8'), path.basename(configPath));
  const cfg = withDefaults(raw) as Partial<EpisodeConfig>;
  if (typeof cfg.ep_id !== 'string' || typeof cfg.video !== 'string' || typeof cfg.output_root !== 'string') {
    throw new Error(`${path.basename(configPath)} needs ep_id and video before it has a run folder`);
  }
  const abs = absolutizePaths(cfg as EpisodeConfig, path.dirname(configPath));
  return { epId: cfg.ep_id, outDir: path.join(abs.output_root, cfg.ep_id), video: abs.video };
}
