// Short clips of scene transitions, rendered by ffmpeg's own filters from a still picture (a real
// photo or a flat colour) at 640×360, 24 fps: fades through black, dissolves, hard cuts between
// two crops of one photo, flashes, pans. Frame n starts at n/24 s, so every transition starts on
// a known frame.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';

export const FPS = 24;
const SIZE = '640:360';

/** A still source for `seconds`: a photo file, or a flat colour such as `0x4a7fb5`. */
export type Still = { photo: string } | { color: string };

function input(still: Still, seconds: number): string[] {
  return 'photo' in still
    ? ['-loop', '1', '-framerate', String(FPS), '-t', String(seconds), '-i', still.photo]
    : ['-f', 'lavfi', '-i', `color=c=${still.color}:s=640x360:r=${FPS}:d=${seconds}`];
}

/** Scales (and optionally crops first: [x, y, w, h] in source pixels) one input to the clip's frame. */
function frame(label: string, crop?: [number, number, number, number]): string {
  const c = crop ? `crop=${crop[2]}:${crop[3]}:${crop[0]}:${crop[1]},` : '';
  return `[${label}]${c}scale=${SIZE},setsar=1,fps=${FPS},format=yuv420p`;
}

async function render(out: string, inputs: string[], graph: string): Promise<string> {
  await promisify(execFile)(resolveFfmpeg().path, [
    '-hide_banner', '-loglevel', 'error', '-y', ...inputs, '-filter_complex', graph, '-map', '[v]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', '48', '-pix_fmt', 'yuv420p', out,
  ]);
  return out;
}

/**
 * Holds 2 s, fades to black over `fadeS`, holds black 0.5 s, fades back over `fadeS`, holds 2 s:
 * the fade-out starts at frame 48, the fade-in at frame 24·(2.25 + fadeS) + 6.
 */
export function fadeThroughBlack(dir: string, name: string, still: Still, fadeS: number): Promise<string> {
  // Two segments: ffmpeg's fade-in blacks out everything before it, so one stream cannot carry both.
  return render(join(dir, `${name}.mp4`), [...input(still, 2.25 + fadeS), ...input(still, 2.25 + fadeS)],
    `${frame('0:v')},fade=t=out:st=2:d=${fadeS}[a];${frame('1:v')},fade=t=in:st=0.25:d=${fadeS}[b];[a][b]concat=n=2:v=1[v]`);
}

/** Crop `a` for 2 s, then crop `b` of the same photo for 2 s: the cut is frame 48. */
export function cropCut(dir: string, name: string, photo: string, a: [number, number, number, number], b: [number, number, number, number]): Promise<string> {
  return render(join(dir, `${name}.mp4`), [...input({ photo }, 2), ...input({ photo }, 2)],
    `${frame('0:v', a)}[a];${frame('1:v', b)}[b];[a][b]concat=n=2:v=1[v]`);
}

/** `a` for 2 s, then a linear cross-fade to `b` over `dissolveS`, then `b` for 2 s. The dissolve starts at frame 48. */
export function dissolve(dir: string, name: string, a: Still, b: Still, dissolveS: number, crops: [number, number, number, number][] = []): Promise<string> {
  const total = 4 + dissolveS;
  return render(join(dir, `${name}.mp4`), [...input(a, total), ...input(b, total)],
    `${frame('0:v', crops[0])}[a];${frame('1:v', crops[1])},format=yuva420p,fade=t=in:st=2:d=${dissolveS}:alpha=1[b];` +
      `[a][b]overlay=format=yuv420,format=yuv420p[v]`);
}

/** A photo for 4 s whose frames `from`…`to` are replaced by white. */
export function flash(dir: string, name: string, still: Still, from: number, to: number): Promise<string> {
  return render(join(dir, `${name}.mp4`), input(still, 4),
    `${frame('0:v')},lutyuv=y=235:u=128:v=128:enable='between(n,${from},${to})'[v]`);
}

/** A 640×360 window panning across a photo scaled to 1280 wide, `pxPerFrame` to the right, for `seconds`. */
export function pan(dir: string, name: string, photo: string, pxPerFrame: number, seconds: number): Promise<string> {
  return render(join(dir, `${name}.mp4`), input({ photo }, seconds),
    `[0:v]scale=1280:-2,setsar=1,fps=${FPS},crop=640:360:'min(n*${pxPerFrame},iw-640)':'(ih-360)/2',format=yuv420p[v]`);
}
