// One ffmpeg process decodes the video once and feeds two raw streams:
//   pipe:1  every decoded frame at the detector's 320×240 (stretched) as yuv420p, for scenes
//           (histograms read it as it is) and whole-frame detection (converted when sampled);
//   pipe:3  full-resolution frames of the sampled frames only, as rgb24, or as the decoder's own
//           yuv420p when only small regions of them are read (crops).
// D1 (DESIGN §3): with d1 on, `select` drops unsampled frames in the full branch of the filter
// graph before any conversion, so ffmpeg converts and pipes only sampled full frames. With d1
// off every full frame is converted and piped, and JS drops the unsampled ones. Used frames are
// byte-identical.
//
// Time: every frame's presentation time comes from ffmpeg's showinfo filter on a 2×2 crop of the
// 320×240 stream (its checksums cost nothing there; on the whole 320×240 frame they cost ~1% of
// ffmpeg's CPU), in microseconds (settb=AVTB), on stderr. A tag of the file can print any text
// on stderr too, so only lines from the showinfo instance named with this run's random nonce
// count. ffmpeg subtracts the file's start time, so ts is the time a player shows for the frame.
//
// Sampling (DESIGN §3): `exact` decodes every frame, and frame n is index n. `refs` has the
// decoder skip non-reference frames (`-skip_frame noref`, not `bidir`: P-frames may reference
// B-frames, and skipping those corrupts what follows) and `keyframes` all but keyframes. Indices
// then come from the timestamps, and a sampled frame is the first decoded one at or after each
// stride point (ffmpeg's `select` applies the same rule for D1).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Sampling } from '../../config/episode-config';
import type { VideoInfo } from '../types';
import { FrameAssembler } from './frame-assembler';
import { FrameQueue } from './frame-queue';
import { VIDEO_STREAM } from './probe';
import { isYuv420p8, yuv420pSize, type YuvColor } from './yuv';

export const SMALL_WIDTH = 320;
export const SMALL_HEIGHT = 240;
export const SMALL_BYTES = yuv420pSize(SMALL_WIDTH, SMALL_HEIGHT);

/**
 * Scaler for the every-frame 320×240 stream. Measured on 1080p H.264 (one thread): the scale
 * adds ~10% to decode-only CPU with `area` or `fast_bilinear`, ~20% with `bilinear`, ~6% with
 * `neighbor`. `area` averages every source pixel (no aliasing for the detector) at the same
 * cost as fast_bilinear, which only samples 2 of every 6 columns at 1080p.
 */
export const SMALL_SWS_FLAGS = 'area';

export interface DecodedFrame {
  /** Index in the video, from 0: the n-th frame, counting the frames the decoder skipped. */
  index: number;
  /** Presentation time in seconds (the frame's pts, from the file's start). */
  ts: number;
  /** A stride frame: analysed whatever the cuts; it carries `full` when the full stream is on. */
  sampled: boolean;
  /** SMALL_WIDTH × SMALL_HEIGHT yuv420p, in smallFrameColor(). */
  small: Buffer;
  /** info.width × info.height in the fullFormat; present exactly on sampled frames when the full stream is on. */
  full?: Buffer;
}

export type FullFormat = 'rgb24' | 'yuv420p';

export interface FrameSourceOptions {
  ffmpegPath: string;
  info: VideoInfo;
  /** Sampling stride (see DecodedFrame.sampled). */
  stride: number;
  /** Whether sampled frames come with their full-resolution frame. */
  full: boolean;
  /** Which frames the decoder decodes (default exact). */
  sampling?: Sampling;
  /** Pixels of the full stream (default rgb24); yuv420p needs an 8-bit 4:2:0 stream (isYuv420p8). */
  fullFormat?: FullFormat;
  /** Select sampled frames inside ffmpeg, before colour conversion (D1). */
  d1: boolean;
  /** Names this run's showinfo instance (default random): see the header. */
  nonce?: string;
  /** ffmpeg decoder threads (ffmpeg's default when omitted). */
  threads?: number;
  /** Frames decoded ahead of the consumer before the pipes are paused (default 16)… */
  maxQueued?: number;
  /** …or bytes of them (default QUEUE_BYTES); one frame is always let through. */
  maxQueuedBytes?: number;
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

/** The showinfo instance of a run: its name carries the nonce, so a tag cannot forge its lines. */
const showinfoName = (nonce: string) => `showinfo@t${nonce}`;

/** pts in µs from showinfo's per-frame line, or null for a frame without one; undefined for its other lines. */
export function showinfoPts(line: string, nonce: string): number | null | undefined {
  const prefix = `[${showinfoName(nonce)} @ `;
  if (!line.startsWith(prefix)) return undefined;
  const m = /\] n:\s*\d+\s+pts:\s*(-?\d+|NOPTS)\s/.exec(line.slice(prefix.length - 2));
  if (!m) return undefined;
  return m[1] === 'NOPTS' ? null : Number(m[1]);
}

