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

/**
 * `sweep`: one list of values per numeric key of the given sections. Tracker and gate keys leave
 * the analysis stage's key unchanged, so their points replay one analysis pass; a scene key
 * changes it, so each of its values decodes once (and is cached for the next sweep).
 */
export function sweepSchema(sections: Record<string, SchemaNode>): SchemaNode {
  const properties: Record<string, SchemaNode> = {};
  for (const [section, node] of Object.entries(sections)) {
    for (const [key, leaf] of Object.entries(node.properties ?? {})) {
      if (leaf.type !== 'number' && leaf.type !== 'integer') continue;
      const items: SchemaNode = { type: leaf.type };
      for (const k of ['minimum', 'maximum', 'exclusiveMinimum'] as const) if (leaf[k] !== undefined) items[k] = leaf[k];
      properties[`${section}.${key}`] = {
        type: 'array', minItems: 1, maxItems: 64, items, examples: [[leaf.default]],
        description: `Values of \`${section}.${key}\` to try, one run each (every combination with the other swept keys). ${leaf.description ?? ''}`.trim(),
      };
    }
  }
  return {
    type: 'object', additionalProperties: false, properties,
    description:
      'A grid of tracker, gate and scene settings for `episode-run --sweep`: one run per combination; tracker and gate points share one cached analysis pass, each scene value decodes once. ' +
      'summarised in <output_root>/<ep_id>/sweep.csv. Example: `tracker.match_thresh: [0.6, 0.7, 0.8]`. Run Episode in the editor runs the grid; `episode-run` without --sweep ignores it.',
  };
}
