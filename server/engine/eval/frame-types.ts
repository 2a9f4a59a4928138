// The per-frame shapes of a scored run, types only: the engine writes them, the extension and
// the webview pages read them, and none of them pulls the other's code (or Node's) across.

/** What went wrong on a frame: a miss, a false positive, an ID switch, a fragmentation. */
export type ErrorKind = 'fn' | 'fp' | 'idsw' | 'frag';

/**
 * One line of eval_frames.jsonl: a scored frame with any ground truth or track on it. Ids are
 * the ground truth's and the run's track_id; `matches` pairs them at IoU ≥ 0.5 (CLEAR's matching).
 */
export interface EvalFrameRow {
  frame_idx: number;
  matches: Array<[number, number]>;
  /** Ground-truth ids with no match (misses). */
  fn: number[];
  /** Track ids with no match (false positives). */
  fp: number[];
  /** Ground-truth ids matched to another track than at their previous match. */
  idsw: number[];
  /** Ground-truth ids tracked again after being missed (a fragmentation). */
  frag: number[];
}

/** A box the frame view draws. */
export interface FrameBox {
  kind: 'track' | 'gt';
  /** The track id, or the ground-truth id. */
  id: number;
  xyxy: [number, number, number, number];
  /** What went wrong with this box on this frame, if anything. */
  error?: ErrorKind;
  /** The id on the other side it matched on this frame. */
  partner?: number;
}
