// The one JSON Schema of an episode config. The engine, the CLI and the language server all read
// this object; `npm run build` writes it to schemas/episode-config.schema.json for VS Code.

import { ID_MAX_LENGTH, ID_PATTERN, ID_RULE } from '../engine/manifests/ids';
import { embedSchema, gateSchema, identitySchema } from './schema-identity';
import { cacheSchema, sweepSchema } from './schema-iteration';

export interface SchemaNode {
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  enum?: readonly (string | number | boolean)[];
  examples?: readonly unknown[];
  pattern?: string;
  /** What a value that fails `pattern` is told (VS Code's JSON language service shows it too). */
  patternErrorMessage?: string;
  maxLength?: number;
  properties?: Record<string, SchemaNode>;
  required?: readonly string[];
  /** false: only `properties`; a node: every other key holds a value of that shape. */
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  /** Alternatives told apart by their `type` (and enum): a path string or an inline mapping, a pair or "auto". */
  anyOf?: readonly SchemaNode[];
  minItems?: number;
  maxItems?: number;
  title?: string;
  $schema?: string;
  $id?: string;
}

const probability = (description: string, dflt: number): SchemaNode => ({
  type: 'number', minimum: 0, maximum: 1, default: dflt, description, examples: [dflt],
});

const toggle = (description: string, dflt = true): SchemaNode => ({ type: 'boolean', default: dflt, description });

const sceneSchema: SchemaNode = {
  type: 'object', additionalProperties: false,
  description: 'Scene-cut detection on the 320×240 stream: a content score (per-pixel change of value, chroma and hue) against the rolling mean of its neighbours, with the HSV histogram distance for cuts the content score barely sees; fades through black and dissolves are told apart from cuts. A cut resets the tracker.',
  properties: {
    enabled: toggle('Detect scene cuts and reset the tracker at each one.'),
    threshold: probability('HSV histogram distance (0..1) that makes a frame a cut where its content score stands out but is small (two snow-white shots). Real cuts score 0.29–0.83 on the test footage; motion, flicker and morphs at most 0.14.', 0.25),
    min_len: {
      type: 'integer', minimum: 1, maximum: 10000, default: 8, examples: [8, 15],
      description: 'Minimum shot length in frames: a cut closer than this to the previous cut is ignored. Kept short so quick cuts are reported; scene.cooldown decides whether they reset the tracker.',
    },
    warmup: {
      type: 'integer', minimum: 0, maximum: 1000, default: 3, examples: [3],
      description: 'After a tracker reset, analyse this many consecutive frames regardless of stride, so new tracks start at the cut.',
    },
    cooldown: {
      type: 'integer', minimum: 0, maximum: 100000, default: 24, examples: [24],
      description: 'F1: a cut fewer than this many frames after the last tracker reset does not reset again (counted as suppressed). The seed\'s --scene-cut-cooldown.',
    },
    window: {
      type: 'integer', minimum: 1, maximum: 12, default: 3, examples: [2, 3],
      description: 'Frames each side whose mean content score a cut must stand out against (as PySceneDetect\'s AdaptiveDetector window_width); also the look-ahead that tells a flash of up to this many frames from a cut. Cuts are decided this many frames late.',
    },
    adaptive_ratio: {
      type: 'number', minimum: 1, maximum: 20, default: 3, examples: [3],
      description: 'How many times the mean of its neighbours\' content scores a frame\'s own must be to make a cut (2/3 of it where the histogram distance agrees). Higher: fewer cuts in fast action.',
    },
    min_content: {
      type: 'number', minimum: 0, maximum: 255, default: 15, examples: [15],
      description: 'Content score (mean per-pixel change of value, chroma and hue, 0–255) at or above which a standing-out frame is a cut without the histogram. Real cuts score 17–44 on the test footage; a 1 s fade about 4 a frame.',
    },
    fade_floor: {
      type: 'number', minimum: 0, maximum: 255, default: 12, examples: [12],
      description: 'Mean brightness (0–255) below which a frame is black: fades out end and fades in start there, and are reported as `fades` in scene_cuts.json, not as cuts.',
    },
    fade_reset: toggle('Reset the tracker once at the first black frame of each fade-out (listed as `fade_resets` in scene_cuts.json).'),
  },
};

