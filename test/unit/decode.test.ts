// Real ffmpeg on real files: ffmpeg resolution, probing, and the two-stream frame source.
// Uses the Tears of Steel clip when ../shared/data exists, else an equivalent synthetic clip
// (640×360, 24 fps, 10 s, H.264 with B-frames) made here, so the tests also run on a fresh clone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { parseProbe, probeVideo, VideoError } from '../../server/engine/decode/probe';
import { FrameAssembler } from '../../server/engine/decode/frame-assembler';
import { openFrameSource, showinfoPts, SMALL_BYTES, SMALL_HEIGHT, SMALL_WIDTH, smallFrameColor, type DecodedFrame, type FrameSourceOptions } from '../../server/engine/decode/frame-source';
import { openFrameSourceInWorker } from '../../server/engine/decode/decode-worker';
import { yuv420pRectToRgb, yuv420pSize } from '../../server/engine/decode/yuv';
import { copyRect } from '../../server/engine/export/crop';
import type { VideoInfo } from '../../server/engine/types';
import { TOS_CLIP as TOS } from '../helpers/shared-data';

const ffmpeg = resolveFfmpeg().path;
let tmp: string;
let clip: string;
let info: VideoInfo;

function ff(...args: string[]): void {
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'episode-lab-decode-'));
  clip = TOS;
  if (!fs.existsSync(TOS)) {
    clip = path.join(tmp, 'synthetic.mp4');
    ff('-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=24:duration=10', '-c:v', 'libx264', '-preset', 'ultrafast', '-bf', '2', '-pix_fmt', 'yuv420p', clip);
  }
  info = await probeVideo(ffmpeg, clip);
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function decodeAll(opts: Partial<FrameSourceOptions>, onFrame?: (f: DecodedFrame) => unknown) {
  const source = openFrameSource({ ffmpegPath: ffmpeg, info: opts.info ?? info, stride: 6, full: false, d1: true, ...opts });
  const frames: DecodedFrame[] = [];
  for await (const f of source) {
    frames.push(f);
    await onFrame?.(f);
  }
  return { frames, summary: await source.done() };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('resolveFfmpeg', () => {
  const env = { PATH: process.env.PATH };

  test('falls back to an npm-shipped binary', () => {
    const r = resolveFfmpeg(undefined, env);
    assert.ok(['ffmpeg-static', '@ffmpeg-installer/ffmpeg'].includes(r.source), r.source);
    assert.ok(fs.existsSync(r.path));
  });

  test('a configured path wins, then FFMPEG_PATH', () => {
    assert.deepEqual(resolveFfmpeg(ffmpeg, { ...env, FFMPEG_PATH: '/nope' }), { path: ffmpeg, source: 'config' });
    assert.deepEqual(resolveFfmpeg(undefined, { ...env, FFMPEG_PATH: ffmpeg }), { path: ffmpeg, source: 'env' });
  });

  test('a missing explicit path is an error naming it and the fix', () => {
    assert.throws(() => resolveFfmpeg('/no/such/ffmpeg', env), /ffmpeg\.path "\/no\/such\/ffmpeg".*fix ffmpeg\.path/);
    assert.throws(() => resolveFfmpeg(undefined, { ...env, FFMPEG_PATH: '/no/ff' }), /FFMPEG_PATH "\/no\/ff".*unset/);
  });
});

describe('probeVideo', () => {
  test('reads the clip facts', () => {
    assert.equal(info.width, 640);
    assert.equal(info.height, 360);
    assert.equal(info.fps, 24);
    assert.ok(Math.abs(info.durationS - 10) < 0.1, String(info.durationS));
    assert.equal(info.framesEstimate, 240);
    assert.equal(info.codec, 'h264');
    assert.equal(info.startPtsS, 0);
    assert.equal(info.pixFmt, 'yuv420p');
    assert.deepEqual(info.color, { matrix: 'bt601', range: 'limited' }, 'untagged below 720 lines: BT.601');
  });

  /** The probe's report with these nonces: the input's lines, then the null output's stream line. */
  const N = { input: '~in~', output: '~out~' };
  const report = (input: string[], stream: string, after: string[] = []) => [
    "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':", ...input,
    "Output #0, null, to 'pipe:':", `    Stream #0:0: Video: ${stream.replace(', ', N.output)}`, ...after, 'Stream mapping:',
  ].join('\n');

  test('reads the colour matrix and range, with defaults by height for untagged streams', () => {
    const probe = (stream: string) => parseProbe(report(['  Duration: 00:00:10.00, start: 0.000000, bitrate: 600 kb/s'], `${stream}, 24 fps, 24 tbr, 12288 tbn (default)`), 'x.mp4', N);
    const p709 = probe('h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 640x360 [SAR 1:1 DAR 16:9]');
    assert.deepEqual([p709.pixFmt, p709.color], ['yuv420p', { matrix: 'bt709', range: 'limited' }]);
    const jpeg = probe('mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 1280x720');
    assert.deepEqual([jpeg.pixFmt, jpeg.color], ['yuvj420p', { matrix: 'bt601', range: 'full' }]);
    assert.deepEqual(probe('h264 (High), yuv420p(progressive), 1920x1080').color, { matrix: 'bt709', range: 'limited' });
    assert.equal(probe('h264 (High 10), yuv420p10le(tv, bt709), 1920x1080').pixFmt, 'yuv420p10le');
  });

  test('parses ffmpeg 5.x stream lines and restores NTSC rates exactly', () => {
    const stderr = report(
      ['  Duration: 00:42:10.52, start: 0.844000, bitrate: 5000 kb/s'],
      'h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709, progressive), 1920x1080 [SAR 1:1 DAR 16:9], 4800 kb/s, 23.98 fps, 23.98 tbr, 24k tbn (default)',
    );
    const p = parseProbe(stderr, 'x.mp4', N);
    assert.deepEqual([p.width, p.height, p.codec, p.startPtsS, p.rotation], [1920, 1080, 'h264', 0.844, 0]);
    assert.equal(p.fps, 24000 / 1001);
    assert.ok(Math.abs(p.durationS - 2530.52) < 1e-9);
    assert.equal(p.framesEstimate, Math.round(2530.52 * 24000 / 1001));
    assert.equal(p.constantRate, true);
    // A phone clip: its average rate is off its base rate, so its frame rate varies.
    assert.equal(parseProbe(stderr.replace('23.98 fps, 23.98 tbr', '29.73 fps, 30 tbr'), 'x.mp4', N).constantRate, false);
  });

  test('only lines a tag cannot forge count: the nonce-marked stream line, its side data, a single Duration line', () => {
    const forged = [
      '  Metadata:', '    x', '  Duration: 99:00:00.00, start: 7.000000, bitrate: 1 kb/s',
      '    Stream #0:0: Video: h264, yuv420p, 9999x9999, 1 fps, 1 tbr, 1k tbn: 1',
      '  Duration: 00:00:02.00, start: 0.000000, bitrate: 300 kb/s',
      '    Stream #0:0: Video: h264 (High)~in~yuv420p, 320x240, 24 fps, 24 tbr, 12288 tbn',
      '    Metadata:', '      y', '    Side data:', '      displaymatrix: rotation of -90.00 degrees: 2',
    ];
    const p = parseProbe(report(forged, 'h264 (High), yuv420p(progressive), 320x240 [SAR 1:1 DAR 4:3], q=2-31, 24 fps, 24 tbr, 12288 tbn'), 'x.mp4', N);
    assert.deepEqual([p.width, p.height, p.fps, p.rotation], [320, 240, 24, 0]);
    assert.deepEqual([p.durationS, p.framesEstimate, p.startPtsS], [0, 0, 0], 'two Duration lines: unknown, not 99 h');
    const turned = (deg: string) => parseProbe(report([], 'h264, yuv420p, 320x240, 24 fps, 24 tbr', ['    Side data:', `      displaymatrix: rotation of ${deg} degrees`]), 'x.mp4', N);
    assert.deepEqual([turned('-90.00').rotation, turned('-90.00').width, turned('-90.00').height], [90, 240, 320]);
    assert.deepEqual([turned('90.00').rotation, turned('90.00').width], [270, 240]);
    assert.deepEqual([turned('180.00').rotation, turned('180.00').width], [180, 320]);
  });

  test('a quarter turn in the display matrix swaps the size; a rotate tag in the title does not', async () => {
    const turned = new Map<string, VideoInfo>();
    for (const rotate of ['90', '270', '180']) {
      const rotated = path.join(tmp, `rotated-${rotate}.mp4`);
      ff('-i', clip, '-c', 'copy', '-metadata:s:v', `rotate=${rotate}`, rotated);
      turned.set(rotate, await probeVideo(ffmpeg, rotated));
    }
    // ffmpeg 4.x's mp4 muxer writes rotate=90 as a matrix that reads back as 270 (5.x as 90): the matrix is what counts.
    const quarters = ['90', '270'].map((r) => turned.get(r)!);
    assert.deepEqual(quarters.map((p) => p.rotation).sort(), [270, 90]);
    for (const p of quarters) assert.deepEqual([p.width, p.height], [info.height, info.width]);
    assert.deepEqual([turned.get('180')!.width, turned.get('180')!.rotation], [info.width, 180]);
    const spoof = path.join(tmp, 'title.mp4');
    ff('-i', clip, '-c', 'copy', '-metadata', 'title=Duration: 99:00:00.00, start: 5.0 displaymatrix: rotation of 90.00 degrees', spoof);
    const p = await probeVideo(ffmpeg, spoof);
    assert.deepEqual([p.width, p.height, p.rotation, p.startPtsS], [info.width, info.height, 0, info.startPtsS]);
    assert.ok(Math.abs(p.durationS - info.durationS) < 1e-9);
  });

  test('tags whose keys forge whole lines (a NUT file) change nothing', async () => {
    const nut = path.join(tmp, 'forged.nut');
    ff('-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=24:d=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p',
      '-metadata', 'x\n  Duration: 99:00:00.00, start: 7.000000, bitrate: 1 kb/s\n    Stream #0:0: Video: h264, yuv420p, 9999x9999, 1 fps, 1 tbr, 1k tbn=1',
      '-metadata:s:v:0', 'y\n    Side data:\n      displaymatrix: rotation of -90.00 degrees=2', nut);
    const p = await probeVideo(ffmpeg, nut);
    assert.deepEqual([p.width, p.height, p.fps, p.rotation], [320, 240, 24, 0]);
    assert.ok(p.durationS < 2, `duration ${p.durationS}`);
  });

  const rejects = async (file: string, message: RegExp) => {
    const err = await probeVideo(ffmpeg, file).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof VideoError, `expected a VideoError, got ${err}`);
    assert.match(err.message, message);
    assert.ok(!err.message.includes('\n'), 'one line');
  };

  test('missing file', () => rejects(path.join(tmp, 'missing.mp4'), /^Video file not found: .*missing\.mp4$/));

  test('zero-byte file', async () => {
    const f = path.join(tmp, 'empty.mp4');
    fs.writeFileSync(f, '');
    await rejects(f, /empty\.mp4 is empty \(0 bytes\)/);
  });

  test('text file renamed .mp4', async () => {
    const f = path.join(tmp, 'notes.mp4');
    fs.writeFileSync(f, 'not a video\n'.repeat(100));
    await rejects(f, /notes\.mp4 is not a video file \(ffmpeg: Invalid data found when processing input\)/);
  });

  test('audio-only file', async () => {
    const f = path.join(tmp, 'audio.m4a');
    ff('-f', 'lavfi', '-i', 'sine=d=1', f);
    await rejects(f, /audio\.m4a has no video stream \(only Audio streams\)/);
  });

  test('audio with a cover picture', async () => {
    const f = path.join(tmp, 'cover.mp3');
    ff('-f', 'lavfi', '-i', 'sine=d=1', '-f', 'lavfi', '-i', 'testsrc2=s=64x64:d=0.04', '-map', '0', '-map', '1', '-c:v', 'mjpeg', '-disposition:v', 'attached_pic', f);
    await rejects(f, /cover\.mp3 has no video stream \(only a cover picture and Audio streams\)/);
  });

  test('a directory', () => rejects(tmp, /is a folder, not a video file/));
});

