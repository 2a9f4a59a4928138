// Config sections of the iteration loop: the stage cache and parameter sweeps. Merged into
// episodeConfigSchema's properties as `cache` and `sweep`.
import type { SchemaNode } from './schema';

export const cacheSchema: SchemaNode = {
  type: 'object', additionalProperties: false,
  description:
    'Stage cache under <output_root>/<ep_id>/cache/. The analysis stage (decode, scene cuts, detection, and the gate\'s face embeddings) is ' +
    'kept keyed by the video, sampling, scene and detector settings, so a re-run that changes only tracker, gate or recorder settings replays it without decoding.',
  properties: {
    enabled: {
      type: 'boolean', default: true,
      description: 'Reuse and write cached stages. Off (also `--no-cache`): every stage runs live and nothing is read from or written to the cache.',
    },
    max_entries: {
      type: 'integer', minimum: 1, maximum: 100, default: 4, examples: [4],
      description:
        'Analysis entries kept per episode; the least recently used beyond this are deleted. An entry costs about 2 KiB per detection on full frames with the gate on (its embeddings), ' +
        'about 60 bytes without.',
    },
  },
};

/** Sections a sweep never varies: the cache's own settings, and the grid itself. */
const NOT_SWEPT = new Set(['cache', 'sweep']);

/**
 * `sweep`: one list of values per dotted numeric key of the config, at any depth (`stride`,
 * `scene.cooldown`, `detector.conf_threshold`, `tracker.match_thresh`, …). Tracker and gate keys
 * replay one analysis pass; stride and cooldown share one (DESIGN §12); other analysis keys
 * each get their own pass.
 */
export function sweepSchema(config: Record<string, SchemaNode>): SchemaNode {
  const properties: Record<string, SchemaNode> = {};
  const walk = (nodes: Record<string, SchemaNode>, prefix: string) => {
    for (const [key, leaf] of Object.entries(nodes)) {
      const path = prefix + key;
      if (NOT_SWEPT.has(path)) continue;
      if (leaf.properties) walk(leaf.properties, `${path}.`);
      if (leaf.type !== 'number' && leaf.type !== 'integer') continue;
      const items: SchemaNode = { type: leaf.type };
      for (const k of ['minimum', 'maximum', 'exclusiveMinimum'] as const) if (leaf[k] !== undefined) items[k] = leaf[k];
      properties[path] = {
        type: 'array', minItems: 1, maxItems: 64, items, examples: [[leaf.default ?? leaf.examples?.[0]]],
        description: `Values of \`${path}\` to try, one run each (every combination with the other swept keys). ${leaf.description ?? ''}`.trim(),
      };
    }
  };
  walk(config, '');
  return {
    type: 'object', additionalProperties: false, properties,
    description:
      'A grid of numeric settings for `episode-run --sweep`: one run per combination, summarised in <output_root>/<ep_id>/sweep.csv. ' +
      'Points that differ only in tracker and gate settings replay one cached analysis pass; points that differ in `stride` and `scene.cooldown` ' +
      'share one pass at the strides\' common divisor. Example: `tracker.match_thresh: [0.6, 0.7, 0.8]`, `stride: [3, 6, 12]`. ' +
      'Run Episode in the editor runs the grid; `episode-run` without --sweep ignores it.',
  };
}
