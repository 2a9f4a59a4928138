// One ffmpeg process decodes the video once and feeds two raw streams:
//   pipe:1  every frame at the detector's 320×240 (stretched) rgb24, for scenes and whole-frame detection;
//   pipe:3  full-resolution frames, only where index % fullEvery === 0 (the sampling stride), as
//           rgb24, or as the decoder's own yuv420p when only small regions of them are read (crops).
// D1 (DESIGN §3): with d1 on, `select` drops unsampled frames in the filter graph before the
// rgb24 conversion, so ffmpeg converts and pipes only sampled frames. With d1 off every frame
// is converted and piped, and JS drops the unsampled ones. Used frames are byte-identical.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { VideoInfo } from '../types';
import { FrameAssembler } from './frame-assembler';
import { isYuv420p8, yuv420pSize } from './yuv';

export const SMALL_WIDTH = 320;
export const SMALL_HEIGHT = 240;

/**
 * Scaler for the every-frame 320×240 stream. Measured on 1080p H.264 (one thread): the scale
 * adds ~10% to decode-only CPU with `area` or `fast_bilinear`, ~20% with `bilinear`, ~6% with
 * `neighbor`. `area` averages every source pixel (no aliasing for the detector) at the same
 * cost as fast_bilinear, which only samples 2 of every 6 columns at 1080p.
 */
export const SMALL_SWS_FLAGS = 'area';

export interface DecodedFrame {
  /** Exact index: the n-th decoded frame, starting at 0. */
  index: number;
  /** SMALL_WIDTH × SMALL_HEIGHT rgb24. */
  small: Buffer;
  /** info.width × info.height in the fullFormat; present exactly on sampled frames when the full stream is on. */
  full?: Buffer;
}

export type FullFormat = 'rgb24' | 'yuv420p';

export interface FrameSourceOptions {
  ffmpegPath: string;
  info: VideoInfo;
  /** Sampling stride of the full-resolution stream; 0 = no full stream. */
  fullEvery: number;
  /** Pixels of the full stream (default rgb24); yuv420p needs an 8-bit 4:2:0 stream (isYuv420p8). */
  fullFormat?: FullFormat;
  /** Select sampled frames inside ffmpeg, before colour conversion (D1). */
  d1: boolean;
  /** ffmpeg decoder threads (ffmpeg's default when omitted). */
  threads?: number;
  /** Frames decoded ahead of the consumer before the pipes are paused (default 16). */
  maxQueued?: number;
  signal?: AbortSignal;
}

export interface DecodeSummary {
  /** Frames ffmpeg decoded and delivered (complete small frames). */
  framesDecoded: number;
  exitCode: number | null;
  /** Stopped by close() or the abort signal. */
  aborted: boolean;
  /** ffmpeg reported errors, exited non-zero, or the output ended mid-frame. */
  damaged: boolean;
  /** One line for the user when damaged. */
  warning?: string;
  /** Last lines of ffmpeg's stderr (errors only: it runs with -loglevel error). */
  stderrTail: string;
}

export interface FrameSource extends AsyncIterable<DecodedFrame> {
  /** Resolves when ffmpeg has exited; rejects if it could not be started. */
  done(): Promise<DecodeSummary>;
  /** Kills ffmpeg and ends the iteration. Breaking out of a for-await loop calls it too. */
  close(): void;
  /** Hands back a frame's `small` or `full` buffer for reuse; the caller must not read it afterwards. */
  recycle(buf: Buffer): void;
}