const trackerSchema: SchemaNode = {
  type: 'object', additionalProperties: false,
  description: 'ByteTrack association and the TrackRecorder that writes tracks.',
  properties: {
    track_thresh: probability('Detections at or above this score are "high" and associate first.', 0.75),
    low_thresh: probability('Detections between this and track_thresh are "low": they extend existing tracks but never start one.', 0.3),
    new_track_thresh: probability('An unmatched high detection starts a track only at or above this score.', 0.9),
    match_thresh: probability('Maximum IoU cost (1 − IoU) accepted in the first association.', 0.8),
    track_buffer: {
      type: 'integer', minimum: 1, maximum: 100000, default: 60, examples: [30, 60],
      description: 'Frames a lost track is kept for re-association.',
    },
    max_gap: {
      type: 'integer', minimum: 1, maximum: 100000, default: 60, examples: [60],
      description: 'A track seen again after more than this many frames becomes a new exported track (an id switch).',
    },
    max_gap_sec: {
      type: 'number', minimum: 0, maximum: 3600, default: 2, examples: [2],
      description: 'The same gap in seconds; the larger of max_gap and max_gap_sec × fps applies.',
    },
    min_track_length: {
      type: 'integer', minimum: 1, maximum: 100000, default: 3, examples: [3],
      description: 'Tracks spanning fewer frames (last − first + 1) are not written, nor their detections. One-hit detections span 1 frame.',
    },
    track_sample_limit: {
      type: 'integer', minimum: 1, maximum: 10000, default: 8, examples: [6, 8],
      description: 'Maximum boxes kept in a track row\'s bboxes_sampled, spread over the track\'s life.',
    },
  },
};