export function ffmpegDecodeArgs(opts: FrameSourceOptions & { nonce: string }): string[] {
  const { info, stride, d1 } = opts;
  const timed = (opts.sampling ?? 'exact') !== 'exact';
  const { matrix, range } = info.color;
  // yuv420p, as the decoder gives most streams: half the bytes of rgb24, and no rgb pass in
  // ffmpeg (measured on its filter thread, 2,880 frames of 1080p: 1.6 CPU-s against 2.0 via
  // rgb24). Limited range always, so that smallFrameColor() holds for full-range sources too.
  const pin = info.pixFmt.startsWith('yuv') ? '' : `:out_color_matrix=${smallFrameColor(info).matrix}`;
  const small = `scale=${SMALL_WIDTH}:${SMALL_HEIGHT}:flags=${SMALL_SWS_FLAGS}:out_range=tv${pin},format=yuv420p`;
  const times = `settb=AVTB,crop=2:2:0:0,${showinfoName(opts.nonce)},nullsink`;
  // The full branch pins the probed size, so a mid-stream resolution change cannot break framing.
  const select = !d1 || stride <= 1 ? '' : timed ? `select=${firstAtStridePoint(info.fps, stride)},` : `select=not(mod(n\\,${stride})),`;
  const yuv = opts.fullFormat === 'yuv420p';
  if (yuv && !isYuv420p8(info.pixFmt)) throw new Error(`yuv420p full frames need an 8-bit 4:2:0 stream, not ${info.pixFmt}`);
  // On such streams rgb24 uses the probed matrix and range too (ffmpeg would take BT.601 for an
  // untagged HD stream), so full frames mean the same colours in either format.
  const pinFull = isYuv420p8(info.pixFmt) ? `:in_color_matrix=${matrix}:in_range=${range}` : '';
  const size = `scale=${info.width}:${info.height}`;
  const full = yuv ? `${select}${size},format=${info.pixFmt}` : `${select}${size}${pinFull},format=rgb24`;
  const smallAndTimes = `${small},split=2[s][t];[t]${times}`;
  const graph = opts.full ? `[${VIDEO_STREAM}]split=2[a][b];[a]${smallAndTimes};[b]${full}[f]` : `[${VIDEO_STREAM}]${smallAndTimes}`;
  // Each output drops the file's tags, so its report on stderr prints none.
  const untagged = ['-map_metadata', '-1', '-map_chapters', '-1'];
  return [
    // showinfo logs at info level; -nostats keeps ffmpeg's progress line out of stderr.
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info',
    ...(opts.threads ? ['-threads', String(opts.threads)] : []),
    ...(timed ? ['-skip_frame', opts.sampling === 'refs' ? 'noref' : 'nokey'] : []),
    '-i', info.path,
    '-filter_complex', graph,
    // Passthrough: never duplicate or drop frames, so output frame n is decoded frame n.
    // (-vsync is deprecated in 5.1 for -fps_mode, but 4.x only knows -vsync.)
    '-vsync', '0',
    '-map', '[s]', ...untagged, '-f', 'rawvideo', 'pipe:1',
    ...(opts.full ? ['-map', '[f]', ...untagged, '-f', 'rawvideo', 'pipe:3'] : []),
  ];
}

/**
 * How the small frames' YCbCr maps to RGB: yuv sources keep their matrix (swscale converts
 * none between yuv formats), others are converted with BT.601; the range is always limited.
 */
export function smallFrameColor(info: VideoInfo): YuvColor {
  return { matrix: info.pixFmt.startsWith('yuv') ? info.color.matrix : 'bt601', range: 'limited' };
}

/**
 * The `select` expression of the sampling rule in timed modes: frame index k = round((t − t0) × fps),
 * and a frame is sampled when a multiple of the stride lies in (previous frame's k, k].
 */
function firstAtStridePoint(fps: number, stride: number): string {
  const k = (t: string) => `floor(round((${t}-start_t)*${fps})/${stride})`;
  return `isnan(prev_t)+gt(${k('t')}\\,${k('prev_t')})`;
}

