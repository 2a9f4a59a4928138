// Reads video facts from ffmpeg's own report of the file (only ffmpeg, no ffprobe, ships with
// npm). That report also prints the file's tags, and a tag can hold any text, line breaks
// included: a title of "Duration: 99:00:00.00" or a key that starts a fake "Stream #0:0" line.
// So the probe reads nothing a tag can forge:
//   - the video stream is stream-copied to a null output that carries no tags
//     (-map_metadata -1), and that output's report separates its fields with a random nonce
//     (-dump_separator): only the line with the nonce is ffmpeg's, and the lines after it (side
//     data: the display matrix) come before anything a tag could print;
//   - the input's "  Duration:" line is always printed exactly once, so it is believed only when
//     it appears exactly once; a forged second one makes the duration unknown.
// The banner format is stable across ffmpeg 4.x (the npm static build) and 5.x (Debian).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { VideoInfo } from '../types';
import { defaultYuvColor, type YuvColor } from './yuv';

/** A user-facing problem with the input video; the message is one line that names the file. */
export class VideoError extends Error {
  constructor(message: string, readonly videoPath: string) {
    super(message);
    this.name = 'VideoError';
  }
}

/** The first video stream that is not a cover picture: what the engine decodes (`V`, not `v`). */
export const VIDEO_STREAM = '0:V:0';

const PROBE_TIMEOUT_MS = 60_000;

/** The separators that mark ffmpeg's own stream lines in one probe's report. */
export interface ProbeNonces {
  input: string;
  output: string;
}

/**
 * Fails with one line unless `videoPath` is a readable, non-empty regular file. A FIFO or a
 * device is refused before anything opens it: opening a FIFO waits for a writer.
 */
export async function checkVideoFile(videoPath: string): Promise<void> {
  let st;
  try {
    st = await stat(videoPath);
  } catch {
    throw new VideoError(`Video file not found: ${videoPath}`, videoPath);
  }
  if (st.isDirectory()) throw new VideoError(`${videoPath} is a folder, not a video file`, videoPath);
  if (!st.isFile()) throw new VideoError(`${videoPath} is not a regular file (${st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device'})`, videoPath);
  try {
    await access(videoPath, constants.R_OK);
  } catch {
    throw new VideoError(`${videoPath} cannot be read (permission denied)`, videoPath);
  }
  if (st.size === 0) throw new VideoError(`${videoPath} is empty (0 bytes)`, videoPath);
}

export async function probeVideo(ffmpegPath: string, videoPath: string): Promise<VideoInfo> {
  await checkVideoFile(videoPath);
  const nonces = { input: `~${randomBytes(6).toString('hex')}~`, output: `~${randomBytes(6).toString('hex')}~` };
  return parseProbe(await runFfmpegProbe(ffmpegPath, videoPath, nonces), videoPath, nonces);
}

/** Copies one packet of the video stream to nowhere; only stderr matters (it exits 1 when there is no video stream). */
function runFfmpegProbe(ffmpegPath: string, videoPath: string, nonces: ProbeNonces): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, [
      '-hide_banner', '-nostdin', '-nostats', '-dump_separator', nonces.input, '-i', videoPath,
      '-map', VIDEO_STREAM, '-map_metadata', '-1', '-map_chapters', '-1', '-c', 'copy', '-frames:v', '1',
      '-dump_separator', nonces.output, '-f', 'null', '-',
    ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: PROBE_TIMEOUT_MS });
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

