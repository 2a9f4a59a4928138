// ONNX Runtime session options shared by every model the engine runs.
import type { InferenceSession } from 'onnxruntime-node';

/**
 * Small models, one run at a time. Spinning is off: with it, the intra-op pool busy-waits after
 * every run, and between our short runs (2 ms detector, 10 ms embedder) that burnt more CPU than
 * the inference itself (measured: 200 detector runs took 2.2 CPU-s with 2 spinning threads,
 * 0.9 CPU-s without), CPU that ffmpeg needs for decoding.
 */
export function sessionOptions(threads: number): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}
