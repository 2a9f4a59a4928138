// FaceEmbedder on a worker thread. onnxruntime-node's run() blocks the calling JS thread for the
// whole inference (~10 ms per face here), so on the main thread it would stall decoding and
// detection; in a worker it overlaps them. At most `maxInFlight` faces are queued: embed()
// waits for a slot beyond that (backpressure, not unbounded memory).
import type { BBox } from '../types';
import { startWorker } from '../worker-script';
import { cropRegion, type RgbRegion } from './align';
import type { EmbedderModels, FrameEmbedder } from './face-embedder';
import type { EmbeddedFace, FaceQuality } from './quality';

export interface WorkerRequest {
  id: number;
  region: RgbRegion;
  bbox: BBox;
}

export type WorkerReply =
  | { ready: string }
  | { fatal: string }
  | { id: number; embedding: Float32Array; quality: FaceQuality }
  | { id: number; error: string };

export interface EmbedWorkerOptions extends EmbedderModels {
  /** Faces queued or running in the worker before embed() waits (default 8). */
  maxInFlight?: number;
}

interface Pending {
  resolve: (e: EmbeddedFace) => void;
  reject: (e: Error) => void;
}

export class EmbedWorker implements FrameEmbedder {
  private readonly pending = new Map<number, Pending>();
  private readonly inFlight = new Set<Promise<EmbeddedFace>>();
  private readonly slotWaiters: (() => void)[] = [];
  private nextId = 1;
  private failure: Error | undefined;
  private readonly loaded: Promise<string>;
  private readonly maxInFlight: number;
  modelId = '';

  private constructor(opts: EmbedWorkerOptions, private readonly worker = startWorker(__dirname, 'embed-worker', opts)) {
    this.maxInFlight = opts.maxInFlight ?? 8;
    let onReady!: (id: string) => void;
    let onFatal!: (e: Error) => void;
    this.loaded = new Promise((resolve, reject) => ((onReady = resolve), (onFatal = reject)));
    worker.on('message', (msg: WorkerReply) => {
      if ('ready' in msg) return onReady(msg.ready);
      if ('fatal' in msg) return onFatal(new Error(msg.fatal));
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      this.slotWaiters.shift()?.();
      if ('error' in msg) p?.reject(new Error(msg.error));
      else p?.resolve({ embedding: msg.embedding, quality: msg.quality });
    });
    worker.on('error', (err) => (this.fail(err), onFatal(err)));
    worker.on('exit', (code) => {
      const err = new Error(`embedding worker exited with code ${code}`);
      this.fail(err);
      onFatal(err);
    });
  }

  /** Starts the thread and loads both models there; rejects with the model error, if any. */
  static async start(opts: EmbedWorkerOptions): Promise<EmbedWorker> {
    const self = new EmbedWorker(opts);
    try {
      self.modelId = await self.loaded;
    } catch (err) {
      await self.worker.terminate();
      throw err;
    }
    return self;
  }

  /**
   * Copies the face's region of `frame` (full-res rgb24) before its first await, so the caller
   * may reuse the frame at once; resolves with the L2-normalised embedding and the region's
   * quality (the gate's faces stand in for faces_embed's, G3).
   */
  async embedFace(frame: Uint8Array, width: number, height: number, bbox: BBox): Promise<EmbeddedFace> {
    const region = cropRegion(frame, width, height, bbox);
    while (this.pending.size >= this.maxInFlight && !this.failure) await new Promise<void>((r) => this.slotWaiters.push(r));
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    const done = new Promise<EmbeddedFace>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.inFlight.add(done);
    const forget = () => this.inFlight.delete(done);
    done.then(forget, forget);
    this.worker.postMessage({ id, region, bbox: [...bbox] } satisfies WorkerRequest, [region.data.buffer as ArrayBuffer]);
    return done;
  }

  async embedFrame(frame: Uint8Array, width: number, height: number, bbox: BBox): Promise<Float32Array> {
    return (await this.embedFace(frame, width, height, bbox)).embedding;
  }

  /** Lets queued faces finish, then stops the thread. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    this.failure ??= new Error('embedding worker closed');
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    for (const w of this.slotWaiters.splice(0)) w();
  }
}