export const episodeConfigSchema: SchemaNode = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://episode-lab.dev/schemas/episode-config.schema.json',
  title: 'Episode Lab episode config',
  type: 'object',
  additionalProperties: false,
  required: ['ep_id', 'video'],
  properties: {
    ep_id: {
      type: 'string', pattern: ID_PATTERN, maxLength: ID_MAX_LENGTH, patternErrorMessage: `Use ${ID_RULE}.`, examples: ['TEST-S01E01'],
      description: `Episode id. Names the output folder <output_root>/<ep_id> and is written on every manifest row: ${ID_RULE}.`,
    },
    video: {
      type: 'string', examples: ['episodes/S01E01.mp4'],
      description: 'Path of the video to analyse, relative to this config file (or absolute).',
    },
    output_root: {
      type: 'string', default: 'data/episodes', examples: ['data/episodes'],
      description: 'Folder that receives <ep_id>/manifests, <ep_id>/frames and <ep_id>/crops, relative to this config file.',
    },
    stride: {
      type: 'integer', minimum: 1, maximum: 1000, default: 6, examples: [1, 6, 12],
      description: 'Analyse every Nth decoded frame. The effective stride is max(stride, round(source_fps / fps)).',
    },
    fps: {
      type: 'number', exclusiveMinimum: 0, maximum: 240, examples: [4, 8],
      description: 'Optional cap on analysed frames per second of video. Unset: only `stride` applies.',
    },
    sampling: {
      type: 'string', enum: ['exact', 'refs', 'keyframes'], default: 'exact',
      description: 'Which frames are decoded. `exact`: every frame; cuts are frame-exact. `refs`: the decoder skips the frames no other frame references (most B-frames, often half the stream), so every decoded frame is still exact; each stride point analyses the first decoded frame at or after it, and cuts are found to within the spacing of decoded frames. `keyframes`: only keyframes, a fast preview. Both need a constant frame rate (indices come from timestamps) and fall back to `exact` otherwise.',
    },
    threads: {
      type: 'integer', minimum: 0, maximum: 64, default: 0, examples: [0, 2],
      description: 'Threads for ffmpeg decoding and ONNX inference. 0: ffmpeg picks its own decoder threads (cores + 1 for H.264) and inference uses every core.',
    },
    device: {
      type: 'string', enum: ['auto', 'cpu'], default: 'auto',
      description: 'Inference device. `auto` picks the CPU provider, the only one bundled with onnxruntime-node here.',
    },
    ffmpeg: {
      type: 'object', additionalProperties: false,
      description: 'ffmpeg binary used to probe and decode.',
      properties: {
        path: {
          type: 'string', examples: ['/usr/bin/ffmpeg'],
          description: 'Explicit ffmpeg binary. Unset: $FFMPEG_PATH, then ffmpeg-static, then @ffmpeg-installer/ffmpeg, then `ffmpeg` on PATH.',
        },
      },
    },
    scene: sceneSchema,
    detector: {
      type: 'object', additionalProperties: false,
      description: 'Face detector (ONNX).',
      properties: {
        model: {
          type: 'string', default: 'default', examples: ['default', 'models/fr_detect.onnx'],
          description: '`default` (RFB-320 from the pinned faceplugin package) or a path to an RFB-320-compatible ONNX model.',
        },
        conf_threshold: probability('Lowest detection score kept. Keep it at or below tracker.low_thresh so ByteTrack sees its low-score band.', 0.3),
        nms_iou: probability('IoU above which overlapping boxes are suppressed (greedy NMS by score).', 0.3),
        min_size: {
          type: 'integer', minimum: 0, maximum: 4000, default: 16, examples: [16, 32],
          description: 'Drop boxes whose shorter side is below this many source pixels.',
        },
        tiles: {
          anyOf: [
            { type: 'array', items: { type: 'integer', minimum: 1, maximum: 8 }, minItems: 2, maxItems: 2 },
            { type: 'string', enum: ['auto'] },
          ],
          default: [1, 1], examples: [[1, 1], [2, 2], [3, 3], 'auto'],
          description:
            'Small faces. [cols, rows] above [1, 1]: also detect on that many overlapping tiles of the full-resolution frame, every analysed frame ' +
            '(the whole frame finds faces from about 1/20 of its height, 2×2 tiles from about 1/40, 3×3 from 1/50). Boxes of one face from the whole ' +
            'frame and the tiles are merged, and boxes only tiles found pass the face check (`detector.verify`). ' +
            '`auto`: tiles only where a small face is likely (see `detector.auto_tiles`), at a fraction of the cost.',
        },
        auto_tiles: {
          type: 'object', additionalProperties: false,
          description: 'How `tiles: auto` decides where to tile. Unused with a fixed [cols, rows].',
          properties: {
            grid: {
              type: 'array', items: { type: 'integer', minimum: 1, maximum: 8 }, minItems: 2, maxItems: 2, default: [2, 2], examples: [[2, 2], [3, 3]],
              description:
                'The tile grid auto runs in full after each cut and every `refresh` frames; in between it runs only regions around faces that need tiles, ' +
                'a quarter of one of these tiles each, four to an inference.',
            },
            small_face: {
              type: 'number', minimum: 0, maximum: 1, default: 0.1, examples: [0.1],
              description:
                'A face the whole frame found with a box lower than this fraction of the frame height marks its surroundings for tiles (a crowd may hold smaller ones). ' +
                'Faces only tiles found on the previous analysed frame always do.',
            },
            refresh: {
              type: 'integer', minimum: 0, maximum: 10000, default: 24, examples: [24, 0],
              description:
                'Also run the whole grid every this many analysed frames within a shot (24: every 6 s at stride 6 and 24 fps), so that a small face appearing mid-shot that the whole frame does not even weakly see is found within refresh × stride frames. ' +
                'Between refreshes, weak whole-frame boxes (score 0.1 and up) find most new small faces: on the small-face preset, recall was the same with refresh 4, 12 and 0. 0: the grid runs only at the start and after each cut.',
            },
          },
        },
        verify: {
          type: 'object', additionalProperties: false,
          description:
            'The face check: the engine\'s own models look at a box again and drop it when it fails a gate (counted in metrics.detection.verify, sent as `rejected` events). ' +
            'Gates, cheapest first: quality (contrast, sharpness of the 64×64 crop), landmarks (68 points on the crop and its mirror agree), ' +
            'alignment (the 5-point fit to the ArcFace template turns the face at most 60°), redetect (the detector scores the box in a face-centred view with context).',
          properties: {
            scope: {
              type: 'string', enum: ['tiles', 'all', 'off'], default: 'tiles',
              description:
                '`tiles`: check the boxes only tiles found (a texture that reads as a face at one tile\'s scale is their usual false positive). ' +
                '`all`: also the whole frame\'s boxes (costs a check per face per frame, less the faces that passed on the previous analysed frame). `off`: no check.',
            },
            min_redetect: {
              type: 'number', minimum: 0.05, maximum: 1, default: 0.5, examples: [0.5],
              description:
                'Lowest score the detector gives the box in two face-centred views (the box a quarter and a fifth of the view\'s height; the lower score counts). ' +
                'Measured here: real faces of 24–60 px at 1080p score 0.82–1.0; tile false positives on real footage (textures, a hand) under 0.15; procedural hands and sockets under 0.2; ' +
                'dotted patches, which the detector takes for faces at any scale, pass about a third of the time.',
            },
            max_landmark_error: {
              type: 'number', minimum: 0, maximum: 1, default: 0.2, examples: [0.2],
              description:
                'Largest mean distance between the 68 landmarks found on the crop and those found on its mirror image (mirrored back), as a fraction of the box height. ' +
                'Frontal faces 0.006–0.05, profiles up to about 0.13, dotted patterns 0.1–0.2.',
            },
            min_contrast: {
              type: 'number', minimum: 0, maximum: 128, default: 8, examples: [8],
              description: 'Lowest standard deviation of the 64×64 grey crop (0–255), as faces_embed measures it (`embed.min_contrast`); below it the box is flat, not a face.',
            },
            min_sharpness: {
              type: 'number', minimum: 0, maximum: 100000, default: 10, examples: [10],
              description: 'Lowest Laplacian variance of the 64×64 grey crop, as faces_embed measures it (`embed.min_sharpness`). Real faces of 24 px and up measure 40 or more here.',
            },
          },
        },
      },
    },
    tracker: trackerSchema,
    export: {
      type: 'object', additionalProperties: false,
      description: 'JPEG frames and face crops.',
      properties: {
        frames: toggle('Write analysed full frames to <ep_id>/frames/.', false),
        crops: toggle('Write face crops to <ep_id>/crops/track_NNNN/ with an index.json per track.', false),
        jpeg_quality: {
          type: 'integer', minimum: 1, maximum: 100, default: 90, examples: [85, 90],
          description: 'JPEG quality of frames and crops.',
        },
        crop_max_side: {
          type: 'integer', minimum: 0, maximum: 8192, default: 256, examples: [0, 256],
          description: 'Crops larger than this (longer side, px) are scaled down to it before encoding: face embedders take 112 px, and a full-size 1080p close-up costs several times more to encode and store. 0 keeps full resolution.',
        },
        queue_size: {
          type: 'integer', minimum: 1, maximum: 4096, default: 64, examples: [64],
          description: 'Bound of the export queue in jobs; decoding waits when it is full.',
        },
      },
    },
    gate: gateSchema,
    embed: embedSchema,
    identity: identitySchema,
    optimizations: {
      type: 'object', additionalProperties: false,
      description: 'The seed\'s optimisations, each switchable for benchmarking. All are on by default.',
      properties: {
        d1: toggle('D1: select sampled frames before colour conversion, so only they are converted and piped.'),
        f1: toggle('F1: scene-cut cooldown (see scene.cooldown).'),
        b4: toggle('B4: skip re-recording a box unchanged within 5% and fewer than 5 frames old.'),
        c3: toggle('C3: encode JPEGs on a bounded async queue instead of inline.'),
        g3: toggle('G3: faces_embed reuses the gate\'s embedding of a track made by the same model instead of recomputing it.'),
      },
    },
    evaluation: {
      type: 'object', additionalProperties: false,
      description: 'Score each run against a ground truth (HOTA, CLEAR MOT, IDF1, as TrackEval computes them): manifests/eval.json, the run summary, the Runs view, Compare and the sweep CSV.',
      properties: {
        ground_truth: {
          type: 'string', examples: ['gt/gt.txt', 'annotations.zip'],
          description:
            'The ground truth, relative to this config file: a MOTChallenge gt.txt (`frame, id, left, top, width, height[, considered, class, visibility]`; ' +
            'rows whose 7th field is 0 are not scored), or a CVAT "MOT 1.1" export (the zip, or the folder it unpacks to with gt/gt.txt and gt/labels.txt).',
        },
        frame_base: {
          type: 'integer', enum: [0, 1], default: 1,
          description: 'The number the ground truth gives the video\'s first frame. 1: MOTChallenge and CVAT (frame 1 is frame_idx 0 in the manifests). 0: the file uses frame_idx as the manifests do.',
        },
        cuts: {
          type: 'string', examples: ['cuts.json', 'cuts.txt'],
          description:
            'A cut list to score the scene cuts against (precision and recall within ±1 frame; in the run summary and track_metrics.json `cut_scores`), relative to this config file: ' +
            'a JSON array of frames, an object with a `cuts` array (a scene_cuts.json), or one frame a line. Frames are frame_idx, from 0: a cut is the first frame of the new shot.',
        },
        people: {
          type: 'string', examples: ['people.json'],
          description:
            'Who each ground-truth track is, relative to this config file: JSON `{"<gt id>": "name"}` or CSV lines `gt_id,name`. ' +
            'With identities on, runs then score them: B-cubed precision, recall and F1 over tracks, and each person\'s screen-time error (identity_eval.json).',
        },
        frames: {
          type: 'string', enum: ['analysed', 'all'], default: 'analysed',
          description: '`analysed`: score the frames the run analysed. `all`: score every frame of the video, each track\'s box interpolated between its analysed frames (what screen time counts).',
        },
      },
    },
    cache: cacheSchema,
  },
};
episodeConfigSchema.properties!.sweep = sweepSchema(episodeConfigSchema.properties!);
