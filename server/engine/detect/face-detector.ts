import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { sessionOptions } from '../models/session-options';
import sharp from 'sharp';
import type { Detection } from '../types';
import { INPUT_BYTES, INPUT_HEIGHT, INPUT_WIDTH, rgbToNchw } from './preprocess';
import { collectCandidates, emptyCandidates, finish, nmsCandidates, type Candidates, type InputCell, type SourceDetection } from './rfb-decode';
import { mergeSources, type MergeResult } from './tile-merge';
import { tileGrid, type Region } from './tiles';

export interface DetectorOptions {
  /** Lowest score returned (ByteTrack's low band starts here). */
  confThreshold: number;
  nmsIou: number;
  /** Minimum box side in source px. */
  minSize: number;
  /** onnxruntime intra-op threads. */
  threads: number;
}

const ANCHORS = 4420;
const EXPECTED: Record<string, { kind: 'input' | 'output'; shape: number[] }> = {
  input: { kind: 'input', shape: [1, 3, INPUT_HEIGHT, INPUT_WIDTH] },
  scores: { kind: 'output', shape: [1, ANCHORS, 2] },
  boxes: { kind: 'output', shape: [1, ANCHORS, 4] },
};

/**
 * Ultra-Light RFB-320 face detector. Runs are serialised because the input and output
 * tensors are allocated once and reused. Note: onnxruntime-node's `run` executes the
 * model synchronously on the JS thread (inside a setImmediate); only intra-op helper
 * threads run beside it.
 */
