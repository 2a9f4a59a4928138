// The frame view's decode on a real clip with real ffmpeg: the JPEG it writes for frame N is
// frame N as ffmpeg's own frame-accurate extraction gives it (decode from the start and select
// the N-th frame), not a neighbour — on keyframes, mid-GOP frames behind B-frames and the last
// frame — and the second request is served from the cache under the episode folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { cachedStill } from '../../server/engine/decode/still-frame';
import { EpisodeLayout } from '../../server/engine/manifests/layout';

const ffmpeg = resolveFfmpeg().path;
const W = 320;
const H = 180;
const FPS = 24;
const FRAMES = 72;
let tmp: string;
let clip: string;
let layout: EpisodeLayout;

before(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'still-'));
  clip = path.join(tmp, 'clip.mp4');
  // testsrc2 moves every frame; a keyframe every 12 frames and B-frames make seeking do real work.
  execFileSync(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=${FPS}:duration=${FRAMES / FPS}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '12', '-bf', '2', '-pix_fmt', 'yuv420p', clip]);
  layout = new EpisodeLayout(path.join(tmp, 'out'), 'ep');
});
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Frame n as rgb24, decoded from the start by ffmpeg and picked by its index. */
function referenceFrame(n: number): Buffer {
  return execFileSync(ffmpeg, ['-v', 'error', '-i', clip, '-vf', `select=eq(n\\,${n})`, '-vsync', '0', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 24 });
}

const meanAbsDiff = (a: Buffer, b: Buffer) => {
  assert.equal(a.length, b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
};

test('frame N decodes to ffmpeg\'s own frame N, not a neighbour, and is cached on disk', async () => {
  for (const n of [0, 1, 11, 12, 13, 37, FRAMES - 1]) {
    const first = await cachedStill(layout, { ffmpegPath: ffmpeg, video: clip, frameIdx: n, ts: n / FPS, fps: FPS });
    assert.equal(first.cached, false);
    assert.ok(first.file.startsWith(path.join(layout.dir, 'stills') + path.sep), first.file);
    assert.equal(path.basename(first.file), `frame_${String(n).padStart(6, '0')}.jpg`);
    const { data, info } = await sharp(first.file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [W, H]);
    const diffs = [n - 1, n, n + 1].filter((k) => k >= 0 && k < FRAMES).map((k) => ({ k, d: meanAbsDiff(data, referenceFrame(k)) }));
    const best = diffs.reduce((a, b) => (b.d < a.d ? b : a));
    assert.equal(best.k, n, `frame ${n}: closest reference is ${best.k} (${JSON.stringify(diffs)})`);
    assert.ok(best.d < 4, `frame ${n}: JPEG differs from the reference by ${best.d.toFixed(2)} on average`);

    const mtime = statSync(first.file).mtimeMs;
    const again = await cachedStill(layout, { ffmpegPath: ffmpeg, video: clip, frameIdx: n, ts: n / FPS, fps: FPS });
    assert.deepEqual(again, { file: first.file, cached: true });
    assert.equal(statSync(again.file).mtimeMs, mtime, 'the cached file is not rewritten');
  }
});

test('a frame past the end is a clear error and leaves nothing in the cache', async () => {
  await assert.rejects(cachedStill(layout, { ffmpegPath: ffmpeg, video: clip, frameIdx: FRAMES + 50, ts: (FRAMES + 50) / FPS, fps: FPS }),
    /ffmpeg wrote no frame 122 \(at 5\.083 s\) of .*clip\.mp4: past the end of the video\?/);
  const again = cachedStill(layout, { ffmpegPath: ffmpeg, video: clip, frameIdx: FRAMES + 50, ts: (FRAMES + 50) / FPS, fps: FPS });
  await assert.rejects(again, /past the end/);
});
