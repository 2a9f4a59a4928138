// One frame of the video as a JPEG, decoded on demand (the frame view) and kept under the
// episode folder (layout.still), so showing the same frame again costs a file read. ffmpeg seeks
// by the frame's presentation time: -ss before -i jumps to the keyframe before it and decodes
// forward, dropping frames that start before the given time; asking for half a frame early keeps
// the rounding of a time to the stream's time base from dropping the frame itself.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPathFor } from '../manifests/atomic-file';
import type { EpisodeLayout } from '../manifests/layout';
import { checkVideoFile, VIDEO_STREAM } from './probe';

const DECODE_TIMEOUT_MS = 30_000;
const STDERR_TAIL_CHARS = 2000;

export interface StillRequest {
  ffmpegPath: string;
  video: string;
  frameIdx: number;
  /** The frame's presentation time in seconds from the file's start (DecodedFrame.ts). */
  ts: number;
  fps: number;
}

/** The video's cache key: its path, size and mtime, so an edited or replaced file gets new stills. */
export async function videoKey(video: string): Promise<string> {
  const st = await stat(video);
  return createHash('sha256').update(`${video}\0${st.size}\0${st.mtimeMs}`).digest('hex').slice(0, 16);
}

/** ffmpeg's arguments for one frame at `ts` written as a JPEG to `out`. */
export function stillArgs(r: Pick<StillRequest, 'video' | 'ts' | 'fps'>, out: string): string[] {
  const seek = Math.max(0, r.ts - 0.5 / r.fps);
  return [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error',
    '-ss', seek.toFixed(6), '-i', r.video,
    '-map', VIDEO_STREAM, '-map_metadata', '-1', '-frames:v', '1',
    '-q:v', '2', '-f', 'image2', '-c:v', 'mjpeg', '-y', out,
  ];
}

/** Decodes the frame into `out` (written under a temp name, then renamed: never half a file). */
export async function decodeStill(r: StillRequest, out: string): Promise<void> {
  await checkVideoFile(r.video);
  await mkdir(dirname(out), { recursive: true });
  const tmp = tempPathFor(out);
  try {
    await runFfmpeg(r.ffmpegPath, stillArgs(r, tmp));
    const st = await stat(tmp).catch(() => undefined);
    if (!st?.size) throw new Error(`ffmpeg wrote no frame ${r.frameIdx} (at ${r.ts.toFixed(3)} s) of ${r.video}: past the end of the video?`);
    await rename(tmp, out);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The frame's JPEG under the episode folder, decoded only when the cache does not hold it yet. */
export async function cachedStill(layout: EpisodeLayout, r: StillRequest): Promise<{ file: string; cached: boolean }> {
  const file = layout.still(await videoKey(r.video), r.frameIdx);
  if ((await stat(file).catch(() => undefined))?.isFile()) return { file, cached: true };
  await decodeStill(r, file);
  return { file, cached: false };
}

function runFfmpeg(ffmpegPath: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_TAIL_CHARS)));
    const timer = setTimeout(() => child.kill('SIGKILL'), DECODE_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`could not start ffmpeg (${ffmpegPath}): ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg failed decoding one frame (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').pop() ?? ''}`));
    });
  });
}
