// `npm run bench`, memory part: peak RSS on the two inputs that stress memory, both with the gate
// on (the default pipeline, stride 6, crops):
//   8K      a generated episode scaled to 7680×4320 (4 s): 100 MB per rgb24 frame, so frame
//           queues bounded in frames rather than bytes would hold gigabytes;
//   1 hour  a single 640×360 shot of two faces moving for an hour: tracks that never end, so
//           anything a track keeps per frame grows for an hour. Small pictures keep the run to
//           minutes; memory per frame does not depend on them. Built as a 60 s shot whose motion
//           repeats every 60 s, looped 60 times without re-encoding: the loop is seamless.
// The engine's own peak is its stats.peak_rss_mb; "largest process" is the largest of the run's
// processes (the engine or its ffmpeg), from getrusage(RUSAGE_CHILDREN) of a python3 parent,
// when python3 is there.
//   node --import tsx test/bench/memory.ts [--cases 8k,hour]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { generateEpisode } from '../fixtures/episode-generator';
import { loadFaceLibrary } from '../fixtures/face-library';

const CLI = resolve(__dirname, '../../dist/cli.js');
const BENCH_CACHE = resolve(__dirname, '../../.cache/bench');
const GIB = 1024;

/** Makes `name` in .cache/bench/ once with `make(tmp)`, renamed into place when complete. */
function cached(name: string, make: (tmp: string) => void): string {
  const out = join(BENCH_CACHE, name);
  if (existsSync(out)) return out;
  mkdirSync(BENCH_CACHE, { recursive: true });
  const tmp = join(BENCH_CACHE, `.${process.pid}-${name}`);
  make(tmp);
  renameSync(tmp, out);
  return out;
}

function ff(ffmpeg: string, ...args: string[]): void {
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args], { stdio: 'inherit' });
}

async function eightK(ffmpeg: string): Promise<string> {
  const ep = await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 4, seed: 7 });
  console.log('Building the 8K input (once, into .cache/bench/)…');
  return cached('8k-4s.mp4', (tmp) => ff(ffmpeg, '-i', ep.video, '-vf', 'scale=7680:4320', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-f', 'mp4', tmp));
}

async function oneHourShot(ffmpeg: string): Promise<string> {
  const lib = await loadFaceLibrary();
  const [a, b] = [lib.faces[0], lib.faces[Math.min(3, lib.faces.length - 1)]];
  console.log('Building the 1-hour single shot (once, into .cache/bench/)…');
  // Periods of 12, 15, 20 and 30 s: the whole picture repeats every 60 s.
  const minute = cached('shot-60s.mp4', (tmp) => ff(ffmpeg,
    ...[lib.plates[0].file, a.file, b.file].flatMap((f) => ['-loop', '1', '-framerate', '24', '-i', join(lib.dir, f)]),
    '-filter_complex',
    '[0]scale=640:360,setsar=1[bg];[1]scale=-2:130[p];[2]scale=-2:120[q];'
    + "[bg][p]overlay=x='120+80*sin(2*PI*t/20)':y='80+30*sin(2*PI*t/15)'[s];"
    + "[s][q]overlay=x='400+60*sin(2*PI*t/30)':y='100+25*cos(2*PI*t/12)',format=yuv420p",
    '-t', '60', '-c:v', 'libx264', '-preset', 'veryfast', '-g', '48', '-f', 'mp4', tmp));
  return cached('shot-1h.mp4', (tmp) => ff(ffmpeg, '-stream_loop', '59', '-i', minute, '-c', 'copy', '-f', 'mp4', tmp));
}

/** Runs the CLI; returns its metrics and, with python3, the largest process's peak RSS in MiB. */
function measure(video: string): { metrics: Record<string, any>; largestMb?: number; wallS: number } {
  const out = mkdtempSync(join(tmpdir(), 'bench-mem-'));
  const args = [CLI, '--ep-id', 'mem', '--video', video, '--output-root', out, '--stride', '6', '--save-crops', '--quiet'];
  const py = 'import resource, subprocess, sys\n'
    + 'r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n'
    + 'print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)';
  const t0 = performance.now();
  const hasPython = spawnSync('python3', ['-c', '1']).status === 0;
  const r = hasPython
    ? spawnSync('python3', ['-c', py, process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const wallS = (performance.now() - t0) / 1000;
  const [code, maxKb] = hasPython ? r.stdout.trim().split(' ').map(Number) : [r.status, undefined];
  if (code !== 0) throw new Error(`episode-run failed on ${video}: ${r.stderr.slice(-500)}`);
  const metrics = JSON.parse(readFileSync(join(out, 'mem', 'manifests', 'track_metrics.json'), 'utf8'));
  rmSync(out, { recursive: true, force: true });
  return { metrics, largestMb: maxKb !== undefined ? Math.round(maxKb / 1024) : undefined, wallS };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cases: { type: 'string', default: '8k,hour' } } });
  const ffmpeg = resolveFfmpeg();
  const inputs: [string, () => Promise<string>][] = [
    ['8K 7680×4320, 4 s', () => eightK(ffmpeg.path)],
    ['1-hour single shot, 640×360, two faces throughout', () => oneHourShot(ffmpeg.path)],
  ];
  const wanted = values.cases!.split(',');
  const videos: [string, string][] = [];
  for (const [i, [label, make]] of inputs.entries()) if (wanted.includes(['8k', 'hour'][i])) videos.push([label, await make()]);
  console.log(`\nPeak memory, gate on, stride 6, crops (ffmpeg ${ffmpeg.source}):`);
  console.log('| input | frames | tracks | engine peak RSS MiB | largest process MiB | wall | ≤ 1 GiB |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [label, video] of videos) {
    const { metrics: m, largestMb, wallS } = measure(video);
    const ok = m.stats.peak_rss_mb <= GIB && (largestMb === undefined || largestMb <= GIB);
    console.log(`| ${label} | ${m.stats.frames_decoded} | ${m.tracks_written} | ${m.stats.peak_rss_mb} | ${largestMb ?? '–'} | ${wallS.toFixed(0)} s | ${ok ? 'yes' : '**no**'} |`);
  }
}

main().catch((e) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
