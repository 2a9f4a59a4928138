// Reads video facts from `ffmpeg -i` stderr, since only ffmpeg (no ffprobe) ships with npm.
// The banner format is stable across ffmpeg 4.x (the npm static build) and 5.x (Debian).
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { VideoInfo } from '../types';
import { defaultYuvColor, type YuvColor } from './yuv';

/** A user-facing problem with the input video; the message is one line that names the file. */
export class VideoError extends Error {
  constructor(message: string, readonly videoPath: string) {
    super(message);
    this.name = 'VideoError';
  }
}

const PROBE_TIMEOUT_MS = 60_000;

export async function probeVideo(ffmpegPath: string, videoPath: string): Promise<VideoInfo> {
  let size: number;
  try {
    const st = await stat(videoPath);
    if (!st.isFile()) throw new VideoError(`${videoPath} is not a file`, videoPath);
    size = st.size;
  } catch (e) {
    if (e instanceof VideoError) throw e;
    throw new VideoError(`Video file not found: ${videoPath}`, videoPath);
  }
  if (size === 0) throw new VideoError(`${videoPath} is empty (0 bytes)`, videoPath);
  return parseProbe(await runFfmpegInfo(ffmpegPath, videoPath), videoPath);
}

/** `ffmpeg -i FILE` with no output exits 1 by design; only its stderr matters. */
function runFfmpegInfo(ffmpegPath: string, videoPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, ['-hide_banner', '-nostdin', '-i', videoPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: PROBE_TIMEOUT_MS,
    });
    let err = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (err += s));
    child.on('error', (e) => reject(new Error(`cannot run ffmpeg at ${ffmpegPath}: ${e.message}`)));
    child.on('close', (_code, signal) => {
      if (signal) reject(new VideoError(`${videoPath}: ffmpeg probe did not finish (${signal})`, videoPath));
      else resolve(err);
    });
  });
}

/** Exported for tests; `stderr` is the full stderr of `ffmpeg -hide_banner -i FILE`. */
export function parseProbe(stderr: string, videoPath: string): VideoInfo {
  const lines = stderr.split(/\r?\n/);
  const input = lines.find((l) => l.startsWith('Input #0, '));
  if (!input) {
    // ffmpeg ends with "<path>: <reason>", e.g. "Invalid data found when processing input".
    const prefix = `${videoPath}: `;
    const reasonLine = lines.find((l) => l.startsWith(prefix)) ?? lines.filter((l) => l.trim()).pop() ?? 'no output';
    const reason = reasonLine.startsWith(prefix) ? reasonLine.slice(prefix.length) : reasonLine.trim();
    throw new VideoError(`${videoPath} is not a video file (ffmpeg: ${reason})`, videoPath);
  }
  const demuxer = input.slice('Input #0, '.length).split(',')[0];
  // Skip cover art: it is a Video stream of one picture in audio files.
  const video = lines.find((l) => /^\s*Stream #0:\d+.*: Video: /.test(l) && !l.includes('(attached pic)'));
  if (!video) {
    const kinds = lines.map((l) => /^\s*Stream #0:\d+.*?: (\w+): /.exec(l)?.[1]).filter(Boolean);
    const what = kinds.length ? `only ${[...new Set(kinds)].join(', ')} streams` : 'no streams';
    throw new VideoError(`${videoPath} has no video stream (${what})`, videoPath);
  }
  if (demuxer === 'image2' || demuxer.endsWith('_pipe')) {
    throw new VideoError(`${videoPath} is a still image, not a video (${demuxer})`, videoPath);
  }

  const desc = video.slice(video.indexOf(': Video: ') + ': Video: '.length);
  const codec = desc.split(/[\s,]/)[0];
  // The pixel format is the second field: "yuv420p(tv, bt709, progressive)", "yuvj420p(pc, bt470bg/…)".
  const fmt = /^(\w+)(?:\((.*)\))?/.exec(topLevelFields(desc)[1] ?? '');
  const pixFmt = fmt?.[1] ?? 'unknown';
  // "640x360" but not the "0x31637661" of a codec tag.
  const dims = /(?:^|[\s,])([1-9]\d*)x([1-9]\d*)(?=$|[\s,])/.exec(desc);
  if (!dims) throw new VideoError(`${videoPath}: cannot read the video size from ffmpeg (${desc.trim()})`, videoPath);
  let width = Number(dims[1]);
  let height = Number(dims[2]);
  // ffmpeg autorotates while decoding, so a 90° display matrix swaps the decoded frame size.
  const rot = lines.map((l) => /displaymatrix: rotation of (-?[\d.]+) degrees/.exec(l)?.[1]).find(Boolean);
  if (rot && Math.abs(Math.round(Number(rot))) % 180 === 90) [width, height] = [height, width];

  const avgFps = parseFps(/([\d.]+k?) fps/.exec(desc)?.[1]);
  const baseFps = parseFps(/([\d.]+k?) tbr/.exec(desc)?.[1]);
  const fps = avgFps ?? baseFps;
  if (!fps) throw new VideoError(`${videoPath}: cannot read the frame rate from ffmpeg (${desc.trim()})`, videoPath);

  const dur = /Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(stderr);
  const durationS = dur ? Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]) : 0;
  const start = /Duration: [^,]*, start: (-?[\d.]+)/.exec(stderr);
  return {
    path: videoPath,
    width,
    height,
    fps,
    constantRate: !avgFps || !baseFps || Math.abs(avgFps - baseFps) <= 0.005 * baseFps,
    durationS,
    startPtsS: start ? Number(start[1]) : 0,
    framesEstimate: Math.round(durationS * fps),
    codec,
    pixFmt,
    color: parseColor(pixFmt, fmt?.[2] ?? '', height),
  };
}

/** Splits at the commas that are not inside parentheses. */
function topLevelFields(s: string): string[] {
  const fields: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) {
      fields.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  fields.push(s.slice(start).trim());
  return fields;
}

/** Matrix and range from ffmpeg's "(tv, bt709/bt709/bt709, progressive)"; untagged parts get the defaults. */
function parseColor(pixFmt: string, tags: string, height: number): YuvColor {
  const parts = tags.split(',').map((t) => t.trim());
  const space = parts.map((t) => t.split('/')[0]);
  const fallback = defaultYuvColor(height);
  const matrix = space.includes('bt709') ? 'bt709'
    : space.some((t) => t === 'bt470bg' || t === 'smpte170m') ? 'bt601'
    : fallback.matrix;
  const range = parts.includes('pc') || (pixFmt.startsWith('yuvj') && !parts.includes('tv')) ? 'full'
    : parts.includes('tv') ? 'limited'
    : fallback.range;
  return { matrix, range };
}

/**
 * ffmpeg prints rates with 2 decimals ("23.98") or as integers ("24", "1k"). The NTSC rates
 * N×1000/1001 are restored exactly, because 23.98 instead of 23.976… drifts ts by 0.25 s per
 * 40 minutes.
 */
function parseFps(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const v = s.endsWith('k') ? Number(s.slice(0, -1)) * 1000 : Number(s);
  if (!(v > 0)) return undefined;
  const ntsc = Math.round((v * 1001) / 1000);
  if (!Number.isInteger(v) && Math.abs(ntsc * 1000 / 1001 - v) < 0.006) return (ntsc * 1000) / 1001;
  return v;
}
