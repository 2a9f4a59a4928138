// `node --import tsx test/bench/scenes.ts`: the scene stage alone, per 320×240 frame, on real
// footage (Sintel's 240 frames, decoded once into memory): the HSV histogram that the detector
// used before, and the transition detector (histogram + content samples + fades + dissolves).
// Rounds interleave the two; figures are medians.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { probeVideo } from '../../server/engine/decode/probe';
import { openFrameSource, SMALL_HEIGHT, SMALL_WIDTH, smallFrameColor } from '../../server/engine/decode/frame-source';
import { HIST_BINS, histogramDistance, hsvHistogram } from '../../server/engine/scenes/frame-measures';
import { TransitionDetector, transitionOptions } from '../../server/engine/scenes/transition-detector';
import { resolveConfig } from '../../server/config/episode-config';

const CLIP = resolve(__dirname, '../../../shared/data/clips/clip_03_sintel.mp4');
const ROUNDS = 15;
const PASSES = 5;

async function main(): Promise<void> {
  if (!existsSync(CLIP)) {
    console.log(`scenes bench skipped: ${CLIP} not found`);
    return;
  }
  const ffmpeg = resolveFfmpeg().path;
  const info = await probeVideo(ffmpeg, CLIP);
  const color = smallFrameColor(info);
  const frames: Buffer[] = [];
  const source = openFrameSource({ ffmpegPath: ffmpeg, info, stride: 6, full: false, d1: true });
  for await (const f of source) frames.push(Buffer.from(f.small));
  await source.done();
  const scene = resolveConfig({ ep_id: 'b', video: 'v' }).scene;
  const a = new Uint32Array(HIST_BINS);
  const b = new Uint32Array(HIST_BINS);
  const times = { histogram: [] as number[], transitions: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    for (let k = 0; k < PASSES; k++) {
      for (const f of frames) histogramDistance(hsvHistogram(f, SMALL_WIDTH, SMALL_HEIGHT, color, a), b);
    }
    times.histogram.push((performance.now() - t) / (PASSES * frames.length));
    t = performance.now();
    for (let k = 0; k < PASSES; k++) {
      const det = new TransitionDetector(transitionOptions(scene, color));
      frames.forEach((f, i) => det.push(i, f, SMALL_WIDTH, SMALL_HEIGHT));
      det.finish();
    }
    times.transitions.push((performance.now() - t) / (PASSES * frames.length));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  const [h, d] = [median(times.histogram), median(times.transitions)];
  console.log(`\nScene stage alone, ${frames.length} Sintel frames at 320×240, ${ROUNDS} rounds × ${PASSES} passes (load ${loadavg().map((l) => l.toFixed(1)).join(' ')}):`);
  console.log(`  histogram only (the detector before): ${h.toFixed(3)} ms a frame`);
  console.log(`  transition detector:                   ${d.toFixed(3)} ms a frame (${(d / h).toFixed(2)}× the histogram)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