export function ffmpegDecodeArgs(opts: FrameSourceOptions): string[] {
  const { info, fullEvery, d1 } = opts;
  const { matrix, range } = info.color;
  // Scaled and converted in two steps: swscale's scaled output to packed rgb24 has no fast path
  // and cost 2.6 ms a frame at 1080p, against 1.3 ms for area → yuv420p plus 0.1 ms for the
  // unscaled yuv420p → rgb24 step (ffmpeg 4.4). The second step reads the probed matrix, as the
  // full frames do; range is left to the frames' tags, since the first step may have converted it.
  const yuvSource = info.pixFmt.startsWith('yuv');
  const small = `scale=${SMALL_WIDTH}:${SMALL_HEIGHT}:flags=${SMALL_SWS_FLAGS},format=yuv420p,`
    + `scale${yuvSource ? `=in_color_matrix=${matrix}` : ''},format=rgb24`;
  // The full branch pins the probed size, so a mid-stream resolution change cannot break framing.
  const select = d1 && fullEvery > 1 ? `select=not(mod(n\\,${fullEvery})),` : '';
  const yuv = opts.fullFormat === 'yuv420p';
  if (yuv && !isYuv420p8(info.pixFmt)) throw new Error(`yuv420p full frames need an 8-bit 4:2:0 stream, not ${info.pixFmt}`);
  // On such streams rgb24 uses the probed matrix and range too (ffmpeg would take BT.601 for an
  // untagged HD stream), so full frames mean the same colours in either format.
  const pin = isYuv420p8(info.pixFmt) ? `:in_color_matrix=${matrix}:in_range=${range}` : '';
  const size = `scale=${info.width}:${info.height}`;
  const full = yuv ? `${select}${size},format=${info.pixFmt}` : `${select}${size}${pin},format=rgb24`;
  const graph = fullEvery > 0 ? `[0:v:0]split=2[a][b];[a]${small}[s];[b]${full}[f]` : `[0:v:0]${small}[s]`;
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    ...(opts.threads ? ['-threads', String(opts.threads)] : []),
    '-i', info.path,
    '-filter_complex', graph,
    // Passthrough: never duplicate or drop frames, so output frame n is decoded frame n.
    // (-vsync is deprecated in 5.1 for -fps_mode, but 4.x only knows -vsync.)
    '-vsync', '0',
    '-map', '[s]', '-f', 'rawvideo', 'pipe:1',
    ...(fullEvery > 0 ? ['-map', '[f]', '-f', 'rawvideo', 'pipe:3'] : []),
  ];
}

const STDERR_TAIL_CHARS = 4000;
/**
 * ffmpeg lines that mean frames were lost. Other error-level lines can be harmless (e.g. mp4's
 * "Referenced QT chapter track not found"), so not every stderr line marks a file as damaged.
 */
const DECODE_ERROR = /error while decoding|decoding error|partial file|invalid data found/i;

