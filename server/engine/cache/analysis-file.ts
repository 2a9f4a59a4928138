// The analysis stage's output, streamed in frame order:
//   rows.jsonl      one line per event: {"cut":48,"reset":true}, {"fade":130} or
//                   {"f":54,"t":2.25,"d":[[x1,y1,x2,y2,conf],…],"e":true,"q":[[contrast,sharpness],…],
//                    "r":[[x1,y1,x2,y2,conf,"redetect"],…]}
//                   (an analysed frame, its presentation time, its detections, with "e" each
//                   face's quality, with "r" the boxes the face check dropped and why)
//   embeddings.f32  when a frame row has "e": one float32 vector per detection, in row order
// JSON keeps boxes and scores exact (doubles round-trip), and float32 is what the embedder returns,
// so a replay feeds the tracker and the gate bit-identical inputs.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EmbeddedFace } from '../embed/quality';
import type { RejectedDetection } from '../detect/frame-detection';
import type { BBox, Detection } from '../types';
import type { FileSum } from './stage-store';

export const ROWS_FILE = 'rows.jsonl';
export const EMBEDDINGS_FILE = 'embeddings.f32';

export type AnalysisRow =
  | { kind: 'cut'; idx: number; reset: boolean }
  | { kind: 'fade'; idx: number }
  | { kind: 'frame'; idx: number; ts: number; dets: Detection[]; faces?: EmbeddedFace[]; rejected?: RejectedDetection[] };

/** A write stream that hashes and counts what goes through it. */
class SummedStream {
  private readonly hash: Hash = createHash('sha256');
  private readonly out: WriteStream;
  private failure: Error | undefined;
  private abandoned = false;
  bytes = 0;

  constructor(file: string) {
    this.out = createWriteStream(file, { highWaterMark: 1 << 20 });
    // Unheard, a stream error would kill the process. A real one is kept for drain() and close();
    // the one destroy() causes in a write still in flight (a cancel) is expected.
    this.out.on('error', (err) => {
      if (!this.abandoned) this.failure ??= err;
    });
  }

  write(chunk: Uint8Array | string): boolean {
    if (this.failure) throw this.failure;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.hash.update(buf);
    this.bytes += buf.length;
    return this.out.write(buf);
  }

  /** Waits out a full buffer, or the stream's end (a destroyed stream never drains); rejects once it has failed. */
  async drain(): Promise<void> {
    if (this.out.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.out.off('drain', done).off('close', done);
          resolve();
        };
        this.out.on('drain', done).on('close', done);
      });
    }
    if (this.failure) throw this.failure;
  }

  /** Flushes, fsyncs and closes; the sum describes the file as written. */
  async close(): Promise<FileSum> {
    await new Promise<void>((resolve, reject) => this.out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.failure) throw this.failure;
    const fh = await open(this.out.path, 'r+');
    await fh.sync().finally(() => fh.close());
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Drops what is still buffered; resolves once the file is closed. */
  async destroy(): Promise<void> {
    this.abandoned = true;
    if (this.out.closed) return;
    await new Promise<void>((resolve) => this.out.once('close', () => resolve()).destroy());
  }
}

export class AnalysisWriter {
  private readonly rowsOut: SummedStream;
  private readonly embOut: SummedStream;
  rows = 0;
  embeddings = 0;

  constructor(dir: string) {
    this.rowsOut = new SummedStream(join(dir, ROWS_FILE));
    this.embOut = new SummedStream(join(dir, EMBEDDINGS_FILE));
  }

  /** Both writes return false when a buffer is full: await drain() before many more. */
  cut(idx: number, reset: boolean): boolean {
    this.rows++;
    return this.rowsOut.write(JSON.stringify({ cut: idx, reset }) + '\n');
  }

  /** The black frame of a fade-out, where the tracker resets. */
  fade(idx: number): boolean {
    this.rows++;
    return this.rowsOut.write(JSON.stringify({ fade: idx }) + '\n');
  }

