// 68-point facial landmarks (fr_landmark.onnx) and their reduction to the 5 alignment points.
import * as ort from 'onnxruntime-node';
import type { BBox } from '../types';
import { warpRegion, type RgbRegion, type Similarity } from './align';
import { loadModel, type LoadedModel } from './onnx-model';

export const LANDMARK_SIZE = 64;
const POINTS = 68;

/** The landmark model's view of a face: a square of side = box height, centred on the box. */
export function landmarkCrop(bbox: BBox): Similarity {
  const side = bbox[3] - bbox[1];
  const s = side / LANDMARK_SIZE;
  const left = (bbox[0] + bbox[2]) / 2 - side / 2;
  const top = (bbox[1] + bbox[3]) / 2 - side / 2;
  // Output pixel centre x sits at edge coordinate left + (x + 0.5)·s, i.e. centre coordinate − 0.5.
  return { a: s, b: 0, tx: left + 0.5 * s - 0.5, ty: top + 0.5 * s - 0.5 };
}

/** The crop as the 64×64 grey image the model reads (0–255, rows top-down). */
export function greyCrop(region: RgbRegion, bbox: BBox): Uint8Array {
  const rgb = warpRegion(region, landmarkCrop(bbox), LANDMARK_SIZE, LANDMARK_SIZE);
  const grey = new Uint8Array(LANDMARK_SIZE * LANDMARK_SIZE);
  for (let p = 0; p < grey.length; p++) {
    grey[p] = Math.round(0.299 * rgb[3 * p] + 0.587 * rgb[3 * p + 1] + 0.114 * rgb[3 * p + 2]);
  }
  return grey;
}

/** Runs are serialised: the input tensor is allocated once and reused. */
export class FaceLandmarker {
  private readonly input = new Float32Array(LANDMARK_SIZE * LANDMARK_SIZE);
  private readonly feeds: Record<string, ort.Tensor>;

  private constructor(private readonly model: LoadedModel) {
    this.feeds = { [model.inputName]: new ort.Tensor('float32', this.input, [1, 1, LANDMARK_SIZE, LANDMARK_SIZE]) };
  }

  static async load(path: string, threads: number): Promise<FaceLandmarker> {
    const spec = { family: 'a 68-point landmark model', input: [1, 1, LANDMARK_SIZE, LANDMARK_SIZE], output: [1, 2 * POINTS] };
    return new FaceLandmarker(await loadModel(path, spec, threads));
  }

  get hash(): string {
    return this.model.hash;
  }

  /** 68 points as flat x,y in frame coordinates (pixel centres on integers). */
  async locate(region: RgbRegion, bbox: BBox): Promise<Float32Array> {
    const grey = greyCrop(region, bbox);
    for (let i = 0; i < grey.length; i++) this.input[i] = grey[i] / 256;
    const out = await this.model.session.run(this.feeds);
    const rel = out[this.model.outputName].data as Float32Array;
    const side = bbox[3] - bbox[1];
    const left = (bbox[0] + bbox[2]) / 2 - side / 2;
    const top = (bbox[1] + bbox[3]) / 2 - side / 2;
    const pts = new Float32Array(2 * POINTS);
    for (let i = 0; i < POINTS; i++) {
      pts[2 * i] = left + rel[2 * i] * side - 0.5;
      pts[2 * i + 1] = top + rel[2 * i + 1] * side - 0.5;
    }
    return pts;
  }

  release(): Promise<void> {
    return this.model.session.release();
  }
}

/** iBUG 68 → ArcFace 5: image-left eye mean (36–41), image-right eye mean (42–47), nose tip (30), mouth corners (48, 54). */
export function fivePoints(pts68: ArrayLike<number>): Float32Array {
  const mean = (from: number, to: number, axis: 0 | 1) => {
    let s = 0;
    for (let i = from; i <= to; i++) s += pts68[2 * i + axis];
    return s / (to - from + 1);
  };
  const at = (i: number, axis: 0 | 1) => pts68[2 * i + axis];
  return Float32Array.from([
    mean(36, 41, 0), mean(36, 41, 1),
    mean(42, 47, 0), mean(42, 47, 1),
    at(30, 0), at(30, 1),
    at(48, 0), at(48, 1),
    at(54, 0), at(54, 1),
  ]);
}
