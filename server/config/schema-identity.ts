// Config sections of the identity stages: the appearance gate (tracking time) and faces_embed
// (after the run). Merged into episodeConfigSchema's properties as `gate` and `embed`.
import type { SchemaNode } from './schema';

export interface GateConfig {
  enabled: boolean;
  appear_hard: number;
  appear_soft: number;
  streak: number;
  iou: number;
  emb_every: number;
  proto_momentum: number;
}

export interface EmbedConfig {
  enabled: boolean;
  min_samples: number;
  max_samples: number;
  sample_every: number;
  min_conf: number;
  min_contrast: number;
  min_sharpness: number;
}

const cosine = (description: string, dflt: number): SchemaNode => ({
  type: 'number', minimum: -1, maximum: 1, default: dflt, description, examples: [dflt],
});

const count = (description: string, dflt: number, minimum: number, maximum: number): SchemaNode => ({
  type: 'integer', minimum, maximum, default: dflt, description, examples: [dflt],
});

// Defaults are set for the default embedder (MobileFaceNet, fr_feature.onnx), measured here:
// same-person pairs 0.70–0.86 cosine, different people mean 0.03 and p99 0.30.
export const gateSchema: SchemaNode = {
  type: 'object', additionalProperties: false,
  description:
    'Appearance gate: embeds the face of each track now and then and splits the exported track when the person changes while the tracker id continues. ' +
    'The defaults suit the default embedder (same person 0.70–0.86 cosine, different people mean 0.03, p99 0.30); retune them for another model.',
  properties: {
    enabled: { type: 'boolean', default: true, description: 'Run the gate. Off: tracks are never split by appearance and carry no gate_embedding.' },
    appear_hard: cosine(
      'Cosine to the track\'s prototype below which one embedding splits the track at once (split "hard"). ' +
        '0.35 sits above the different-people p99 (0.30) and well below the same-person floor (0.70), so one bad frame of the same person rarely splits.',
      0.35,
    ),
    appear_soft: cosine(
      'Cosine below which an embedding counts as doubtful (it extends the streak) and at or above which it updates the prototype. ' +
        '0.55 leaves room under the same-person floor (0.70) for pose, blur and lighting.',
      0.55,
    ),
    streak: count(
      'Consecutive doubtful embeddings (appear_hard ≤ cosine < appear_soft) that split the track (split "streak"). 3 absorbs a short run of poor frames.',
      3, 1, 1000,
    ),
    iou: {
      type: 'number', minimum: 0, maximum: 1, default: 0.1, examples: [0.1],
      description:
        'When no appearance split happened: IoU between a track\'s box and its previous box below which the track splits (split "iou"), ' +
        'catching a tracker id that jumped to another face. 0.1 only catches jumps: faces move far between analysed frames at stride 6.',
    },
    emb_every: count(
      'Embed a track\'s face every Nth analysed frame (and always while the track has no prototype). ' +
        '3 at stride 6 and 24 fps is about 1.3 embeddings per face per second (~10 ms each), so a swap is seen within about a second.',
      3, 1, 1000,
    ),
    proto_momentum: {
      type: 'number', minimum: 0, maximum: 1, default: 0.9, examples: [0.9],
      description:
        'Prototype update for a confident embedding (cosine ≥ appear_soft): prototype = normalise(m × prototype + (1 − m) × embedding). ' +
        '0.9 averages about the last 10 embeddings, so the prototype follows slow changes of pose without drifting to a new person.',
    },
  },
};

export const embedSchema: SchemaNode = {
  type: 'object', additionalProperties: false,
  description:
    'faces_embed: after the run, embed sampled faces of every track into faces.jsonl + faces.f32 and a prototype per track. ' +
    'A track whose row already has a gate_embedding of the same model reuses it (G3).',
  properties: {
    enabled: { type: 'boolean', default: false, description: 'Run faces_embed after tracking (also `--faces-embed`).' },
    min_samples: count('Sample at least this many faces per track when it has them, even closer than sample_every.', 3, 1, 1000),
    max_samples: count('Sample at most this many faces per track, spread from its first to its last frame.', 12, 2, 10000),
    sample_every: count('Keep samples of a track at least this many frames apart (the first and last frame are always in).', 12, 1, 100000),
    min_conf: {
      type: 'number', minimum: 0, maximum: 1, default: 0.75, examples: [0.75],
      description: 'Skip faces whose recorded detector confidence is below this (reason "conf"). 0.75 is tracker.track_thresh: ByteTrack\'s low band is kept for continuity, not identity.',
    },
    min_contrast: {
      type: 'number', minimum: 0, maximum: 128, default: 12, examples: [12],
      description: 'Skip faces whose 64×64 grey crop has a standard deviation below this (0–255 scale; reason "contrast"): dark, washed-out or flat crops.',
    },
    min_sharpness: {
      type: 'number', minimum: 0, maximum: 100000, default: 20, examples: [20],
      description: 'Skip faces whose 64×64 grey crop has a Laplacian variance below this (reason "sharpness"): motion blur and heavy defocus.',
    },
  },
};

export interface IdentityConfig {
  enabled: boolean;
  threshold: number;
  min_track_quality: number;
  cast_dir: string;
  cast_threshold: number;
  labels: string;
}

// Thresholds on track prototypes of the default embedder: a prototype averages several faces, so
// same-person prototypes sit higher than single faces (0.70–0.86), different people near 0.03.
export const identitySchema: SchemaNode = {
  type: 'object', additionalProperties: false,
  description:
    'Identities: after faces_embed, cluster the tracks into people (identities.json, identity_id on tracks.jsonl), name them from a cast folder, ' +
    'and write screen time per person (screentime.json, screentime.csv). Changing only this section re-clusters from the last run (`episode-run --recluster`).',
  properties: {
    enabled: { type: 'boolean', default: false, description: 'Cluster tracks into identities after the run (also `--identities`). Turns faces_embed on.' },
    threshold: {
      type: 'number', minimum: 0, maximum: 2, default: 0.5, examples: [0.5],
      description:
        'Largest average cosine distance (1 − cosine) between two groups of track prototypes that are still merged into one person (average linkage). ' +
        '0.5 lies between same-person prototypes (distance under 0.3) and different people (about 1). Tracks on screen at the same moment are never merged.',
    },
    min_track_quality: {
      type: 'number', minimum: 0, maximum: 1, default: 0.3, examples: [0.3],
      description: 'A track joins an identity only when the mean quality score (faces.jsonl `quality.score`, 0–1) of its kept faces reaches this; the others stay unassigned and are counted.',
    },
    cast_dir: {
      type: 'string', default: 'cast', examples: ['cast'],
      description: 'Folder of reference photos, one subfolder per person named as the person (cast/Ana/1.jpg). Relative to the config file. Absent: identities stay unknown-N.',
    },
    cast_threshold: cosine('Cosine between an identity\'s prototype and a cast member\'s reference at or above which the identity takes the member\'s name.', 0.5),
    labels: {
      type: 'string', default: 'identity-labels.json', examples: ['identity-labels.json'],
      description: 'Your merges and splits of identities (written by the Identities view), relative to the config file; a run applies them and never edits them.',
    },
  },
};
