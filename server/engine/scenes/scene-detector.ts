// The scene stage's contract, in PySceneDetect's shape: a detector is fed frames in decode
// order, one at a time, and says whether a new shot starts at each. Other detectors (ffmpeg
// scdet, a learned one) can implement it too.

export interface SceneDetector {
  /**
   * Feeds frame `index` (packed yuv420p, width × height) and returns true when a cut starts at
   * this frame, i.e. it is the first frame of a new shot. Indices must increase; gaps are allowed.
   */
  push(index: number, yuv: Uint8Array, width: number, height: number): boolean;
}
