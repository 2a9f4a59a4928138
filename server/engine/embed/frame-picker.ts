// Decodes chosen frames of a video in one ffmpeg pass: `select` keeps them before the rgb24
// conversion (as D1 does), and the filter goes through a script file because a long frame
// list would not fit on a command line.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { FrameAssembler } from '../decode/frame-assembler';
import type { VideoInfo } from '../types';

export interface PickedFrame {
  index: number;
  /** info.width × info.height rgb24. */
  rgb: Buffer;
}

/**
 * Yields the frames of `indices` (decoded-frame order, like the engine's exact mode) in ascending
 * order; frames past the end are missing. The filter script goes into a temp folder in
 * `scratchDir` (a run passes its episode's scratch folder, which the next run empties if this
 * process is killed).
 */
export async function* pickFrames(
  ffmpegPath: string, info: VideoInfo, indices: readonly number[], signal?: AbortSignal, scratchDir = tmpdir(),
): AsyncGenerator<PickedFrame> {
  const wanted = [...new Set(indices)].sort((a, b) => a - b);
  if (wanted.length === 0) return;
  await mkdir(scratchDir, { recursive: true });
  const dir = await mkdtemp(join(scratchDir, 'pick-'));
  const script = join(dir, 'select.txt');
  await writeFile(script, `[0:v:0]select='${wanted.map((n) => `eq(n,${n})`).join('+')}',scale=${info.width}:${info.height},format=rgb24[f]`);
  const child = spawn(ffmpegPath, [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-i', info.path,
    '-filter_complex_script', script, '-map', '[f]', '-vsync', '0', '-f', 'rawvideo', 'pipe:1',
  ], { stdio: ['ignore', 'pipe', 'pipe'], signal });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  exited.catch(() => undefined);
  try {
    const ready: PickedFrame[] = [];
    const frames = new FrameAssembler(info.width * info.height * 3, (rgb, n) => ready.push({ index: wanted[n], rgb }));
    // Pulling chunks only after the consumer took the frames gives backpressure through the pipe.
    for await (const chunk of child.stdout as Readable) {
      frames.push(chunk as Buffer);
      while (ready.length > 0) yield ready.shift()!;
    }
    const code = await exited;
    if (code !== 0) throw new Error(`ffmpeg could not decode the frames faces_embed needs from ${info.path} (exit ${code}): ${stderr.trim()}`);
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
}