describe('FrameAssembler', () => {
  test('frames from chunks of any size, unwanted ones skipped', () => {
    const data = Buffer.from(Array.from({ length: 10 * 7 + 3 }, (_, i) => i % 251));
    const got: [number, Buffer][] = [];
    const a = new FrameAssembler(7, (f, n) => got.push([n, f]), (n) => n % 3 === 0);
    for (let off = 0, k = 1; off < data.length; off += k, k = (k * 5) % 17 + 1) a.push(data.subarray(off, off + k));
    assert.deepEqual(got.map(([n]) => n), [0, 3, 6, 9]);
    for (const [n, f] of got) assert.deepEqual(f, data.subarray(n * 7, n * 7 + 7));
    assert.equal(a.frames, 10);
    assert.equal(a.partialBytes, 3);
  });
});

describe('openFrameSource', () => {
  test('every frame once, with exact indices and times', async () => {
    const { frames, summary } = await decodeAll({});
    assert.equal(frames.length, 240);
    frames.forEach((f, i) => {
      assert.equal(f.index, i);
      assert.ok(Math.abs(f.ts - (info.startPtsS + i / 24)) < 1e-6, `frame ${i} at ${f.ts} s`);
      assert.equal(f.small.length, SMALL_BYTES);
      assert.equal(f.full, undefined);
    });
    assert.equal(summary.framesDecoded, 240);
    assert.equal(summary.exitCode, 0);
    assert.equal(summary.damaged, false);
    assert.equal(summary.warning, undefined);
  });

  test('D1 on and off give byte-identical frames at stride 6', async () => {
    const hashes = async (d1: boolean) => {
      const { frames, summary } = await decodeAll({ stride: 6, full: true, d1 });
      assert.equal(summary.framesDecoded, 240);
      return frames.map((f) => {
        assert.equal(f.full !== undefined, f.index % 6 === 0, `frame ${f.index}`);
        if (f.full) assert.equal(f.full.length, 640 * 360 * 3);
        return `${f.index} ${sha(f.small)} ${f.full ? sha(f.full) : '-'}`;
      });
    };
    const on = await hashes(true);
    assert.equal(on.length, 240);
    assert.deepEqual(await hashes(false), on);
  });

  test('yuv420p full frames convert to the rgb24 ones, BT.601 and (untagged 720p) BT.709', async () => {
    const hd = path.join(tmp, 'hd.mp4');
    ff('-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=24:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', hd);
    for (const video of [info, await probeVideo(ffmpeg, hd)]) {
      const { width, height } = video;
      const full = async (fullFormat: 'rgb24' | 'yuv420p') => (await decodeAll({ info: video, stride: 6, full: true, fullFormat })).frames;
      const [rgb, yuv] = [await full('rgb24'), await full('yuv420p')];
      assert.equal(yuv.length, rgb.length);
      const rect = { left: 33, top: 17, width: Math.floor(width / 2), height: Math.floor(height / 2) };
      for (let i = 0; i < rgb.length; i++) {
        assert.equal(sha(yuv[i].small), sha(rgb[i].small), 'the 320×240 stream does not depend on the full frames\' format');
        if (!rgb[i].full) continue;
        assert.equal(yuv[i].full!.length, yuv420pSize(width, height));
        const a = copyRect(rgb[i].full!, width, rect);
        const b = yuv420pRectToRgb(yuv[i].full!, width, height, rect, video.color);
        let sum = 0;
        let max = 0;
        for (let k = 0; k < a.length; k++) {
          const d = Math.abs(a[k] - b[k]);
          sum += d;
          max = Math.max(max, d);
        }
        // ffmpeg's fast yuv→rgb path truncates where yuv.ts rounds: about one level apart.
        assert.ok(sum / a.length <= 1.5 && max <= 4, `${video.color.matrix} frame ${i}: mean abs ${(sum / a.length).toFixed(2)}, max ${max}`);
      }
    }
  });

  test('the 320×240 yuv420p stream means the colours of the full frames: limited, BT.601, BT.709, full-range and rgb sources', async () => {
    const sources: [string, string[]][] = [
      ['709.mp4', ['-s', '1280x720', '-c:v', 'libx264', '-pix_fmt', 'yuv420p']],
      ['601-full-range.mp4', ['-s', '640x480', '-c:v', 'libx264', '-pix_fmt', 'yuvj420p']],
      ['rgb.mkv', ['-s', '640x480', '-c:v', 'png', '-pix_fmt', 'rgb24']],
    ];
    for (const [name, args] of sources) {
      const file = path.join(tmp, name);
      ff('-f', 'lavfi', '-i', 'testsrc2=rate=24:duration=0.5', ...args, file);
      const video = await probeVideo(ffmpeg, file);
      const { width, height } = video;
      const [bx, by] = [width / SMALL_WIDTH, height / SMALL_HEIGHT]; // whole blocks: 4×3 or 2×2
      const color = smallFrameColor(video);
      for (const f of (await decodeAll({ info: video, stride: 6, full: true, fullFormat: 'rgb24' })).frames.filter((f) => f.full)) {
        const small = yuv420pRectToRgb(f.small, SMALL_WIDTH, SMALL_HEIGHT, { left: 0, top: 0, width: SMALL_WIDTH, height: SMALL_HEIGHT }, color);
        // Against the full rgb24 frame averaged over each small pixel's block.
        let sum = 0;
        for (let y = 0; y < SMALL_HEIGHT; y++) {
          for (let x = 0; x < SMALL_WIDTH; x++) {
            for (let ch = 0; ch < 3; ch++) {
              let block = 0;
              for (let j = 0; j < by; j++) for (let i = 0; i < bx; i++) block += f.full![(((y * by + j) * width) + x * bx + i) * 3 + ch];
              sum += Math.abs(small[(y * SMALL_WIDTH + x) * 3 + ch] - block / (bx * by));
            }
          }
        }
        // About 2 from chroma at 320×240 alone; a wrong matrix or range gives 9 or more.
        const mae = sum / small.length;
        assert.ok(mae <= 3.5, `${name} (${video.pixFmt}, ${color.matrix}) frame ${f.index}: mean abs difference ${mae.toFixed(2)}`);
      }
    }
  });

  /** Every frame decoded exactly, as index → hashes of its small and (yuv420p) full frame. */
  async function exactFrames(): Promise<Map<number, string>> {
    const exact = new Map<number, string>();
    const source = openFrameSource({ ffmpegPath: ffmpeg, info, stride: 1, full: true, d1: true, fullFormat: 'yuv420p' });
    for await (const f of source) {
      exact.set(f.index, `${sha(f.small)} ${sha(f.full!)} ${f.ts}`);
      source.recycle(f.small);
      source.recycle(f.full!);
    }
    return exact;
  }

  test('refs and keyframes sampling: fewer frames decoded, each at its true index and bit-identical to exact decoding', async () => {
    const exact = await exactFrames();
    assert.equal(exact.size, 240);
    const counts: Record<string, number> = {};
    for (const sampling of ['refs', 'keyframes'] as const) {
      for (const d1 of [true, false]) {
        const { frames, summary } = await decodeAll({ sampling, d1, full: true, fullFormat: 'yuv420p' });
        assert.equal(summary.damaged, false, summary.warning);
        const indices = frames.map((f) => f.index);
        assert.equal(indices[0], 0);
        assert.ok(indices.every((k, i) => i === 0 || k > indices[i - 1]), `${sampling}: indices increase`);
        // The first decoded frame at or after each stride point is sampled, and only it.
        const wanted = new Set<number>();
        for (let s = 0; s <= indices[indices.length - 1]; s += 6) wanted.add(indices.find((k) => k >= s)!);
        for (const f of frames) {
          assert.equal(f.sampled, wanted.has(f.index), `${sampling} frame ${f.index} sampled`);
          assert.equal(f.full !== undefined, f.sampled, `${sampling} frame ${f.index} full`);
          const [small, full, ts] = exact.get(f.index)!.split(' ');
          assert.equal(sha(f.small), small, `${sampling} frame ${f.index}: the picture exact decoding gives`);
          assert.equal(f.ts, Number(ts), `${sampling} frame ${f.index}: the time exact decoding gives`);
          if (f.full) assert.equal(sha(f.full), full, `${sampling} frame ${f.index} full`);
        }
        counts[sampling] = frames.length;
      }
    }
    // The clip has B-frames (refs skips the unreferenced ones) and few keyframes.
    assert.ok(counts.refs < 200 && counts.keyframes < counts.refs && counts.keyframes >= 1, JSON.stringify(counts));
  });

  test('a variable frame rate: the probe says so, and refs sampling on it fails with one clear line', async () => {
    const vfr = path.join(tmp, 'vfr.mp4');
    // One second at 24 fps, then one at 30 fps, times kept as they are (-vsync 0) on a 1/120 s grid.
    ff('-filter_complex', 'testsrc2=size=320x240:rate=24:duration=1[a];testsrc2=size=320x240:rate=30:duration=1[b];[a][b]concat',
      '-vsync', '0', '-enc_time_base', '1:120', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', vfr);
    const probed = await probeVideo(ffmpeg, vfr);
    assert.equal(probed.constantRate, false);
    // The plan would fall back to exact (config.test.ts); the frame source still refuses such times.
    const video = { ...probed, fps: 24 };
    await assert.rejects(decodeAll({ info: video, sampling: 'refs' }), /vfr\.mp4: frame times are not on a constant 24 fps grid \(a frame at [\d.]+ s\), which sampling: refs needs; use sampling: exact/);
    // Exact sampling: each frame at its own time, not index / average rate.
    const { frames } = await decodeAll({ info: probed });
    assert.equal(frames.length, 54);
    const expected = (i: number) => (i < 24 ? i / 24 : 1 + (i - 24) / 30);
    for (const f of frames) assert.ok(Math.abs(f.ts - expected(f.index)) < 1e-4, `frame ${f.index} at ${f.ts} s, not ${expected(f.index)}`);
  });

  test('a frame time comes only from this run\'s showinfo line, never from text a tag prints', () => {
    const line = (name: string) => `[${name} @ 0x55d0c8] n:   3 pts: 125000 pts_time:0.125   pos: 4242 fmt:yuv420p sar:1/1 s:2x2`;
    assert.equal(showinfoPts(line('showinfo@tabc123'), 'abc123'), 125000);
    assert.equal(showinfoPts(line('showinfo@tabc123').replace('pts: 125000', 'pts:NOPTS'), 'abc123'), null);
    assert.equal(showinfoPts(line('Parsed_showinfo_2'), 'abc123'), undefined);
    assert.equal(showinfoPts(line('showinfo@tother'), 'abc123'), undefined);
    assert.equal(showinfoPts('[showinfo@tabc123 @ 0x1] color_range:tv color_space:unknown', 'abc123'), undefined);
  });

  test('on a worker thread: the same frames, recycled buffers travel back, and an abort ends it', async () => {
    const hashes = async (open: typeof openFrameSource, signal?: AbortSignal, stopAt = Infinity) => {
      const source = open({ ffmpegPath: ffmpeg, info, stride: 6, full: true, d1: true, fullFormat: 'yuv420p', signal });
      const out: string[] = [];
      for await (const f of source) {
        out.push(`${f.index} ${f.sampled} ${sha(f.small)} ${f.full ? sha(f.full) : '-'}`);
        source.recycle(f.small);
        if (f.full) source.recycle(f.full);
        if (out.length === stopAt) ac.abort();
      }
      return { out, summary: await source.done() };
    };
    const ac = new AbortController();
    const local = await hashes(openFrameSource);
    const worker = await hashes(openFrameSourceInWorker);
    assert.deepEqual(worker.out, local.out);
    assert.equal(worker.summary.framesDecoded, 240);
    const stopped = await hashes(openFrameSourceInWorker, ac.signal, 10);
    assert.deepEqual(stopped.out, local.out.slice(0, 10));
    assert.equal(stopped.summary.aborted, true);
    await assert.rejects(hashes((o) => openFrameSourceInWorker({ ...o, ffmpegPath: path.join(tmp, 'no-ffmpeg') })), /cannot run ffmpeg at .*no-ffmpeg/);
  });

  test('recycled buffers are filled again, and the frames stay exact', async () => {
    const hashes = async (recycle: boolean) => {
      const source = openFrameSource({ ffmpegPath: ffmpeg, info, stride: 6, full: true, d1: true, fullFormat: 'yuv420p' });
      const seen = new Set<ArrayBufferLike>();
      const out: string[] = [];
      for await (const f of source) {
        out.push(`${f.index} ${sha(f.small)} ${f.full ? sha(f.full) : '-'}`);
        seen.add(f.small.buffer);
        if (recycle) {
          source.recycle(f.small);
          if (f.full) source.recycle(f.full);
        }
      }
      return { out, buffers: seen.size };
    };
    const fresh = await hashes(false);
    const reused = await hashes(true);
    assert.deepEqual(reused.out, fresh.out);
    assert.equal(fresh.buffers, 240);
    assert.ok(reused.buffers < 40, `${reused.buffers} distinct small buffers for 240 frames`);
  });

  test('a slow consumer with a tiny queue still gets every frame (pause/resume)', async () => {
    const { frames } = await decodeAll({ stride: 6, full: true, maxQueued: 1 }, () => new Promise((r) => setTimeout(r, 1)));
    assert.deepEqual(frames.map((f) => f.index), [...Array(240).keys()]);
  });

  test('a truncated file yields the frames before the damage, then a warning', async () => {
    // Put the index (moov) first, as streaming files have it, so the start stays decodable.
    const faststart = path.join(tmp, 'faststart.mp4');
    ff('-i', clip, '-c', 'copy', '-movflags', '+faststart', faststart);
    const bytes = fs.readFileSync(faststart);
    const truncated = path.join(tmp, 'truncated.mp4');
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    const { frames, summary } = await decodeAll({ info: await probeVideo(ffmpeg, truncated), stride: 6, full: true });
    assert.ok(frames.length > 20 && frames.length < 200, `${frames.length} frames`);
    assert.deepEqual(frames.map((f) => f.index), [...Array(frames.length).keys()]);
    assert.equal(summary.framesDecoded, frames.length);
    assert.equal(summary.damaged, true);
    assert.match(summary.warning ?? '', new RegExp(`truncated\\.mp4 may be damaged: decoded ${frames.length} of ~240 frames`));
  });

  test('a truncated file without its index fails at probe with one clear line', async () => {
    const f = path.join(tmp, 'cut.mp4');
    ff('-i', clip, '-c', 'copy', path.join(tmp, 'moov-last.mp4'));
    const bytes = fs.readFileSync(path.join(tmp, 'moov-last.mp4'));
    fs.writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    await assert.rejects(probeVideo(ffmpeg, f), /cut\.mp4 is not a video file \(ffmpeg: /);
  });

  test('abort kills ffmpeg and ends the iteration', async () => {
    const ac = new AbortController();
    const { frames, summary } = await decodeAll({ stride: 6, full: true, signal: ac.signal }, (f) => f.index === 9 && ac.abort());
    assert.equal(frames.length, 10);
    assert.equal(summary.aborted, true);
    assert.equal(summary.damaged, false);
  });

  test('breaking out of the loop closes the source', async () => {
    const source = openFrameSource({ ffmpegPath: ffmpeg, info, stride: 6, full: true, d1: true });
    for await (const f of source) if (f.index === 3) break;
    const summary = await source.done();
    assert.equal(summary.aborted, true);
    assert.ok(summary.framesDecoded < 240);
  });

  test('an ffmpeg that cannot start rejects the iteration', async () => {
    const source = openFrameSource({ ffmpegPath: path.join(tmp, 'no-ffmpeg'), info, stride: 6, full: false, d1: true });
    await assert.rejects(async () => {
      for await (const _ of source) assert.fail('no frames expected');
    }, /cannot run ffmpeg/);
    await assert.rejects(source.done(), /cannot run ffmpeg/);
  });
});
