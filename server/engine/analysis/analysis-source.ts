// The seam between a run's analysis stage and everything after it. An AnalysisSource yields, in
// frame order, the scene cuts and the analysed frames with their detections, and on full frames
// a way to get each detection's face embedding. Two kinds exist: LiveAnalysis (decode with ffmpeg
// and detect, optionally recording into the cache) and ReplayedAnalysis (a cached entry read
// back). Tracking, the gate and the recorder cannot tell them apart, so a replay tracks exactly
// as a live run does.
import type { EmbeddedFace } from '../embed/quality';
import type { RejectedDetection } from '../detect/frame-detection';
import type { DetectionStats } from '../manifests/track-metrics';
import type { BBox, Detection } from '../types';
import type { DissolveSpan, FadeSpan } from '../scenes/transition-detector';
import type { SceneScores } from '../scenes/score-series';

/** The embedding and quality of one of the frame's detections, by its box (frames without embeddings have no lookup). */
export type FaceLookup = (bbox: BBox) => Promise<EmbeddedFace>;

export type AnalysisEvent =
  | { kind: 'cut'; idx: number; reset: boolean }
  /** The first black frame of a fade-out: the tracker resets there (scene.fade_reset). */
  | { kind: 'fade'; idx: number }
  /**
   * `ts`: the frame's presentation time in seconds. `full`: the full-res frame (plan.fullFormat),
   * live on sampled frames only (crops and frames need it). `rejected`: boxes the face check
   * dropped (detector.verify).
   */
  | { kind: 'frame'; idx: number; ts: number; dets: Detection[]; rejected?: RejectedDetection[]; faces?: FaceLookup; full?: Buffer };

export interface CutLists {
  cuts: number[];
  resets: number[];
  suppressed: number[];
  /** Fades through black, apart from cuts; the resets at their black frames; dissolves (each also one cut). */
  fades?: FadeSpan[];
  fadeResets?: number[];
  dissolves?: DissolveSpan[];
}

/**
 * What a live pass of the stage cost, on the engine thread: kept with a cache entry so a replay
 * (or a point it serves) can predict what a standalone run would take.
 */
export interface AnalysisCost {
  /** The run's seconds before its first frame: loading models, probing, the cache lookup. */
  setup_s?: number;
  /** Waiting for ffmpeg's frames. */
  decode_s: number;
  scenes_s: number;
  /** Detection and, when recording, waiting for the embeddings of every detection. */
  detection_s: number;
  /** Frames the detector ran on. */
  frames_analysed: number;
}

export interface AnalysisSummary {
  framesDecoded: number;
  /** Live passes only (and entries recorded since the field exists). */
  cost?: AnalysisCost;
  cuts: CutLists;
  /** The scene detector's per-frame scores, downsampled (for the timeline's score curve). */
  sceneScores?: SceneScores;
  /** The decoder's one-line warning about a damaged file, if any. */
  warning?: string;
  /** Tiles and the face check: what ran, what it cost, what it dropped. */
  detection?: DetectionStats;
}

export interface AnalysisSource extends AsyncIterable<AnalysisEvent> {
  /** Decoded frames so far, for progress. */
  readonly framesDone: number;
  /** Names the embedder behind `faces` (prototypes carry it, for G3); '' with the gate off. */
  readonly embedderId: string;
  /** After the iteration has ended: what the stage saw. Rejects if the stage failed. */
  done(): Promise<AnalysisSummary>;
  /** Hands back a `full` frame nothing reads any more, for reuse (live sources). */
  recycle?(full: Buffer): void;
}

/**
 * Looks a tracked box up among the frame's detections. The tracker hands on its matched
 * detection's box unchanged (a copy), and NMS leaves no two identical boxes in a frame.
 */
export function lookupByBox(dets: readonly Detection[], faces: readonly (Promise<EmbeddedFace> | EmbeddedFace)[]): FaceLookup {
  return (bbox) => {
    const i = dets.findIndex((d) => d.bbox.every((v, k) => v === bbox[k]));
    if (i < 0) return Promise.reject(new Error(`no detection at [${bbox.join(', ')}] to take an embedding from`));
    return Promise.resolve(faces[i]);
  };
}