/** Exported for tests; `stderr` is the full stderr of runFfmpegProbe's command with these nonces. */
export function parseProbe(stderr: string, videoPath: string, nonces: ProbeNonces): VideoInfo {
  const lines = stderr.split(/\r?\n/);
  // Nothing a tag prints can come before the first line of the report.
  const input = lines.find((l) => l.startsWith('Input #0, '));
  if (!input) {
    // ffmpeg ends with "<path>: <reason>", e.g. "Invalid data found when processing input".
    const prefix = `${videoPath}: `;
    const reasonLine = lines.find((l) => l.startsWith(prefix)) ?? lines.filter((l) => l.trim()).pop() ?? 'no output';
    const reason = reasonLine.startsWith(prefix) ? reasonLine.slice(prefix.length) : reasonLine.trim();
    throw new VideoError(`${videoPath} is not a video file (ffmpeg: ${reason})`, videoPath);
  }
  const demuxer = input.slice('Input #0, '.length).split(',')[0];
  const at = lines.findIndex((l) => l.includes(nonces.output) && l.includes(': Video: '));
  if (at < 0) throw new VideoError(`${videoPath} has no video stream (${streamKinds(lines, nonces.input)})`, videoPath);
  if (demuxer === 'image2' || demuxer.endsWith('_pipe')) {
    throw new VideoError(`${videoPath} is a still image, not a video (${demuxer})`, videoPath);
  }

  // ffmpeg's own fields start after the last ": Video: " before the nonce (a tag cannot reach past it).
  const line = lines[at];
  const head = line.slice(0, line.indexOf(nonces.output));
  const desc = line.slice(head.lastIndexOf(': Video: ') + ': Video: '.length).split(nonces.output).join(', ');
  const codec = desc.split(/[\s,]/)[0];
  // The pixel format is the second field: "yuv420p(tv, bt709, progressive)", "yuvj420p(pc, bt470bg/…)".
  const fmt = /^(\w+)(?:\((.*)\))?/.exec(topLevelFields(desc)[1] ?? '');
  const pixFmt = fmt?.[1] ?? 'unknown';
  // "640x360" but not the "0x31637661" of a codec tag.
  const dims = /(?:^|[\s,])([1-9]\d*)x([1-9]\d*)(?=$|[\s,])/.exec(desc);
  if (!dims) throw new VideoError(`${videoPath}: cannot read the video size from ffmpeg (${desc.trim()})`, videoPath);
  const rotation = displayRotation(lines, at);
  // ffmpeg autorotates while decoding: a quarter turn swaps the decoded frame size.
  const quarter = rotation === 90 || rotation === 270;
  const width = Number(dims[quarter ? 2 : 1]);
  const height = Number(dims[quarter ? 1 : 2]);

  const avgFps = parseFps(/([\d.]+k?) fps/.exec(desc)?.[1]);
  const baseFps = parseFps(/([\d.]+k?) tbr/.exec(desc)?.[1]);
  const fps = avgFps ?? baseFps;
  if (!fps) throw new VideoError(`${videoPath}: cannot read the frame rate from ffmpeg (${desc.trim()})`, videoPath);

  const durations = lines.filter((l) => l.startsWith('  Duration: '));
  const dur = durations.length === 1 ? /^ {2}Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)(?:, start: (-?[\d.]+))?/.exec(durations[0]) : null;
  const durationS = dur ? Number(dur[1]) * 3600 + Number(dur[2]) * 60 + Number(dur[3]) : 0;
  return {
    path: videoPath,
    width,
    height,
    rotation,
    fps,
    constantRate: !avgFps || !baseFps || Math.abs(avgFps - baseFps) <= 0.005 * baseFps,
    durationS,
    startPtsS: dur?.[4] ? Number(dur[4]) : 0,
    framesEstimate: Math.round(durationS * fps),
    codec,
    pixFmt,
    color: parseColor(pixFmt, fmt?.[2] ?? '', height),
  };
}

/**
 * Clockwise degrees (0, 90, 180, 270, or the odd angle) from the display matrix in the side data
 * below the output's stream line; ffmpeg prints the matrix's counter-clockwise angle. The stream's
 * block ends at the first line indented less than its stream line ("Stream mapping:").
 */
function displayRotation(lines: string[], streamLine: number): number {
  const indent = (l: string) => /^ */.exec(l)![0].length;
  for (let i = streamLine + 1; i < lines.length && indent(lines[i]) >= indent(lines[streamLine]) && !lines[i].includes('Stream #'); i++) {
    const m = /^\s*displaymatrix: rotation of (-?[\d.]+) degrees/.exec(lines[i]);
    if (!m) continue;
    const cw = (((-Number(m[1])) % 360) + 360) % 360;
    const quarter = Math.round(cw / 90) * 90;
    return Math.abs(cw - quarter) < 1 ? quarter % 360 : Math.round(cw * 100) / 100;
  }
  return 0;
}

/** "only Audio streams" from the input's stream lines that carry the nonce (a tag cannot add one). */
function streamKinds(lines: string[], nonce: string): string {
  const kinds = lines.filter((l) => l.includes(nonce)).map((l) => /: (\w+): /.exec(l.slice(0, l.indexOf(nonce)))?.[1]).filter(Boolean);
  const others = [...new Set(kinds.filter((k) => k !== 'Video'))].join(', ');
  if (kinds.includes('Video')) return `only a cover picture${others ? ` and ${others} streams` : ''}`;
  return others ? `only ${others} streams` : 'no streams';
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
