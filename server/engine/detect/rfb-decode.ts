import type { Detection } from '../types';
import { nms } from './nms';
import type { Region } from './tiles';

/** Anchor candidates gathered from one or more model runs: flat source-px boxes + scores. */
export interface Candidates {
  boxes: number[];
  scores: number[];
  /** Per box: it touches an inner edge of its tile, so the face runs on past the tile (cut). */
  cut: boolean[];
}

/** One source's box after its own NMS (a tile's, or the whole frame's). */
export interface SourceDetection extends Detection {
  cut: boolean;
}

export const emptyCandidates = (): Candidates => ({ boxes: [], scores: [], cut: [] });

// Tile boxes this close (~3 model px, in 0–1 of the input) to an inner tile edge are cut faces.
const EDGE = 3 / 320;

/** A part of the model input, in 0–1 of it: one cell of a mosaic of several regions. */
export interface InputCell {
  x: number;
  y: number;
  w: number;
  h: number;
}

const WHOLE_INPUT: InputCell = { x: 0, y: 0, w: 1, h: 1 };

/**
 * Appends the anchors of one RFB output (scores [N,2] softmaxed, boxes [N,4] in 0–1 of the
 * input) that score at least `threshold` and whose centre lies in `cell` (default: all of the
 * input), mapped from the cell onto `region`, to source px, and clipped to the frame. Boxes
 * touching an edge of the cell whose region edge lies inside the frame are marked cut.
 */
export function collectCandidates(
  scores: Float32Array,
  boxes: Float32Array,
  threshold: number,
  region: Region,
  frame: { width: number; height: number },
  into: Candidates,
  cell: InputCell = WHOLE_INPUT,
): void {
  const innerL = region.left > 0;
  const innerT = region.top > 0;
  const innerR = region.left + region.width < frame.width;
  const innerB = region.top + region.height < frame.height;
  const ex = EDGE / cell.w, ey = EDGE / cell.h;
  for (let i = 0, n = scores.length / 2; i < n; i++) {
    const score = scores[2 * i + 1];
    if (score < threshold) continue;
    const x1 = (boxes[4 * i] - cell.x) / cell.w, y1 = (boxes[4 * i + 1] - cell.y) / cell.h;
    const x2 = (boxes[4 * i + 2] - cell.x) / cell.w, y2 = (boxes[4 * i + 3] - cell.y) / cell.h;
    const cx = (x1 + x2) / 2, cy = (y1 + y2) / 2;
    if (cx < 0 || cx >= 1 || cy < 0 || cy >= 1) continue;
    into.boxes.push(
      clamp(region.left + x1 * region.width, frame.width),
      clamp(region.top + y1 * region.height, frame.height),
      clamp(region.left + x2 * region.width, frame.width),
      clamp(region.top + y2 * region.height, frame.height),
    );
    into.scores.push(score);
    into.cut.push((innerL && x1 < ex) || (innerT && y1 < ey) || (innerR && x2 > 1 - ex) || (innerB && y2 > 1 - ey));
  }
}

/** NMS by score, best first, keeping the cut marks. */
export function nmsCandidates(c: Candidates, nmsIou: number): SourceDetection[] {
  return nms(c.boxes, c.scores, nmsIou).map((i) => {
    const [x1, y1, x2, y2] = c.boxes.slice(4 * i, 4 * i + 4);
    return { bbox: [x1, y1, x2, y2], conf: c.scores[i], cut: c.cut[i] };
  });
}

/** NMS by score, then drop boxes with a side under minSize source px. */
export function finish(c: Candidates, nmsIou: number, minSize: number): Detection[] {
  return nmsCandidates(c, nmsIou).filter((d) => bigEnough(d, minSize)).map(({ bbox, conf }) => ({ bbox, conf }));
}

export function bigEnough(d: Detection, minSize: number): boolean {
  return d.bbox[2] - d.bbox[0] >= minSize && d.bbox[3] - d.bbox[1] >= minSize;
}

function clamp(v: number, max: number): number {
  return v < 0 ? 0 : v > max ? max : v;
}
