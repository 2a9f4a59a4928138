import type { Detection } from '../types';
import { nms } from './nms';
import type { Region } from './tiles';

/** Anchor candidates gathered from one or more model runs: flat source-px boxes + scores. */
export interface Candidates {
  boxes: number[];
  scores: number[];
}

// Tile boxes this close (in 0–1 tile units, ~2 model px) to an inner tile edge are cut faces.
const EDGE = 2 / 320;

/**
 * Appends the anchors of one RFB output (scores [N,2] softmaxed, boxes [N,4] in 0–1 of
 * `region`) that score at least `threshold`, mapped to source px and clipped to the frame.
 * With `dropCut`, boxes touching a tile edge inside the frame are skipped: the tile overlap
 * or the whole-frame pass sees those faces whole.
 */
export function collectCandidates(
  scores: Float32Array,
  boxes: Float32Array,
  threshold: number,
  region: Region,
  frame: { width: number; height: number },
  dropCut: boolean,
  into: Candidates,
): void {
  const innerL = region.left > 0;
  const innerT = region.top > 0;
  const innerR = region.left + region.width < frame.width;
  const innerB = region.top + region.height < frame.height;
  for (let i = 0, n = scores.length / 2; i < n; i++) {
    const score = scores[2 * i + 1];
    if (score < threshold) continue;
    const x1 = boxes[4 * i], y1 = boxes[4 * i + 1], x2 = boxes[4 * i + 2], y2 = boxes[4 * i + 3];
    if (dropCut && ((innerL && x1 < EDGE) || (innerT && y1 < EDGE) || (innerR && x2 > 1 - EDGE) || (innerB && y2 > 1 - EDGE))) continue;
    into.boxes.push(
      clamp(region.left + x1 * region.width, frame.width),
      clamp(region.top + y1 * region.height, frame.height),
      clamp(region.left + x2 * region.width, frame.width),
      clamp(region.top + y2 * region.height, frame.height),
    );
    into.scores.push(score);
  }
}

/** NMS by score, then drop boxes with a side under minSize source px. */
export function finish(c: Candidates, nmsIou: number, minSize: number): Detection[] {
  const out: Detection[] = [];
  for (const i of nms(c.boxes, c.scores, nmsIou)) {
    const [x1, y1, x2, y2] = c.boxes.slice(4 * i, 4 * i + 4);
    if (x2 - x1 >= minSize && y2 - y1 >= minSize) out.push({ bbox: [x1, y1, x2, y2], conf: c.scores[i] });
  }
  return out;
}

function clamp(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}
