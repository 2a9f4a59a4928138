// A face check for boxes a detector pass may have got wrong (above all, boxes only a tile found):
// the engine's own models look at the box again, cheapest first, and the first gate it fails is
// its reason.
//   quality    faces_embed's crop measures (quality.ts) on the landmark model's 64×64 grey crop:
//              a flat or featureless crop is no face
//   landmarks  the 68-point model run on the crop and on its mirror image: on a face both runs
//              agree (mirrored back); on a pattern the points wander. Measured here, real faces
//              disagree by 0.006–0.05 of the box height (profiles up to ~0.13), dotted
//              patterns by 0.1–0.2
//   alignment  the 5-point similarity onto the ArcFace template (as faces_embed aligns) must not
//              turn the face by more than MAX_ROLL
//   redetect   the detector itself on two face-centred views, the box 1/4 and 1/5 of the view's
//              height, four views to one inference (a 2×2 mosaic); the lower score counts. Tile
//              false positives are textures that fire at one scale and position: on real footage
//              they score under 0.15 this way, while real faces of 24–60 px score 0.82–1.0.
// The landmark gate alone cannot tell a hand from a face (hands disagree by 0.04–0.09, as
// profiles do); the view is the gate that does, and the others catch the cheap cases first.
import type { CheckFailure } from '../manifests/track-metrics';
import type { BBox } from '../types';
import { ARCFACE_TEMPLATE, cropRegion, estimateSimilarity, warpRegion, type RgbRegion } from '../embed/align';
import { FaceLandmarker, fivePoints } from '../embed/landmarks';
import { faceQuality } from '../embed/quality';
import type { FaceDetector } from './face-detector';
import { iou } from './nms';
import { INPUT_HEIGHT, INPUT_WIDTH } from './preprocess';

export const CHECK_FAILURES: readonly CheckFailure[] = ['quality', 'landmarks', 'alignment', 'redetect'];

export interface FaceCheckOptions {
  /** The view's best score on the box must reach this. */
  minRedetect: number;
  /** Largest mean landmark disagreement between the crop and its mirror, as a fraction of the box height. */
  maxLandmarkError: number;
  /** Smallest standard deviation of the 64×64 grey crop (0–255). */
  minContrast: number;
  /** Smallest Laplacian variance of the 64×64 grey crop. */
  minSharpness: number;
}

/** The similarity onto the template may turn a face by at most this (degrees); real faces here stay within ±35°. */
const MAX_ROLL = 60;
/** Each box's views are this many box heights high (4:3): the face ~30 and ~24 px high in a 160×120 mosaic cell. */
const VIEW_CONTEXTS = [4, 5];
const CELLS = 2;
const CELL_W = INPUT_WIDTH / CELLS;
const CELL_H = INPUT_HEIGHT / CELLS;
/** A view's box counts as the checked box from this IoU (the view's box is drawn at another scale). */
const VIEW_IOU = 0.4;

export interface CheckVerdict {
  /** The first gate the box failed; undefined when it passed. */
  failure?: CheckFailure;
  /** A passed box as the views drew it, in frame px. */
  box?: BBox;
}

/** Model runs the checks made, for the cost report. */
export interface CheckCost {
  landmarkRuns: number;
  viewRuns: number;
}

export class FaceCheck {
  readonly cost: CheckCost = { landmarkRuns: 0, viewRuns: 0 };

  private constructor(
    private readonly landmarker: FaceLandmarker,
    private readonly detector: FaceDetector,
    private readonly opts: FaceCheckOptions,
  ) {}

  static async load(landmarkPath: string, threads: number, detector: FaceDetector, opts: FaceCheckOptions): Promise<FaceCheck> {
    return new FaceCheck(await FaceLandmarker.load(landmarkPath, threads), detector, opts);
  }

  /** Names the landmark weights, for cache keys and logs. */
  get landmarkHash(): string {
    return this.landmarker.hash;
  }

  /**
   * Each box's verdict; `full` is the width×height rgb24 frame. A box that passes also gets the
   * views' box of it (their mean): drawn with the face 24–30 model px high, it fits a small face
   * better than a tile's box, where the face may be 7–10 px.
   */
  async check(full: Uint8Array, width: number, height: number, boxes: readonly BBox[]): Promise<CheckVerdict[]> {
    const out: CheckVerdict[] = [];
    for (const box of boxes) out.push({ failure: await this.cropGates(cropRegion(full, width, height, box), box) });
    const views = boxes.flatMap((box, i) => (out[i].failure ? [] : VIEW_CONTEXTS.map((context) => ({ i, box, context }))));
    const frame: RgbRegion = { data: full, width, height, left: 0, top: 0 };
    const seen = new Map<number, { lowest: number; boxes: BBox[] }>();
    for (let at = 0; at < views.length; at += CELLS * CELLS) {
      const group = views.slice(at, at + CELLS * CELLS);
      const found = await this.redetect(frame, group);
      group.forEach((v, k) => {
        const s = seen.get(v.i) ?? seen.set(v.i, { lowest: 1, boxes: [] }).get(v.i)!;
        s.lowest = Math.min(s.lowest, found[k].score);
        if (found[k].box) s.boxes.push(found[k].box!);
      });
    }
    for (const [i, { lowest, boxes: drawn }] of seen) {
      if (lowest < this.opts.minRedetect) out[i].failure = 'redetect';
      else out[i].box = drawn.reduce((m, b) => m.map((v, j) => v + b[j] / drawn.length) as BBox, [0, 0, 0, 0] as BBox);
    }
    return out;
  }

