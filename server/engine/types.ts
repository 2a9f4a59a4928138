// Shared shapes between engine stages. Coordinates are source-frame pixels unless named otherwise.
// Free of Node: the webview's view of track_metrics.json reaches these types.

/** [x1, y1, x2, y2] in source pixels. */
export type BBox = [number, number, number, number];

/** How a stream's YCbCr maps to RGB: the matrix (BT.601 or BT.709) and the range of its codes. */
export interface YuvColor {
  matrix: 'bt601' | 'bt709';
  /** limited: Y 16–235, Cb/Cr 16–240 (ffmpeg's "tv"); full: 0–255 ("pc"). */
  range: 'limited' | 'full';
}

export interface VideoInfo {
  path: string;
  width: number;
  height: number;
  /** Frames per second of the stream (r_frame_rate / avg). */
  fps: number;
  durationS: number;
  /**
   * False when the average rate ("fps") and the base rate ("tbr") that ffmpeg reports differ:
   * a variable-rate stream, whose frame indices cannot be derived from timestamps.
   */
  constantRate: boolean;
  /** pts of the first frame in seconds (some real clips start at 0.844 s). */
  startPtsS: number;
  /** Estimated frame count (duration × fps); exact count is known only after decoding. */
  framesEstimate: number;
  codec: string;
  /** Decoded pixel format as ffmpeg names it (yuv420p, yuvj420p, yuv420p10le…). */
  pixFmt: string;
  /** The stream's YCbCr matrix and range as tagged, else defaultYuvColor by height. */
  color: YuvColor;
}

export interface Detection {
  bbox: BBox;
  conf: number;
}

export interface TrackedObject {
  /** The tracker's internal id (stable while the tracker keeps the track). */
  trackerId: number;
  bbox: BBox;
  conf: number;
}
