// Face embedding: 68 landmarks → 5 points → similarity warp onto the ArcFace template →
// MobileFaceNet (fr_feature.onnx) → L2-normalised 512-d vector. Compare with cosine (a dot product).
import * as ort from 'onnxruntime-node';
import type { BBox } from '../types';
import { rgbToNchw } from '../detect/preprocess';
import { ALIGNED_SIZE, ARCFACE_TEMPLATE, cropRegion, estimateSimilarity, invertSimilarity, warpRegion, type RgbRegion } from './align';
import { FaceLandmarker, fivePoints } from './landmarks';
import { loadModel, type LoadedModel } from './onnx-model';

export const EMBEDDING_DIM = 512;

export interface EmbedderModels {
  landmark: string;
  feature: string;
  /** onnxruntime intra-op threads for each model. */
  threads: number;
}

/**
 * Embeds one face of a full-res rgb24 frame, copying what it needs before returning, so the
 * caller may reuse the frame. FaceEmbedder (this thread) and EmbedWorker (a worker) both are.
 */
export interface FrameEmbedder {
  readonly modelId: string;
  embedFrame(frame: Uint8Array, width: number, height: number, bbox: BBox): Promise<Float32Array>;
}

export interface AlignedFace {
  /** 112×112 rgb24. */
  rgb: Uint8Array;
  /** The 5 points found, in frame coordinates. */
  points: Float32Array;
}

/** Runs are serialised: both models reuse their input tensors. */
export class FaceEmbedder implements FrameEmbedder {
  private readonly input = new Float32Array(3 * ALIGNED_SIZE * ALIGNED_SIZE);
  private readonly feeds: Record<string, ort.Tensor>;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly landmarker: FaceLandmarker,
    private readonly feature: LoadedModel,
    /** Names both weights: an embedding is comparable only with one of the same id. */
    readonly modelId: string,
  ) {
    this.feeds = { [feature.inputName]: new ort.Tensor('float32', this.input, [1, 3, ALIGNED_SIZE, ALIGNED_SIZE]) };
  }

  static async load(models: EmbedderModels): Promise<FaceEmbedder> {
    const spec = { family: 'a face-embedding model', input: [1, 3, ALIGNED_SIZE, ALIGNED_SIZE], output: [1, EMBEDDING_DIM] };
    const landmarker = await FaceLandmarker.load(models.landmark, models.threads);
    try {
      const feature = await loadModel(models.feature, spec, models.threads);
      return new FaceEmbedder(landmarker, feature, `mfn512:${feature.hash}+lm68:${landmarker.hash}`);
    } catch (err) {
      await landmarker.release();
      throw err;
    }
  }

  /** The face aligned onto the ArcFace template. `region` comes from cropRegion(frame, …, bbox). */
  align(region: RgbRegion, bbox: BBox): Promise<AlignedFace> {
    return this.exclusive(() => this.alignNow(region, bbox));
  }

  embed(region: RgbRegion, bbox: BBox): Promise<Float32Array> {
    return this.exclusive(async () => {
      const { rgb } = await this.alignNow(region, bbox);
      rgbToNchw(rgb, this.input);
      const out = await this.feature.session.run(this.feeds);
      return l2Normalise(Float32Array.from(out[this.feature.outputName].data as Float32Array));
    });
  }

  embedFrame(frame: Uint8Array, width: number, height: number, bbox: BBox): Promise<Float32Array> {
    return this.embed(cropRegion(frame, width, height, bbox), bbox);
  }

  async close(): Promise<void> {
    await this.tail;
    await Promise.all([this.landmarker.release(), this.feature.session.release()]);
  }

  private async alignNow(region: RgbRegion, bbox: BBox): Promise<AlignedFace> {
    const points = fivePoints(await this.landmarker.locate(region, bbox));
    const toTemplate = estimateSimilarity(points, ARCFACE_TEMPLATE);
    return { rgb: warpRegion(region, invertSimilarity(toTemplate), ALIGNED_SIZE, ALIGNED_SIZE), points };
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export function l2Normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i] *= k;
  return v;
}

/** Cosine of two unit-length vectors: their dot product. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