export function openFrameSource(opts: FrameSourceOptions): FrameSource {
  const { info, fullEvery, d1 } = opts;
  if (!Number.isInteger(fullEvery) || fullEvery < 0) throw new Error(`fullEvery must be an integer >= 0, got ${fullEvery}`);
  const maxQueued = Math.max(1, opts.maxQueued ?? 16);
  const hasFull = fullEvery > 0;
  const sampled = (i: number): boolean => hasFull && i % fullEvery === 0;

  const child = spawn(opts.ffmpegPath, ffmpegDecodeArgs(opts), {
    stdio: ['ignore', 'pipe', 'pipe', hasFull ? 'pipe' : 'ignore'],
  });
  const smallPipe = child.stdout as Readable;
  const fullPipe = hasFull ? (child.stdio[3] as Readable) : undefined;
  const pipes = fullPipe ? [smallPipe, fullPipe] : [smallPipe];

  // Frames wait here until both halves of a sampled frame have arrived.
  const pendingSmall: Buffer[] = [];
  let pendingSmallFirst = 0;
  const pendingFull: { index: number; buf: Buffer }[] = [];
  const ready: DecodedFrame[] = [];

  let stderrTail = '';
  let stderrLine = '';
  let decodeErrors = 0;
  let firstDecodeError: string | undefined;
  let paused = false;
  let aborted = false;
  let finished = false;
  let failure: Error | undefined;
  let waiter: { resolve: (r: IteratorResult<DecodedFrame>) => void; reject: (e: Error) => void } | undefined;
  let resolveDone!: (s: DecodeSummary) => void;
  let rejectDone!: (e: Error) => void;
  const donePromise = new Promise<DecodeSummary>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  donePromise.catch(() => undefined); // the iterator reports the same error

  const small = new FrameAssembler(SMALL_WIDTH * SMALL_HEIGHT * 3, (buf) => {
    pendingSmall.push(buf);
    pair();
  });
  // With d1 the full stream carries only sampled frames, so its n-th frame is index n × fullEvery.
  const full = new FrameAssembler(
    opts.fullFormat === 'yuv420p' ? yuv420pSize(info.width, info.height) : info.width * info.height * 3,
    (buf, n) => {
      pendingFull.push({ index: d1 ? n * fullEvery : n, buf });
      pair();
    },
    d1 ? undefined : sampled,
  );
  // After close() the pipes only drain (so ffmpeg's exit is seen); their bytes are dropped.
  smallPipe.on('data', (c: Buffer) => aborted || small.push(c));
  fullPipe?.on('data', (c: Buffer) => aborted || full.push(c));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    stderrTail = (stderrTail + s).slice(-STDERR_TAIL_CHARS);
    const lines = (stderrLine + s).split('\n');
    stderrLine = lines.pop()!;
    lines.forEach(scanStderrLine);
  });

  function scanStderrLine(line: string): void {
    if (!DECODE_ERROR.test(line)) return;
    decodeErrors++;
    firstDecodeError ??= line.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]/, '').trim();
  }

  function pair(): void {
    if (failure) return;
    while (pendingSmall.length > 0) {
      const index = pendingSmallFirst;
      let fullBuf: Buffer | undefined;
      if (sampled(index)) {
        if (pendingFull.length === 0) return; // its full frame is still in the pipe
        const f = pendingFull.shift()!;
        if (f.index !== index) return fail(new Error(`ffmpeg frame pairing lost: full ${f.index} vs small ${index}`));
        fullBuf = f.buf;
      }
      ready.push({ index, small: pendingSmall.shift()!, full: fullBuf });
      pendingSmallFirst++;
    }
    if (ready.length >= maxQueued && !paused) {
      paused = true;
      for (const p of pipes) p.pause();
    }
    wake();
  }

  function wake(): void {
    if (!waiter) return;
    const w = waiter;
    if (failure) {
      waiter = undefined;
      w.reject(failure);
    } else if (aborted || (finished && ready.length === 0)) {
      waiter = undefined;
      w.resolve({ done: true, value: undefined });
    } else if (ready.length > 0) {
      waiter = undefined;
      w.resolve({ done: false, value: take() });
    }
  }

  function take(): DecodedFrame {
    const f = ready.shift()!;
    // Resume at half the bound so pipes do not flap pause/resume on every frame.
    if (paused && ready.length <= maxQueued >> 1) {
      paused = false;
      for (const p of pipes) p.resume();
    }
    return f;
  }

  function fail(e: Error): void {
    if (failure) return;
    failure = e;
    finished = true;
    child.kill('SIGKILL');
    rejectDone(e);
    wake();
  }

  child.on('error', (e) => fail(new Error(`cannot run ffmpeg at ${opts.ffmpegPath}: ${e.message}`)));

  child.on('close', (code, sig) => {
    if (failure) return;
    scanStderrLine(stderrLine);
    // A kill by close() leaves cut-short frames and a signal exit: expected, not damage.
    const problems: string[] = [];
    if (!aborted) {
      if (code !== 0) problems.push(`ffmpeg exited with ${code ?? sig}`);
      if (small.partialBytes || full.partialBytes) problems.push('the last frame was cut short');
      if (pendingSmall.length) problems.push(`${pendingSmall.length} frames lacked their full-resolution frame`);
      if (decodeErrors) problems.push(`${decodeErrors} ffmpeg errors, first: ${firstDecodeError}`);
    }
    const damaged = problems.length > 0;
    const estimate = info.framesEstimate ? ` of ~${info.framesEstimate}` : '';
    finished = true;
    resolveDone({
      framesDecoded: small.frames,
      exitCode: code,
      aborted,
      damaged,
      warning: damaged
        ? `${info.path} may be damaged: decoded ${small.frames}${estimate} frames; ${problems.join('; ')}`
        : undefined,
      stderrTail,
    });
    wake();
  });

  function close(): void {
    if (finished || aborted) return;
    aborted = true;
    ready.length = 0;
    child.kill('SIGKILL');
    // Paused pipes would keep their fds open until read; let them drain into the void.
    for (const p of pipes) p.resume();
    wake();
  }

  if (opts.signal) {
    if (opts.signal.aborted) close();
    else opts.signal.addEventListener('abort', close, { once: true });
    const signal = opts.signal;
    donePromise.then(
      () => signal.removeEventListener('abort', close),
      () => signal.removeEventListener('abort', close),
    );
  }

  let iterated = false;
  return {
    done: () => donePromise,
    close,
    recycle: (buf) => (buf.length === small.frameSize ? small : full).recycle(buf),
    [Symbol.asyncIterator](): AsyncIterator<DecodedFrame> {
      if (iterated) throw new Error('a frame source can be iterated only once');
      iterated = true;
      return {
        next(): Promise<IteratorResult<DecodedFrame>> {
          if (failure) return Promise.reject(failure);
          if (aborted) return Promise.resolve({ done: true, value: undefined });
          if (ready.length > 0) return Promise.resolve({ done: false, value: take() });
          if (finished) return Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve, reject) => (waiter = { resolve, reject }));
        },
        return(): Promise<IteratorResult<DecodedFrame>> {
          close();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}
