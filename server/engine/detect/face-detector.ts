import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { sessionOptions } from '../models/session-options';
import sharp from 'sharp';
import type { Detection } from '../types';
import { INPUT_BYTES, INPUT_HEIGHT, INPUT_WIDTH, rgbToNchw } from './preprocess';
import { collectCandidates, finish, type Candidates } from './rfb-decode';
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
    checkSize(rgb, INPUT_BYTES, '320×240 rgb24');
    const frame = { width: srcWidth, height: srcHeight };
    return this.exclusive(async () => {
      const found: Candidates = { boxes: [], scores: [] };
      await this.infer(rgb, { left: 0, top: 0, ...frame }, frame, found);
      return finish(found, this.opts.nmsIou, this.opts.minSize);
    });
  }

  /**
   * Small faces: the whole frame (`small`, as for detectSmall) plus cols×rows overlapping
   * tiles of the full-res rgb24 frame, each stretched to 320×240 by sharp (libuv threads,
   * overlapping the inferences), merged by one NMS. `full` must stay untouched until this
   * resolves.
   */
  async detectTiled(full: Buffer, width: number, height: number, small: Buffer, tiles: [number, number]): Promise<Detection[]> {
    checkSize(full, width * height * 3, `${width}×${height} rgb24`);
    checkSize(small, INPUT_BYTES, '320×240 rgb24');
    const frame = { width, height };
    const regions = tileGrid(width, height, tiles[0], tiles[1]);
    const crops = regions.map((r) => resizeCrop(full, frame, r));
    // Crops that fail are awaited below; stop Node reporting them as unhandled meanwhile.
    crops.forEach((p) => p.catch(() => undefined));
    return this.exclusive(async () => {
      const found: Candidates = { boxes: [], scores: [] };
      await this.infer(small, { left: 0, top: 0, ...frame }, frame, found);
      for (let i = 0; i < regions.length; i++) await this.infer(await crops[i], regions[i], frame, found, true);
      return finish(found, this.opts.nmsIou, this.opts.minSize);
    });
  }

  async close(): Promise<void> {
    await this.tail;
    await this.session.release();
  }

  private async infer(rgb: Buffer, region: Region, frame: { width: number; height: number }, into: Candidates, dropCut = false) {
    rgbToNchw(rgb, this.input);
    await this.session.run(this.feeds, this.fetches);
    const scores = this.fetches.scores.data as Float32Array;
    const boxes = this.fetches.boxes.data as Float32Array;
    collectCandidates(scores, boxes, this.opts.confThreshold, region, frame, dropCut, into);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

function resizeCrop(full: Buffer, frame: { width: number; height: number }, r: Region): Promise<Buffer> {
  return sharp(full, { raw: { ...frame, channels: 3 } })
    .extract(r)
    .resize(INPUT_WIDTH, INPUT_HEIGHT, { fit: 'fill' })
    .raw()
    .toBuffer();
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
