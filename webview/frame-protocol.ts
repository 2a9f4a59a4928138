// Messages between the frame view page (one frame with the run's and the ground truth's boxes)
// and the extension host. Types only, so both sides import it without pulling code across.
import type { ErrorKind, FrameBox } from '../server/engine/eval/frame-types';
import type { FrameErrors } from '../server/engine/eval/gt-lanes';

export type { FrameBox };

export interface FrameShot {
  epId: string;
  /** The recorded run shown; absent for the latest. */
  runId?: string;
  frame: number;
  /** Presentation time in seconds. */
  ts: number;
  fps: number;
  width: number;
  height: number;
  /** The frame's JPEG as the page may load it; absent when it was not decoded (`note` says why). */
  src?: string;
  /** The JPEG came from the cache under the episode folder. */
  cached?: boolean;
  note?: string;
  boxes: FrameBox[];
  /** The frame's errors by kind (zero counts when it has none). */
  errors: Omit<FrameErrors, 'frame'>;
  /** The error marker clicked to get here. */
  kind?: ErrorKind;
  /** The nearest frames with errors before and after, to step through them. */
  prev?: number;
  next?: number;
}

/** Host → frame view. */
export type FrameHostMessage = { type: 'frame'; shot: FrameShot } | { type: 'failed'; frame: number; message: string };

/** Frame view → host. */
export type FramePageMessage = { type: 'ready' } | { type: 'showFrame'; frame: number };