export class FaceDetector {
  private readonly input = new Float32Array(3 * INPUT_HEIGHT * INPUT_WIDTH);
  private readonly feeds: Record<string, ort.Tensor>;
  private readonly fetches: Record<string, ort.Tensor>;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly opts: DetectorOptions,
    readonly modelId: string,
  ) {
    this.feeds = { input: new ort.Tensor('float32', this.input, EXPECTED.input.shape) };
    this.fetches = {
      scores: new ort.Tensor('float32', new Float32Array(ANCHORS * 2), EXPECTED.scores.shape),
      boxes: new ort.Tensor('float32', new Float32Array(ANCHORS * 4), EXPECTED.boxes.shape),
    };
  }

  static async load(modelPath: string, opts: DetectorOptions): Promise<FaceDetector> {
    const bytes = await readFile(modelPath);
    const session = await ort.InferenceSession.create(bytes, sessionOptions(opts.threads));
    const problem = shapeProblem(session);
    if (problem) {
      await session.release();
      throw new Error(`${modelPath} is not an RFB-320 face detector: ${problem}`);
    }
    const hash = createHash('sha256').update(bytes).digest('hex');
    return new FaceDetector(session, opts, `rfb320:${hash.slice(0, 12)}`);
  }

  /** rgb: 320×240 rgb24, the whole source frame stretched; boxes come back in source px. */
  async detectSmall(rgb: Buffer, srcWidth: number, srcHeight: number): Promise<Detection[]> {
    const found = await this.detectWhole(rgb, srcWidth, srcHeight);
    return finish(found, this.opts.nmsIou, this.opts.minSize);
  }

  /**
   * The whole-frame pass as a tiled pass's source 0: NMS'd, min_size not applied yet. With `floor`
   * below conf_threshold, boxes down to it come too (greedy NMS by score decides a box from
   * higher-scoring ones only, so the boxes at conf_threshold and above are the same).
   */
  async detectWholeSource(rgb: Buffer, srcWidth: number, srcHeight: number, floor = this.opts.confThreshold): Promise<SourceDetection[]> {
    return nmsCandidates(await this.detectWhole(rgb, srcWidth, srcHeight, floor), this.opts.nmsIou);
  }

  /** The lowest score returned as a detection. */
  get confThreshold(): number {
    return this.opts.confThreshold;
  }

  /**
   * Each region of the full-res rgb24 frame, resized by sharp (libuv threads, so the resizes
   * overlap the inferences) and NMS'd on its own; boxes in source px, those touching an inner
   * region edge marked cut. `layout` [1, 1]: each region stretched to the whole 320×240 input
   * (tiles); [cols, rows]: that many regions to an input, each stretched to one cell of a mosaic
   * (small regions around known faces, many to an inference). `full` must stay untouched until
   * this resolves.
   */
  async detectRegions(full: Buffer, width: number, height: number, regions: readonly Region[], layout: MosaicLayout = [1, 1]): Promise<SourceDetection[][]> {
    checkSize(full, width * height * 3, `${width}×${height} rgb24`);
    const frame = { width, height };
    const [cols, rows] = layout;
    const crops = regions.map((r) => resizeCrop(full, frame, r, INPUT_WIDTH / cols, INPUT_HEIGHT / rows));
    // Crops that fail are awaited below; stop Node reporting them as unhandled meanwhile.
    crops.forEach((p) => p.catch(() => undefined));
    return this.exclusive(async () => {
      const out: SourceDetection[][] = [];
      for (let at = 0; at < regions.length; at += cols * rows) {
        const group = await Promise.all(crops.slice(at, at + cols * rows));
        await this.run(cols * rows === 1 ? group[0] : mosaic(group, layout));
        group.forEach((_, k) => {
          const cell = { x: (k % cols) / cols, y: Math.floor(k / cols) / rows, w: 1 / cols, h: 1 / rows };
          const found = emptyCandidates();
          this.collect(regions[at + k], frame, found, this.opts.confThreshold, cell);
          out.push(nmsCandidates(found, this.opts.nmsIou));
        });
      }
      return out;
    });
  }

  /**
   * The whole frame (`small`, as for detectSmall) plus cols×rows overlapping tiles of the full-res
   * frame, merged into one box per face (tile-merge.ts), without a face check.
   */
  async detectTiled(full: Buffer, width: number, height: number, small: Buffer, tiles: [number, number]): Promise<MergeResult> {
    const whole = await this.detectWholeSource(small, width, height);
    const parts = await this.detectRegions(full, width, height, tileGrid(width, height, tiles[0], tiles[1]));
    return mergeSources([whole, ...parts], this.opts.nmsIou, this.opts.minSize, height);
  }

  /** A 320×240 rgb24 image as it is (a face check's view): boxes in its own px, scores ≥ threshold, NMS'd. */
  async detectView(rgb: Buffer, threshold: number): Promise<Detection[]> {
    checkSize(rgb, INPUT_BYTES, '320×240 rgb24');
    const view = { left: 0, top: 0, width: INPUT_WIDTH, height: INPUT_HEIGHT };
    return this.exclusive(async () => {
      const found = emptyCandidates();
      await this.infer(rgb, view, view, found, threshold);
      return finish(found, this.opts.nmsIou, 0);
    });
  }

  private detectWhole(rgb: Buffer, srcWidth: number, srcHeight: number, threshold = this.opts.confThreshold): Promise<Candidates> {
    checkSize(rgb, INPUT_BYTES, '320×240 rgb24');
    const frame = { width: srcWidth, height: srcHeight };
    return this.exclusive(async () => {
      const found = emptyCandidates();
      await this.infer(rgb, { left: 0, top: 0, ...frame }, frame, found, threshold);
      return found;
    });
  }

  async close(): Promise<void> {
    await this.tail;
    await this.session.release();
  }

  private async infer(rgb: Buffer, region: Region, frame: { width: number; height: number }, into: Candidates, threshold: number) {
    await this.run(rgb);
    this.collect(region, frame, into, threshold);
  }

  private async run(rgb: Buffer): Promise<void> {
    rgbToNchw(rgb, this.input);
    await this.session.run(this.feeds, this.fetches);
  }

  /** The last run's anchors in `cell` of the input (default all of it), as boxes of `region`. */
  private collect(region: Region, frame: { width: number; height: number }, into: Candidates, threshold: number, cell?: InputCell) {
    const scores = this.fetches.scores.data as Float32Array;
    const boxes = this.fetches.boxes.data as Float32Array;
    collectCandidates(scores, boxes, threshold, region, frame, into, cell);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

function resizeCrop(full: Buffer, frame: { width: number; height: number }, r: Region, width = INPUT_WIDTH, height = INPUT_HEIGHT): Promise<Buffer> {
  return sharp(full, { raw: { ...frame, channels: 3 } })
    .extract(r)
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
}

/** Cells of a mosaic input: [cols, rows], each dividing 320 and 240. */
export type MosaicLayout = [number, number];

/** rgb24 images of (320/cols)×(240/rows) tiled into one 320×240 input, row by row (black where none). */
function mosaic(parts: readonly Buffer[], [cols, rows]: MosaicLayout): Buffer {
  const out = Buffer.alloc(INPUT_BYTES);
  const cw = INPUT_WIDTH / cols, ch = INPUT_HEIGHT / rows;
  parts.forEach((p, k) => {
    const x = (k % cols) * cw, y = Math.floor(k / cols) * ch;
    for (let row = 0; row < ch; row++) p.copy(out, ((y + row) * INPUT_WIDTH + x) * 3, row * cw * 3, (row + 1) * cw * 3);
  });
  return out;
}

/** Describes how the session's inputs/outputs differ from RFB-320's, or '' when they match. */
function shapeProblem(session: ort.InferenceSession): string {
  const describe = (list: readonly ort.InferenceSession.ValueMetadata[]) =>
    list.map((m) => `'${m.name}' ${m.isTensor ? `[${m.shape.join(',')}]` : '(not a tensor)'}`).join(', ');
  const all = [...session.inputMetadata, ...session.outputMetadata];
  const ok = Object.entries(EXPECTED).every(([name, want]) => {
    const m = all.find((x) => x.name === name);
    const list = want.kind === 'input' ? session.inputNames : session.outputNames;
    return m?.isTensor && list.includes(name) && m.shape.join() === want.shape.join();
  });
  if (ok) return '';
  return (
    `expected input 'input' [1,3,240,320] and outputs 'scores' [1,${ANCHORS},2], 'boxes' [1,${ANCHORS},4]; ` +
    `got input ${describe(session.inputMetadata)} and outputs ${describe(session.outputMetadata)}`
  );
}

function checkSize(buf: Buffer, bytes: number, what: string): void {
  if (buf.length !== bytes) throw new Error(`expected a ${what} frame of ${bytes} bytes, got ${buf.length}`);
}