  release(): Promise<void> {
    return this.landmarker.release();
  }

  /** quality, landmarks and alignment, on the box's crop. */
  private async cropGates(region: RgbRegion, box: BBox): Promise<CheckFailure | undefined> {
    const q = faceQuality(region, box);
    if (q.contrast < this.opts.minContrast || q.sharpness < this.opts.minSharpness) return 'quality';
    const mirrored = mirrorRegion(region);
    const mx = (x: number) => 2 * region.left + region.width - 1 - x;
    this.cost.landmarkRuns += 2;
    const pts = await this.landmarker.locate(region, box);
    const back = await this.landmarker.locate(mirrored, [mx(box[2]), box[1], mx(box[0]), box[3]]);
    let error = 0;
    for (let i = 0; i < MIRROR_68.length; i++) {
      const j = MIRROR_68[i];
      error += Math.hypot(mx(back[2 * j]) - pts[2 * i], back[2 * j + 1] - pts[2 * i + 1]);
    }
    if (error / MIRROR_68.length / (box[3] - box[1]) > this.opts.maxLandmarkError) return 'landmarks';
    const toTemplate = estimateSimilarity(fivePoints(pts), ARCFACE_TEMPLATE);
    return Math.abs((Math.atan2(toTemplate.b, toTemplate.a) * 180) / Math.PI) > MAX_ROLL ? 'alignment' : undefined;
  }

  /**
   * The detector's best score on each box in its face-centred view (up to four views per run), and
   * that box in frame px. A view is at most the frame's height (or twice the box's): around a big
   * face it would be padding.
   */
  private async redetect(frame: RgbRegion, views: readonly { box: BBox; context: number }[]): Promise<{ score: number; box?: BBox }[]> {
    const mosaic = Buffer.alloc(INPUT_WIDTH * INPUT_HEIGHT * 3);
    const placed = views.map(({ box, context }, k) => {
      const h = box[3] - box[1];
      const scale = Math.min(context * h, Math.max(frame.height, 2 * h)) / CELL_H; // frame px per view px
      const left = (box[0] + box[2]) / 2 - (scale * CELL_W) / 2;
      const top = (box[1] + box[3]) / 2 - (scale * CELL_H) / 2;
      const view = warpRegion(frame, { a: scale, b: 0, tx: left + scale / 2 - 0.5, ty: top + scale / 2 - 0.5 }, CELL_W, CELL_H);
      const cx = (k % CELLS) * CELL_W;
      const cy = Math.floor(k / CELLS) * CELL_H;
      for (let y = 0; y < CELL_H; y++) mosaic.set(view.subarray(y * CELL_W * 3, (y + 1) * CELL_W * 3), ((cy + y) * INPUT_WIDTH + cx) * 3);
      const expected = [cx + (box[0] - left) / scale, cy + (box[1] - top) / scale, cx + (box[2] - left) / scale, cy + (box[3] - top) / scale] as BBox;
      const toFrame = (b: BBox): BBox => [left + (b[0] - cx) * scale, top + (b[1] - cy) * scale, left + (b[2] - cx) * scale, top + (b[3] - cy) * scale];
      return { expected, toFrame };
    });
    this.cost.viewRuns++;
    const found = await this.detector.detectView(mosaic, Math.min(this.opts.minRedetect, 0.99));
    return placed.map(({ expected, toFrame }) => {
      const best = found.filter((d) => iou(d.bbox, expected) >= VIEW_IOU).sort((a, b) => b.conf - a.conf)[0];
      return best ? { score: best.conf, box: toFrame(best.bbox) } : { score: 0 };
    });
  }
}

/** The region mirrored left–right (its place in the frame unchanged). */
function mirrorRegion(r: RgbRegion): RgbRegion {
  const data = new Uint8Array(r.data.length);
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const from = (y * r.width + (r.width - 1 - x)) * 3;
      const to = (y * r.width + x) * 3;
      data[to] = r.data[from];
      data[to + 1] = r.data[from + 1];
      data[to + 2] = r.data[from + 2];
    }
  }
  return { ...r, data };
}

/** iBUG 68-point indices under a left–right mirror: jaw, brows, nose wings, eyes, mouth swap sides. */
const MIRROR_68: readonly number[] = (() => {
  const m = Array.from({ length: 68 }, (_, i) => i);
  const swap = (a: number, b: number) => ((m[a] = b), (m[b] = a));
  for (let i = 0; i < 8; i++) swap(i, 16 - i); // jaw 0–16
  for (let i = 0; i < 5; i++) swap(17 + i, 26 - i); // brows 17–26
  swap(31, 35); // nose wings 31–35
  swap(32, 34);
  [[36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46]].forEach(([a, b]) => swap(a, b)); // eyes
  [[48, 54], [49, 53], [50, 52], [59, 55], [58, 56], [60, 64], [61, 63], [67, 65]].forEach(([a, b]) => swap(a, b)); // mouth
  return m;
})();
