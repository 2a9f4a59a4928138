// Re-clustering without a run: when only `identity.*` or the cast changed since the episode's last
// completed run, the identity stage replays over its manifests. No decode, no ffmpeg, no
// embedding of track faces; cast photos are embedded only when new (cached by content).
import { readFile } from 'node:fs/promises';
import type { EpisodeConfig } from '../../config/episode-config';
import type { EventSink } from '../events';
import { writeJsonAtomic } from '../manifests/atomic-file';
import { EpisodeLayout } from '../manifests/layout';
import type { IdentitySummary, TrackMetrics } from '../manifests/track-metrics';
import { ensureModels } from '../models/ensure-models';
import { lockEpisode, logIdentities } from '../run';
import { scoreIdentities } from './evaluate-identities';
import { runIdentityStage } from './identity-stage';

export class ReclusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReclusterError';
  }
}

/** The config keys (dotted, top level) that differ between two configs, `identity` and `sweep` left out. */
export function changedBeyondIdentity(a: EpisodeConfig, b: EpisodeConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('identity');
  keys.delete('sweep');
  const at = (c: EpisodeConfig, k: string) => JSON.stringify((c as unknown as Record<string, unknown>)[k]);
  return [...keys].filter((k) => at(a, k) !== at(b, k)).sort();
}

export async function reclusterEpisode(config: EpisodeConfig, onEvent: EventSink = () => undefined): Promise<{ summary: IdentitySummary; metrics: TrackMetrics }> {
  const layout = new EpisodeLayout(config.output_root, config.ep_id);
  const lock = await lockEpisode(layout, { purpose: 'recluster' }, onEvent);
  try {
    const metrics = await readFile(layout.manifest('metrics'), 'utf8').then((t) => JSON.parse(t) as TrackMetrics, () => undefined);
    if (!metrics || metrics.state !== 'completed' || !metrics.faces_embed) {
      throw new ReclusterError(`no completed run with faces_embed in ${layout.manifestsDir} to re-cluster: run the episode with identity.enabled first`);
    }
    const changed = changedBeyondIdentity(metrics.config, config);
    if (changed.length) throw new ReclusterError(`the config changed beyond identity.* since run ${metrics.run_id} (${changed.join(', ')}): run the episode instead`);
    onEvent({ type: 'phase', phase: 'identities', ep_id: config.ep_id });
    const summary = await runIdentityStage({
      layout, cfg: config.identity, fps: metrics.video.fps, episodeFrames: metrics.stats.frames_decoded,
      castModels: () => ensureModels(),
    });
    summary.evaluation = await scoreIdentities(layout, config.evaluation, metrics.video.fps);
    logIdentities(config.ep_id, summary, onEvent);
    await lock.check();
    const updated: TrackMetrics = { ...metrics, identities: summary, config: { ...metrics.config, identity: config.identity } };
    await writeJsonAtomic(layout.manifest('metrics'), updated);
    onEvent({ type: 'phase', phase: 'done', ep_id: config.ep_id });
    return { summary, metrics: updated };
  } finally {
    await lock.release();
  }
}
