// Merging the whole frame's boxes with the tiles' into one box per face. Plain NMS is not enough:
// a face cut by a tile's edge gives a partial box beside the whole-frame box of the same face
// (IoU often under the NMS threshold), and a tile may box part of a face the whole frame boxed
// whole. Two boxes from different sources are the same face when their IoU is above the NMS
// threshold or when most of the smaller lies inside the larger (intersection over the smaller).
// Two real faces overlap that much only when the smaller is mostly hidden, and a face less than
// half visible is not scored (MOTChallenge's ignore rows).
import type { BBox, Detection } from '../types';
import { ios, iou } from './nms';
import { bigEnough, type SourceDetection } from './rfb-decode';
import { TILE_FACE_MAX } from './tiles';

/** Intersection over the smaller box at or above which two boxes are one face… */
export const SAME_FACE_IOS = 0.6;
/** …when the smaller has at least this fraction of the larger's area: a small face in front of a big false box stays apart. */
const SAME_FACE_AREA = 0.1;

const area = (b: BBox) => (b[2] - b[0]) * (b[3] - b[1]);

/** Whether two boxes show one face (see the head of this file). */
export function sameFace(a: BBox, b: BBox, nmsIou: number): boolean {
  if (iou(a, b) > nmsIou) return true;
  return ios(a, b) >= SAME_FACE_IOS && Math.min(area(a), area(b)) >= SAME_FACE_AREA * Math.max(area(a), area(b));
}

export interface MergedDetection extends Detection {
  /** Only tiles found this face: the whole frame has no box on it. */
  tileOnly: boolean;
  /** When a tile's box won over a whole-frame box of the same face: the whole frame's best box. */
  whole?: Detection;
}

export interface MergeResult {
  dets: MergedDetection[];
  /** Cut boxes (touching a tile's inner edge) that no whole box of the same face absorbed: dropped. */
  cutDropped: number;
}

/**
 * One box per face from `sources` (each already NMS'd; source 0 is the whole frame, the others
 * tiles; an empty source 0 when the whole frame ran no pass). Greedy, whole boxes before cut ones
 * and each by descending score: a box joins the first kept box of the same face, else it is kept;
 * a whole-frame box never joins a face that holds one already (two whole-frame boxes are two
 * faces, even where a tile's box spans both: two big neighbours once lost one box that way);
 * a cut box never starts a face of its own, since the tile
 * overlap shows every face of the size tiles are for whole in a neighbour. Boxes with a side
 * under minSize are dropped last, so a small partial box cannot outlive the face it belongs to.
 * A face the whole frame boxed at TILE_FACE_MAX of the frame height or more keeps the whole
 * frame's box and score (measured: tile boxes of such faces fit the truth worse, IoU 0.72 against
 * 0.88; below that size tile boxes fit better, 0.80–0.84 against 0.72–0.80).
 */
export function mergeSources(sources: readonly (readonly SourceDetection[])[], nmsIou: number, minSize: number, frameHeight: number): MergeResult {
  const all = sources.flatMap((dets, src) => dets.map((d) => ({ ...d, src })));
  all.sort((a, b) => Number(a.cut) - Number(b.cut) || b.conf - a.conf);
  const kept: { det: (typeof all)[number]; whole?: (typeof all)[number] }[] = [];
  let cutDropped = 0;
  for (const d of all) {
    // The whole frame's own boxes are distinct faces (its NMS kept them apart): a face takes one.
    const same = kept.find((k) => !(d.src === 0 && k.whole) && sameFace(k.det.bbox, d.bbox, nmsIou));
    if (same) same.whole ??= d.src === 0 ? d : undefined;
    else if (d.cut) cutDropped++;
    else kept.push({ det: d, whole: d.src === 0 ? d : undefined });
  }
  const dets = kept
    .filter((k) => bigEnough(k.det, minSize))
    .map(({ det, whole }): MergedDetection => {
      // Faces beyond the size tiles are for are the whole frame's: its box of them is the tighter one.
      if (whole && whole.bbox[3] - whole.bbox[1] >= TILE_FACE_MAX * frameHeight) det = whole;
      const out: MergedDetection = { bbox: det.bbox, conf: det.conf, tileOnly: !whole };
      if (whole && det.src !== 0) out.whole = { bbox: whole.bbox, conf: whole.conf };
      return out;
    })
    .sort((a, b) => b.conf - a.conf);
  return { dets, cutDropped };
}
