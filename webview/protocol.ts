// Messages between the timeline page and the extension host (postMessage only). Types only,
// so both sides import it without pulling code across.
import type { RunStreamEvent } from '../server/lsp/protocol';
import type { RunState } from '../server/engine/events';
import type { RunSummary } from '../server/engine/history/run-summary';
import type { ErrorKind, GtTimeline } from '../server/engine/eval/gt-lanes';
import type { ParsedTracks } from './tracks';

/** A run as read from its manifests (or an empty one when a live run starts). */
export interface RunSnapshot {
  epId: string;
  /** 'none' before the first run of this episode. */
  state: RunState | 'none';
  /** tracks.jsonl parsed by the host: rows can carry 512-d embeddings the page does not need. */
  tracks: ParsedTracks;
  cuts: number[];
  suppressed: number[];
  fps?: number;
  /** Frames decoded, the length of the axis. */
  framesTotal?: number;
  /** Credit for the footage the crops come from, shown beside them. */
  attribution?: string;
  /** A scored run (eval_frames.jsonl): the ground-truth lanes and the errors per frame. */
  gt?: GtTimeline;
  /** scene_scores.json: the scene detector's scores, for the curve under the cut lines. */
  sceneScores?: SceneScoreCurve;
}

/** Per-point maxima over `step` frames (point i: frames [i·step, (i+1)·step)) and the thresholds they are read against. */
export interface SceneScoreCurve {
  step: number;
  /** Content score, 0..255; a cut needs at least `minContent` here (or the histogram's say). */
  content: number[];
  /** HSV histogram distance, 0..1; `threshold` is its line. */
  histogram: number[];
  minContent: number;
  threshold: number;
}

export interface CropImage {
  src: string;
  frame_idx: number;
}

export type HostMessage =
  | { type: 'snapshot'; run: RunSnapshot }
  | { type: 'event'; event: RunStreamEvent }
  | { type: 'crops'; trackId: number; crops: CropImage[]; note?: string }
  /** The episode's recorded runs (oldest first) for the run switcher; `current` is the run shown, absent for the latest. */
  | { type: 'runs'; runs: RunSummary[]; current?: string };

export type PageMessage =
  | { type: 'ready' }
  | { type: 'selectTrack'; trackId: number }
  | { type: 'revealTrack'; trackId: number }
  /** Show this recorded run (absent: the latest, in manifests/); the host answers with a snapshot. */
  | { type: 'selectRun'; runId?: string }
  /** An error marker was clicked: open the frame view on that frame of the run shown. */
  | { type: 'openFrame'; frame: number; kind: ErrorKind };
