// The scene stage's contract, in PySceneDetect's shape: a detector is fed frames in decode order,
// one at a time, and decides about each a fixed number of pushes later (its look-ahead), so
// that a flash or a flicker can be told from a cut by what follows it.

/** What the tracker must hear about a decided frame: a cut, or the black frame of a fade. */
export interface SceneEvent {
  kind: 'cut' | 'fade';
  idx: number;
}

export interface SceneDetector {
  /** How many pushes a frame's decision trails its push. */
  readonly latency: number;
  /**
   * Feeds frame `index` (packed yuv420p, width × height). Returns the events of the frames
   * decided by this push, in frame order (a cut's frame is the first of a new shot); the array
   * is reused by the next call. Indices must increase; gaps are allowed.
   */
  push(index: number, yuv: Uint8Array, width: number, height: number): readonly SceneEvent[];
  /** After the last push: decides the frames still waiting for their look-ahead. */
  finish(): readonly SceneEvent[];
  /** The index of the last decided frame (-1 before any): frames up to it can move on. */
  readonly decidedThrough: number;
}