/** Index of the frame at `t` s, where the first decoded frame was at `t0`; undefined off the frame grid. */
export function indexAt(t: number, t0: number, fps: number): number | undefined {
  const k = (t - t0) * fps;
  return Math.abs(k - Math.round(k)) <= 0.25 ? Math.round(k) : undefined;
}

/** Frames a source holds for its consumer, in bytes: 2½ frames of 4K rgb24, one of 8K. */
export const QUEUE_BYTES = 64 << 20;

const STDERR_TAIL_CHARS = 4000;
/**
 * ffmpeg lines that mean frames were lost. Other error-level lines can be harmless (e.g. mp4's
 * "Referenced QT chapter track not found"), so not every stderr line marks a file as damaged.
 */
const DECODE_ERROR = /error while decoding|decoding error|partial file|invalid data found|read error/i;

export function openFrameSource(opts: FrameSourceOptions): FrameSource {
  const { info, stride, d1, full: hasFull } = opts;
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`stride must be an integer >= 1, got ${stride}`);
  const maxQueued = Math.max(1, opts.maxQueued ?? 16);
  const maxBytes = opts.maxQueuedBytes ?? QUEUE_BYTES;
  const timed = (opts.sampling ?? 'exact') !== 'exact';
  const nonce = opts.nonce ?? randomBytes(6).toString('hex');

  const child = spawn(opts.ffmpegPath, ffmpegDecodeArgs({ ...opts, nonce }), {
    stdio: ['ignore', 'pipe', 'pipe', hasFull ? 'pipe' : 'ignore'],
  });
  const smallPipe = child.stdout as Readable;
  const fullPipe = hasFull ? (child.stdio[3] as Readable) : undefined;
  const pipes = fullPipe ? [smallPipe, fullPipe] : [smallPipe];

  // Frames wait here until both halves of a sampled frame and its timestamp have arrived.
  const pendingSmall: Buffer[] = [];
  /** Small frames paired so far: the next one's ordinal among decoded frames. */
  let paired = 0;
  /** showinfo's pts (µs, null when the frame has none) of the small frames not yet paired, and the first frame's. */
  const pendingTimes: (number | null)[] = [];
  let firstTime: number | undefined;
  let lastIndex = -1;
  let lastTs: number | undefined;
  /** Before ffmpeg's first frame line, stderr holds its report of the file, tags and all: not read for errors. */
  let started = false;
  const pendingFull: { index: number; buf: Buffer }[] = [];
  // Resume at half the bounds so pipes do not flap pause/resume on every frame.
  const queue = new FrameQueue(() => {
    if (paused && queue.length <= maxQueued >> 1 && queue.bytes <= maxBytes / 2) {
      paused = false;
      for (const p of pipes) p.resume();
    }
  }, () => close());

  let stderrTail = '';
  let stderrLine = '';
  let decodeErrors = 0;
  let firstDecodeError: string | undefined;
  let paused = false;
  let aborted = false;
  let finished = false;
  let failure: Error | undefined;
  let resolveDone!: (s: DecodeSummary) => void;
  let rejectDone!: (e: Error) => void;
  const donePromise = new Promise<DecodeSummary>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  donePromise.catch(() => undefined); // the iterator reports the same error

  const small = new FrameAssembler(SMALL_BYTES, (buf) => {
    pendingSmall.push(buf);
    pair();
  });
  // Exact, the full stream's n-th frame is index n × stride with d1, else index n (JS drops the
  // unsampled ones uncopied). Timed, it carries the sampled frames in order with d1, else all of
  // them, and pair() matches them up by the small frames' timestamps.
  const full = new FrameAssembler(
    opts.fullFormat === 'yuv420p' ? yuv420pSize(info.width, info.height) : info.width * info.height * 3,
    (buf, n) => {
      pendingFull.push({ index: timed && d1 ? -1 : d1 ? n * stride : n, buf });
      pair();
    },
    d1 || timed ? undefined : (n) => n % stride === 0,
  );
  // After close() the pipes only drain (so ffmpeg's exit is seen); their bytes are dropped.
  smallPipe.on('data', (c: Buffer) => aborted || small.push(c));
  fullPipe?.on('data', (c: Buffer) => aborted || full.push(c));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    const lines = (stderrLine + s).split('\n');
    stderrLine = lines.pop()!;
    lines.forEach(scanStderrLine);
    pair();
  });

  function scanStderrLine(line: string): void {
    const pts = showinfoPts(line, nonce);
    if (pts !== undefined) {
      started = true;
      pendingTimes.push(pts);
      return; // per-frame lines stay out of the tail
    }
    if (line.startsWith(`[${showinfoName(nonce)} @ `)) return;
    if (line) stderrTail = (stderrTail + line + '\n').slice(-STDERR_TAIL_CHARS);
    if (!started || !DECODE_ERROR.test(line)) return;
    decodeErrors++;
    firstDecodeError ??= line.replace(/^\[[^\]]* @ 0x[0-9a-f]+\]/, '').trim();
  }

  /** The next small frame's index and time, or undefined while its timestamp is still on its way. */
  function nextFrame(): { index: number; ts: number } | undefined {
    if (pendingTimes.length === 0) return undefined;
    const pts = pendingTimes[0];
    if (!timed) {
      // A frame without a pts (rare: broken streams) is put one frame after the one before.
      const ts = pts !== null ? pts / 1e6 : lastTs !== undefined ? lastTs + 1 / info.fps : paired / info.fps;
      return { index: paired, ts };
    }
    const t = pts === null ? NaN : pts / 1e6;
    firstTime ??= t;
    const index = indexAt(t, firstTime, info.fps);
    if (index === undefined || index <= lastIndex) {
      fail(new Error(`${info.path}: frame times are not on a constant ${+info.fps.toFixed(3)} fps grid `
        + `(a frame at ${pts === null ? 'no time' : `${t} s`}), which sampling: ${opts.sampling} needs; use sampling: exact`));
      return undefined;
    }
    return { index, ts: t };
  }

  function pair(): void {
    while (pendingSmall.length > 0 && !failure) {
      const next = nextFrame();
      if (next === undefined) break;
      const { index, ts } = next;
      // Timed: the first decoded frame at or after a stride point. Exact: the stride points.
      const sampled = timed ? paired === 0 || Math.floor(index / stride) > Math.floor(lastIndex / stride) : index % stride === 0;
      // Timed without d1 the full stream has every decoded frame; otherwise the sampled ones.
      const withFull = hasFull && (sampled || (timed && !d1));
      let fullBuf: Buffer | undefined;
      if (withFull) {
        if (pendingFull.length === 0) break; // its full frame is still in the pipe
        const f = pendingFull.shift()!;
        if (f.index >= 0 && f.index !== (timed ? paired : index)) return fail(new Error(`ffmpeg frame pairing lost: full ${f.index} vs small ${index}`));
        if (sampled) fullBuf = f.buf;
        else full.recycle(f.buf);
      }
      const smallBuf = pendingSmall.shift()!;
      queue.push({ index, ts, sampled, small: smallBuf, full: fullBuf });
      pendingTimes.shift();
      lastIndex = index;
      lastTs = ts;
      paired++;
    }
    // Only the consumer's queue pauses the pipes: it always drains, whereas a frame waiting for its
    // other half would wait forever for a paused pipe. ffmpeg's blocking writes keep the two
    // pipes within about a frame of each other, so what waits unpaired stays small.
    if ((queue.length >= maxQueued || queue.bytes >= maxBytes) && !paused) {
      paused = true;
      for (const p of pipes) p.pause();
    }
  }

  function fail(e: Error): void {
    if (failure) return;
    failure = e;
    finished = true;
    child.kill('SIGKILL');
    rejectDone(e);
    queue.fail(e);
  }

  child.on('error', (e) => fail(new Error(`cannot run ffmpeg at ${opts.ffmpegPath}: ${e.message}`)));

  child.on('close', (code, sig) => {
    if (failure) return;
    scanStderrLine(stderrLine);
    pair();
    if (failure) return;
    // A kill by close() leaves cut-short frames and a signal exit: expected, not damage.
    const problems: string[] = [];
    if (!aborted) {
      if (code !== 0) problems.push(`ffmpeg exited with ${code ?? sig}`);
      if (small.partialBytes || full.partialBytes) problems.push('the last frame was cut short');
      if (pendingSmall.length) problems.push(`${pendingSmall.length} frames lacked their full-resolution frame or timestamp`);
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
    queue.finish();
  });

  function close(): void {
    if (finished || aborted) return;
    aborted = true;
    queue.stop();
    child.kill('SIGKILL');
    // Paused pipes would keep their fds open until read; let them drain into the void.
    for (const p of pipes) p.resume();
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

  return {
    done: () => donePromise,
    close,
    recycle: (buf) => (buf.length === small.frameSize ? small : full).recycle(buf),
    [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
  };
}