  /** `faces`, when given, has one per detection; `rejected`: the boxes the face check dropped. */
  frame(idx: number, ts: number, dets: readonly Detection[], faces?: readonly EmbeddedFace[], rejected: readonly RejectedDetection[] = []): boolean {
    this.rows++;
    const row: { f: number; t: number; d: number[][]; e?: true; q?: number[][]; r?: (number | string)[][] } = { f: idx, t: ts, d: dets.map((d) => [...d.bbox, d.conf]) };
    if (rejected.length) row.r = rejected.map((d) => [...d.bbox, d.conf, d.reason]);
    let ok = true;
    if (faces) {
      row.e = true;
      row.q = faces.map(({ quality: q }) => [q.contrast, q.sharpness]);
      for (const { embedding: e } of faces) ok = this.embOut.write(new Uint8Array(e.buffer, e.byteOffset, e.byteLength)) && ok;
      this.embeddings += faces.length;
    }
    return this.rowsOut.write(JSON.stringify(row) + '\n') && ok;
  }

  async drain(): Promise<void> {
    await Promise.all([this.rowsOut.drain(), this.embOut.drain()]);
  }

  async close(): Promise<Record<string, FileSum>> {
    return { [ROWS_FILE]: await this.rowsOut.close(), [EMBEDDINGS_FILE]: await this.embOut.close() };
  }

  async abandon(): Promise<void> {
    await Promise.all([this.rowsOut.destroy(), this.embOut.destroy()]);
  }
}

/**
 * Reads a file front to back in 1 MiB chunks: one read per frame row would cost a thread-pool
 * round trip per analysed frame, most of a re-run's time.
 */
class SequentialReader {
  private chunk = Buffer.alloc(0);
  private offset = 0;
  private position = 0;

  private constructor(private readonly fh: FileHandle) {}

  static async open(file: string): Promise<SequentialReader> {
    return new SequentialReader(await open(file, 'r'));
  }

  /** The next `bytes` bytes, as a copy; throws where the file ends early. */
  async take(bytes: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(bytes);
    let filled = 0;
    while (filled < bytes) {
      if (this.offset === this.chunk.length) {
        const buf = Buffer.allocUnsafe(Math.max(bytes - filled, 1 << 20));
        const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.position);
        if (bytesRead === 0) throw new Error(`${EMBEDDINGS_FILE} ends early at byte ${this.position}`);
        this.position += bytesRead;
        this.chunk = buf.subarray(0, bytesRead);
        this.offset = 0;
      }
      const n = Math.min(bytes - filled, this.chunk.length - this.offset);
      this.chunk.copy(out, filled, this.offset, this.offset + n);
      this.offset += n;
      filled += n;
    }
    return out;
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Streams an entry's rows back; embeddings are read alongside, `dim` floats per detection. */
export async function* readAnalysis(dir: string, dim: number): AsyncGenerator<AnalysisRow> {
  const emb = await SequentialReader.open(join(dir, EMBEDDINGS_FILE));
  const lines = createInterface({ input: createReadStream(join(dir, ROWS_FILE)), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const r = JSON.parse(line);
      if (typeof r.cut === 'number') {
        yield { kind: 'cut', idx: r.cut, reset: !!r.reset };
        continue;
      }
      if (typeof r.fade === 'number') {
        yield { kind: 'fade', idx: r.fade };
        continue;
      }
      const dets: Detection[] = (r.d as number[][]).map(([x1, y1, x2, y2, conf]) => ({ bbox: [x1, y1, x2, y2] as BBox, conf }));
      let faces: EmbeddedFace[] | undefined;
      if (r.e) {
        const buf = await emb.take(dets.length * dim * 4);
        // Each vector gets its own aligned copy: the gate keeps prototypes from them.
        faces = dets.map((_, i) => ({
          embedding: new Float32Array(buf.buffer.slice(buf.byteOffset + i * dim * 4, buf.byteOffset + (i + 1) * dim * 4)),
          quality: { contrast: r.q[i][0], sharpness: r.q[i][1] },
        }));
      }
      const row: AnalysisRow = { kind: 'frame', idx: r.f, ts: r.t, dets, faces };
      if (r.r) row.rejected = (r.r as [number, number, number, number, number, RejectedDetection['reason']][]).map(([x1, y1, x2, y2, conf, reason]) => ({ bbox: [x1, y1, x2, y2], conf, reason }));
      yield row;
    }
  } finally {
    lines.close();
    await emb.close();
  }
}
