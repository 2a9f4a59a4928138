// The bad-input suite: every kind of bad input below is made here (ffmpeg, the episode generator,
// plain files; no binary fixtures) and fed to the installed `episode-run` as a user would. Each
// one either runs correctly or exits 1 with exactly one clear line on stderr. Around every run the
// whole sandbox is hashed: nothing outside the episode folder may change (sentinel folders sit
// where a bad ep_id would reach: <root>/crops, <root>/cache, a sibling episode), and every
// manifest left in the episode folder parses. README.md "Bad input" lists the kinds and answers.
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { probeVideo } from '../../server/engine/decode/probe';
import type { DetectionRow } from '../../server/engine/manifests/manifest-types';
import { generateEpisode } from '../fixtures/episode-generator';
import { sharedClip } from '../helpers/shared-data';

const BIN = resolve(__dirname, '../../bin/episode-run.js');
const ffmpeg = resolveFfmpeg().path;
const tos = sharedClip('clip_01_tears_of_steel.mp4');
let top: string;
/** A 4 s 640×360 24 fps episode with faces: the pictures most kinds are made from. */
let base: string;

before(async () => {
  top = fs.mkdtempSync(join(tmpdir(), 'ep-bad-'));
  fs.chmodSync(top, 0o755); // the unreadable-file case runs as another user
  base = (await generateEpisode({ width: 640, height: 360, fps: 24, durationS: 4, seed: 1 })).video;
});
after(() => fs.rmSync(top, { recursive: true, force: true }));

function ff(...args: string[]): void {
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

interface Sandbox {
  root: string;
  /** The output root; episodes go to <out>/<ep_id>. */
  out: string;
  file: (name: string) => string;
}

/** A fresh folder with sentinels where a stray write or delete would land. */
function sandbox(name: string): Sandbox {
  const root = join(top, name);
  const out = join(root, 'out');
  for (const f of ['crops/keep.txt', 'cache/keep.txt', 'frames/keep.txt', 'out/crops/keep.txt', 'out/other/manifests/track_metrics.json']) {
    fs.mkdirSync(join(root, f, '..'), { recursive: true });
    fs.writeFileSync(join(root, f), f.endsWith('.json') ? '{"ep_id":"other"}\n' : 'keep\n');
  }
  return { root, out, file: (n) => join(root, n) };
}

/** Every entry under `dir` (but `skip`) with its kind and content hash. */
function treeHash(dir: string, skip?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d)) {
      const p = join(d, name);
      if (p === skip) continue;
      const st = fs.lstatSync(p);
      const rel = relative(dir, p);
      if (st.isDirectory()) {
        out[rel] = `dir ${st.mode.toString(8)}`;
        walk(p);
      } else if (st.isFile()) {
        out[rel] = `file ${st.mode.toString(8)} ${createHash('sha256').update(fs.readFileSync(p)).digest('hex')}`;
      } else {
        out[rel] = `other ${st.mode.toString(8)}`;
      }
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** Every manifest (final names only: a `.partial` file marks an unfinished one) parses. */
function assertManifestsParse(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) (JSON.parse(fs.readFileSync(p, 'utf8')), n++);
      else if (e.name.endsWith('.jsonl')) {
        for (const line of fs.readFileSync(p, 'utf8').split('\n')) if (line) JSON.parse(line);
        n++;
      }
    }
  };
  if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) walk(dir);
  return n;
}

interface Result {
  code: number | null;
  lines: string[];
  /** <out>/<ep_id> */
  episode: string;
}

/**
 * Runs episode-run in the sandbox. `epId` names the episode folder to leave out of the hash;
 * an invalid id has none, so then nothing at all may change.
 */
function run(sb: Sandbox, args: string[], opts: { epId?: string; /** a uid, its gid alike */ asUser?: string } = {}): Result {
  const episode = opts.epId ? join(sb.out, opts.epId) : '';
  const before = treeHash(sb.root, episode || undefined);
  const argv = [BIN, '--output-root', sb.out, '--quiet', ...args];
  const r = opts.asUser
    ? spawnSync('setpriv', [`--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--clear-groups', process.execPath, ...argv], { encoding: 'utf8' })
    : spawnSync(process.execPath, argv, { encoding: 'utf8' });
  assert.deepEqual(treeHash(sb.root, episode || undefined), before, 'nothing outside the episode folder changed');
  if (episode) assertManifestsParse(episode);
  return { code: r.status, lines: r.stderr.split('\n').filter(Boolean), episode };
}

function exitsWithOneLine(r: Result, pattern: RegExp): void {
  assert.equal(r.code, 1, `exit code, stderr:\n${r.lines.join('\n')}`);
  assert.equal(r.lines.length, 1, `one line, got:\n${r.lines.join('\n')}`);
  assert.match(r.lines[0], /^episode-run: /);
  assert.match(r.lines[0], pattern);
}

function runsCleanly(r: Result): Record<string, any> {
  assert.equal(r.code, 0, `exit code, stderr:\n${r.lines.join('\n')}`);
  assert.deepEqual(r.lines, [], 'nothing on stderr');
  return JSON.parse(fs.readFileSync(join(r.episode, 'manifests', 'track_metrics.json'), 'utf8'));
}

function detections(r: Result): DetectionRow[] {
  return fs.readFileSync(join(r.episode, 'manifests', 'detections.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Runs `video` as episode `ep` and checks that it ran; returns the metrics and detections. */
function runVideo(name: string, video: (sb: Sandbox) => string, extra: string[] = []) {
  const sb = sandbox(name);
  const r = run(sb, ['--ep-id', 'ep', '--video', video(sb), ...extra], { epId: 'ep' });
  const metrics = runsCleanly(r);
  return { metrics, dets: detections(r), sb };
}

/** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN); the cases that need one say so when it cannot. */
function canMount(): boolean {
  const probe = fs.mkdtempSync(join(tmpdir(), 'ep-mount-'));
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  fs.rmSync(probe, { recursive: true, force: true });
  return ok;
}
const mountable = canMount();

describe('bad files', () => {
  test('zero bytes', () => {
    const sb = sandbox('zero');
    fs.writeFileSync(sb.file('zero.mp4'), '');
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', sb.file('zero.mp4')], { epId: 'ep' }), /zero\.mp4 is empty \(0 bytes\)$/);
  });

  test('not a video (text named .mp4)', () => {
    const sb = sandbox('text');
    fs.writeFileSync(sb.file('text.mp4'), 'this is not a video\n'.repeat(50));
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', sb.file('text.mp4')], { epId: 'ep' }), /text\.mp4 is not a video file \(ffmpeg: Invalid data found when processing input\)$/);
  });

  test('audio only', () => {
    const sb = sandbox('audio');
    ff('-f', 'lavfi', '-i', 'sine=d=1', sb.file('audio.m4a'));
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', sb.file('audio.m4a')], { epId: 'ep' }), /audio\.m4a has no video stream \(only Audio streams\)$/);
  });

  test('cover art only (audio with an attached picture)', () => {
    const sb = sandbox('cover');
    ff('-f', 'lavfi', '-i', 'sine=d=1', '-f', 'lavfi', '-i', 'testsrc2=s=64x64:d=0.04', '-map', '0', '-map', '1', '-c:v', 'mjpeg', '-disposition:v', 'attached_pic', sb.file('cover.mp3'));
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', sb.file('cover.mp3')], { epId: 'ep' }), /cover\.mp3 has no video stream \(only a cover picture and Audio streams\)$/);
  });

  test('truncated mp4, index (moov) first: the frames before the cut are processed, then exit 1', () => {
    const sb = sandbox('trunc-moov-first');
    ff('-i', base, '-c', 'copy', '-movflags', '+faststart', sb.file('whole.mp4'));
    const bytes = fs.readFileSync(sb.file('whole.mp4'));
    fs.writeFileSync(sb.file('cut.mp4'), bytes.subarray(0, Math.floor(bytes.length * 0.5)));
    const r = run(sb, ['--ep-id', 'ep', '--video', sb.file('cut.mp4')], { epId: 'ep' });
    exitsWithOneLine(r, /cut\.mp4 may be damaged: decoded \d+ of ~96 frames.*the frames before the damage were processed/);
    const m = JSON.parse(fs.readFileSync(join(r.episode, 'manifests', 'track_metrics.json'), 'utf8'));
    assert.ok(m.stats.frames_decoded > 10 && m.stats.frames_decoded < 96, `${m.stats.frames_decoded} frames`);
  });

  test('truncated mp4, index (moov) last: no index, so not a video', () => {
    const sb = sandbox('trunc-moov-last');
    ff('-i', base, '-c', 'copy', sb.file('whole.mp4')); // ffmpeg writes the index last by default
    const bytes = fs.readFileSync(sb.file('whole.mp4'));
    fs.writeFileSync(sb.file('cut.mp4'), bytes.subarray(0, Math.floor(bytes.length * 0.5)));
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', sb.file('cut.mp4')], { epId: 'ep' }), /cut\.mp4 is not a video file \(ffmpeg: .+\)$/);
  });

  test('truncated mkv: the frames before the cut are processed, then exit 1', () => {
    const sb = sandbox('trunc-mkv');
    ff('-i', base, '-c', 'copy', sb.file('whole.mkv'));
    const bytes = fs.readFileSync(sb.file('whole.mkv'));
    fs.writeFileSync(sb.file('cut.mkv'), bytes.subarray(0, Math.floor(bytes.length * 0.5)));
    const r = run(sb, ['--ep-id', 'ep', '--video', sb.file('cut.mkv')], { epId: 'ep' });
    exitsWithOneLine(r, /cut\.mkv may be damaged: decoded \d+ .*the frames before the damage were processed/);
  });
});

describe('sizes and formats', () => {
  test('1×1 pixel: runs, no faces', () => {
    const { metrics } = runVideo('1x1', (sb) => (ff('-f', 'lavfi', '-i', 'testsrc2=r=24:d=1', '-vf', 'scale=1:1', '-c:v', 'ffv1', sb.file('dot.mkv')), sb.file('dot.mkv')));
    assert.deepEqual([metrics.video.width, metrics.video.height, metrics.stats.frames_decoded, metrics.tracks_written], [1, 1, 24, 0]);
  });

  test('641×361 (odd sides, 4:2:0): runs, crops included, boxes inside the frame', () => {
    const { metrics, dets, sb } = runVideo('odd', (sb) => (ff('-i', base, '-vf', 'scale=641:361', '-c:v', 'ffv1', '-pix_fmt', 'yuv420p', sb.file('odd.mkv')), sb.file('odd.mkv')), ['--save-crops', '--no-gate']);
    assert.deepEqual([metrics.video.width, metrics.video.height, metrics.stats.full_frames], [641, 361, 'yuv420p']);
    assert.ok(metrics.tracks_written >= 1, `${metrics.tracks_written} tracks`);
    for (const d of dets) assert.ok(d.bbox_xyxy[0] >= 0 && d.bbox_xyxy[2] <= 641 && d.bbox_xyxy[1] >= 0 && d.bbox_xyxy[3] <= 361, JSON.stringify(d.bbox_xyxy));
    assert.ok(fs.readdirSync(join(sb.out, 'ep', 'crops')).length >= 1);
  });

  test('4K (2 s): runs, faces found where the 640×360 original has them', () => {
    const { metrics, dets } = runVideo('4k', (sb) => (ff('-i', base, '-t', '2', '-vf', 'scale=3840:2160', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', sb.file('4k.mp4')), sb.file('4k.mp4')));
    assert.deepEqual([metrics.video.width, metrics.video.height, metrics.stats.frames_decoded], [3840, 2160, 48]);
    assert.ok(dets.length > 0 && metrics.tracks_written >= 1);
  });

  test('8K (1 s) with the gate on: runs within 1 GiB of memory', () => {
    const { metrics, dets } = runVideo('8k', (sb) => (ff('-i', base, '-t', '1', '-vf', 'scale=7680:4320', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', sb.file('8k.mp4')), sb.file('8k.mp4')), ['--save-crops']);
    assert.deepEqual([metrics.video.width, metrics.video.height, metrics.stats.frames_decoded], [7680, 4320, 24]);
    assert.ok(dets.length > 0);
    assert.equal(metrics.config.gate.enabled, true);
    assert.ok(metrics.stats.peak_rss_mb <= 1024, `peak RSS ${metrics.stats.peak_rss_mb} MiB`);
  });

  test('10-bit 4:2:0: runs, through rgb24 full frames', () => {
    const { metrics, dets } = runVideo('10bit', (sb) => (ff('-i', base, '-t', '2', '-c:v', 'ffv1', '-pix_fmt', 'yuv420p10le', sb.file('10bit.mkv')), sb.file('10bit.mkv')), ['--save-crops']);
    assert.deepEqual([metrics.video.pix_fmt, metrics.stats.full_frames], ['yuv420p10le', 'rgb24']);
    assert.ok(dets.length > 0);
  });
});

describe('time and orientation', () => {
  test('variable frame rate: every ts is the frame\'s presentation time, and refs falls back to exact', () => {
    // The first second at 24 fps, the rest at 12 fps (each frame shown twice as long), on a 1/120 s grid.
    const expected = (i: number) => (i < 24 ? i / 24 : 1 + (i - 24) / 12);
    const make = (sb: Sandbox) => {
      ff('-i', base, '-vf', 'setpts=\'if(lt(N,24),N/24,1+(N-24)/12)/TB\'', '-vsync', '0', '-enc_time_base', '1:120', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', sb.file('vfr.mp4'));
      return sb.file('vfr.mp4');
    };
    for (const sampling of ['exact', 'refs']) {
      const { metrics, dets } = runVideo(`vfr-${sampling}`, make, ['--sampling', sampling, '--no-gate']);
      assert.equal(metrics.stats.sampling, 'exact');
      assert.ok(dets.length >= 5, `${dets.length} detections`);
      for (const d of dets) assert.ok(Math.abs(d.ts - expected(d.frame_idx)) < 1e-3, `frame ${d.frame_idx} at ${d.ts} s, not ${expected(d.frame_idx)}`);
      assert.ok(dets.some((d) => d.frame_idx > 30), 'detections in the 12 fps part');
    }
  });

  test('a stream that starts late: ts counts from the file\'s start in every sampling mode', () => {
    // Video starts 0.5 s after the audio, so its first frame is shown at 0.5 s.
    const make = (sb: Sandbox) => {
      ff('-itsoffset', '0.5', '-i', base, '-f', 'lavfi', '-i', 'sine=d=4.5', '-map', '0:v', '-map', '1:a', '-vsync', '0', '-c:v', 'libx264', '-preset', 'veryfast',
        '-g', '12', '-bf', '2', '-pix_fmt', 'yuv420p', '-c:a', 'aac', sb.file('late.mp4'));
      return sb.file('late.mp4');
    };
    for (const sampling of ['exact', 'refs', 'keyframes']) {
      // Keyframes are 12 frames apart here: keep the one-frame tracks that gives.
      const { dets } = runVideo(`late-${sampling}`, make, ['--sampling', sampling, '--no-gate', '--min-track-length', '1']);
      assert.ok(dets.length > 0, sampling);
      for (const d of dets) assert.ok(Math.abs(d.ts - (0.5 + d.frame_idx / 24)) < 1e-3, `${sampling}: frame ${d.frame_idx} at ${d.ts} s`);
    }
  });

  // Both files hold the same pictures losslessly: one upright, one stored turned and marked to be
  // shown turned back. ffmpeg turns it back while decoding, so every box and ts must match.
  for (const tag of ['90', '270']) {
    test(`rotated by the display matrix (rotate=${tag}): boxes in display orientation, as upright`, async () => {
      const sb = sandbox(`rotated-${tag}`);
      ff('-i', base, '-t', '2', '-c:v', 'libx264', '-qp', '0', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', sb.file('upright.mp4'));
      ff('-i', sb.file('upright.mp4'), '-c', 'copy', '-metadata:s:v', `rotate=${tag}`, sb.file('probe.mp4'));
      // ffmpeg 4.x writes rotate=90 as a matrix read back as 270 (5.x as 90): turn the pictures by what it reads.
      const shown = (await probeVideo(ffmpeg, sb.file('probe.mp4'))).rotation;
      assert.ok(shown === 90 || shown === 270, `rotation ${shown}`);
      ff('-i', sb.file('upright.mp4'), '-vf', shown === 90 ? 'transpose=cclock' : 'transpose=clock', '-c:v', 'libx264', '-qp', '0', '-preset', 'ultrafast',
        '-pix_fmt', 'yuv420p', sb.file('stored.mp4'));
      ff('-i', sb.file('stored.mp4'), '-c', 'copy', '-metadata:s:v', `rotate=${tag}`, sb.file('turned.mp4'));
      const upright = run(sb, ['--ep-id', 'up', '--video', sb.file('upright.mp4'), '--no-gate'], { epId: 'up' });
      const turned = run(sb, ['--ep-id', 'turned', '--video', sb.file('turned.mp4'), '--no-gate'], { epId: 'turned' });
      const m = runsCleanly(turned);
      runsCleanly(upright);
      assert.deepEqual([m.video.width, m.video.height, m.video.rotation], [640, 360, shown]);
      const a = detections(upright);
      const b = detections(turned);
      assert.ok(a.length > 0);
      assert.deepEqual(b.map((d) => [d.frame_idx, d.ts]), a.map((d) => [d.frame_idx, d.ts]));
      b.forEach((d, i) => d.bbox_xyxy.forEach((v, k) => assert.ok(Math.abs(v - a[i].bbox_xyxy[k]) < 0.5, `frame ${d.frame_idx}: ${d.bbox_xyxy} vs ${a[i].bbox_xyxy}`)));
    });
  }

  test('a title tag that spoofs the probe: Duration 99 h and a 90° rotation in text change nothing', () => {
    const { metrics, dets } = runVideo('spoof-title', (sb) => {
      ff('-i', base, '-c', 'copy', '-metadata', 'title=x Duration: 99:00:00.00, start: 5.0 displaymatrix: rotation of 90.00 degrees', sb.file('title.mp4'));
      return sb.file('title.mp4');
    }, ['--no-gate']);
    assert.deepEqual([metrics.video.width, metrics.video.height, metrics.video.rotation, metrics.stats.frames_decoded], [640, 360, 0, 96]);
    for (const d of dets) assert.ok(Math.abs(d.ts - d.frame_idx / 24) < 1e-3);
  });

  test('tag keys that forge whole report lines (NUT): change nothing', () => {
    const { metrics } = runVideo('spoof-keys', (sb) => {
      ff('-i', base, '-frames:v', '24', '-c', 'copy', '-metadata', 'x\n  Duration: 99:00:00.00, start: 7.000000, bitrate: 1 kb/s\n    Stream #0:0: Video: h264, yuv420p, 9999x9999, 1 fps, 1 tbr, 1k tbn=1',
        '-metadata:s:v:0', 'y\n    Side data:\n      displaymatrix: rotation of -90.00 degrees=2', sb.file('keys.nut'));
      return sb.file('keys.nut');
    }, ['--no-gate']);
    assert.deepEqual([metrics.video.width, metrics.video.height, metrics.video.fps, metrics.video.rotation, metrics.stats.frames_decoded], [640, 360, 24, 0, 24]);
  });
});

describe('configs', () => {
  test('a 20 MB config: refused before it is read', () => {
    const sb = sandbox('big-config');
    fs.writeFileSync(sb.file('big.episode.yaml'), `ep_id: ep\nvideo: ${base}\n` + '# padding\n'.repeat(2_000_000));
    exitsWithOneLine(run(sb, ['--config', sb.file('big.episode.yaml')], { epId: 'ep' }), /big\.episode\.yaml is 20\.0 MB; an episode config is at most 1 MiB$/);
  });

  test('a deeply nested config (10,000 levels, and 100)', () => {
    const sb = sandbox('deep-config');
    fs.writeFileSync(sb.file('deep.episode.yaml'), `ep_id: ep\nvideo: ${base}\nextra: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    exitsWithOneLine(run(sb, ['--config', sb.file('deep.episode.yaml')], { epId: 'ep' }), /deep\.episode\.yaml:3:\d+: the config is nested more than 64 levels deep$/);
    fs.writeFileSync(sb.file('deep100.episode.yaml'), `ep_id: ep\nvideo: ${base}\nextra: ${'['.repeat(100)}${']'.repeat(100)}\n`);
    exitsWithOneLine(run(sb, ['--config', sb.file('deep100.episode.yaml')], { epId: 'ep' }), /deep100\.episode\.yaml: the config is nested more than 64 levels deep$/);
  });

  test('--help prints usage and exits 0', () => {
    const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: episode-run --config/);
  });

  test('a malformed config and a bad flag', () => {
    const sb = sandbox('malformed');
    fs.writeFileSync(sb.file('bad.episode.yaml'), 'ep_id: x\nvideo: [a\n');
    exitsWithOneLine(run(sb, ['--config', sb.file('bad.episode.yaml')]), /bad\.episode\.yaml:\d+:\d+: YAML syntax error/);
    exitsWithOneLine(run(sb, ['--ep-id', 'x', '--video', 'v.mp4', '--stride', 'often']), /`stride` must be a whole number/);
  });
});

describe('paths', () => {
  test('a missing video', () => {
    const sb = sandbox('missing');
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', sb.file('nope.mp4')], { epId: 'ep' }), /Video file not found: .*nope\.mp4$/);
  });

  test('a video path that is a folder', () => {
    const sb = sandbox('folder');
    fs.mkdirSync(sb.file('clip.mp4'));
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', sb.file('clip.mp4')], { epId: 'ep' }), /clip\.mp4 is a folder, not a video file$/);
  });

  test('a video path that is a FIFO: refused without opening it (which would wait forever)', () => {
    const sb = sandbox('fifo');
    execFileSync('mkfifo', [sb.file('pipe.mp4')]);
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', sb.file('pipe.mp4')], { epId: 'ep' }), /pipe\.mp4 is not a regular file \(a FIFO\)$/);
  });

  // Tests run as root, whom file modes do not stop: the run is made as `nobody` (setpriv).
  const NOBODY = 65534;
  // `nobody` must also reach the engine: a clone under a private folder (mode 700) hides it.
  const asNobody = process.getuid?.() === 0 && spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'test', '-r', BIN]).status === 0;
  test('an unreadable video (mode 000, run as nobody)', { skip: !asNobody && 'needs root, setpriv, and a checkout that user nobody can read' }, () => {
    const sb = sandbox('unreadable');
    fs.copyFileSync(base, sb.file('secret.mp4'));
    fs.chmodSync(sb.file('secret.mp4'), 0o000);
    fs.chmodSync(sb.root, 0o777);
    fs.chmodSync(sb.out, 0o777);
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', sb.file('secret.mp4')], { epId: 'ep', asUser: String(NOBODY) }), /secret\.mp4 cannot be read \(permission denied\)$/);
  });

  /** A sandbox whose output root is a tmpfs mounted with `options`, unmounted after the test. */
  function onTmpfs(name: string, options: string, t: TestContext): Sandbox {
    const sb = sandbox(name);
    const mnt = sb.file('mnt');
    fs.mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mnt]);
    t.after(() => spawnSync('umount', [mnt]));
    return { ...sb, out: mnt };
  }
  const noMount = !mountable && 'mounting a tmpfs is not permitted here';

  test('an output root on a read-only file system', { skip: noMount }, (t) => {
    const sb = onTmpfs('read-only', 'ro,size=1m', t);
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', base], { epId: 'ep' }), /output_root .*mnt cannot be written: .*mnt: read-only file system$/);
  });

  test('a full disk (a 256 KiB tmpfs) while crops and frames are written', { skip: noMount }, (t) => {
    const sb = onTmpfs('full', 'size=256k', t);
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', base, '--save-crops', '--save-frames'], { epId: 'ep' }), /cannot write .*mnt\/ep: no space left on device/);
  });

  for (const [id, why] of [['..', /ep_id/], ['.', /ep_id/], ['a/b', /ep_id/]] as const) {
    test(`ep_id "${id}": refused, nothing touched`, () => {
      const sb = sandbox(`ep-id-${id.replace(/\W/g, '_')}`);
      exitsWithOneLine(run(sb, ['--ep-id', id, '--video', base, '--save-crops']), why);
      exitsWithOneLine(run(sb, ['--ep-id', id, '--video', base, '--output-root', join(sb.out, 'sub')]), why);
    });
  }
});

describe('models', () => {
  test('a detector model path that does not exist', () => {
    const sb = sandbox('no-model');
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', base, '--det-model', sb.file('missing.onnx')], { epId: 'ep' }), /Detector model not found: .*missing\.onnx/);
  });

  test('a wrong model names the expected input shape', () => {
    const sb = sandbox('wrong-model');
    const feature = resolve(__dirname, '../../models/fr_feature.onnx');
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', base, '--det-model', feature], { epId: 'ep' }), /expected input 'input' \[1,3,240,320\]/);
  });
});

describe('ground truth', () => {
  /** Runs `base` (96 frames) scored against a gt.txt of these lines; returns the result. */
  function withGroundTruth(name: string, lines: string[], file = 'gt.txt'): Result {
    const sb = sandbox(name);
    fs.writeFileSync(sb.file(file), lines.join('\n') + '\n');
    return run(sb, ['--ep-id', 'ep', '--video', base, '--ground-truth', sb.file(file)], { epId: 'ep' });
  }
  const noScore = (r: Result) => assert.ok(!fs.existsSync(join(r.episode, 'manifests', 'eval.json')), 'no eval.json: never a silent score');

  test('a malformed line: refused before the analysis, naming the line', () => {
    const r = withGroundTruth('gt-malformed', ['1,1,10,10,50,60,1,1,1', '2,1,10,10,50', '3,1,10,10,50,60,1,1,1']);
    exitsWithOneLine(r, /ground truth .*gt\.txt line 2: expected at least 6 comma-separated fields \(frame, id, left, top, width, height\), got 5$/);
    noScore(r);
    assert.ok(!fs.existsSync(join(r.episode, 'manifests', 'track_metrics.json')), 'refused before the run');
  });

  test('negative sizes: refused, the first line named and the rest counted', () => {
    const r = withGroundTruth('gt-negative', ['1,1,10,10,-50,60,1,1,1', '2,1,10,10,50,-60,1,1,1']);
    exitsWithOneLine(r, /gt\.txt line 1: negative box size -50×60 \(and 1 more problem\)$/);
    noScore(r);
  });

  test('frames far past the video\'s end: refused before the analysis', () => {
    const r = withGroundTruth('gt-far', ['1,1,10,10,50,60,1,1,1', '500,1,10,10,50,60,1,1,1']);
    exitsWithOneLine(r, /gt\.txt line 2: frame 500 is past the video's end/);
    assert.ok(!fs.existsSync(join(r.episode, 'manifests', 'track_metrics.json')), 'refused before the run');
  });

  test('a frame just past the end (within the estimate\'s slack): the run fails at scoring, with no score', () => {
    const r = withGroundTruth('gt-just-past', ['1,1,10,10,50,60,1,1,1', '97,1,10,10,50,60,1,1,1']);
    exitsWithOneLine(r, /gt\.txt line 2: frame 97 is past the video's end \(its last frame is 96 with evaluation\.frame_base 1\)$/);
    noScore(r);
    const runs = JSON.parse(fs.readFileSync(join(r.episode, 'runs.json'), 'utf8')).runs;
    assert.equal(runs.at(-1).state, 'failed');
    assert.equal(runs.at(-1).scores, undefined);
  });

  test('a missing file, and a .zip that is not one', () => {
    const sb = sandbox('gt-missing');
    exitsWithOneLine(run(sb, ['--ep-id', 'ep', '--video', base, '--ground-truth', sb.file('nope.txt')], { epId: 'ep' }), /ground truth not found: .*nope\.txt$/);
    const r = withGroundTruth('gt-notzip', ['1,1,10,10,50,60,1,1,1'], 'gt.zip');
    exitsWithOneLine(r, /ground truth .*gt\.zip: not a zip archive \(no end of central directory\)$/);
  });
});

test('real footage cut short (Tears of Steel, index first)', { skip: tos.skip }, () => {
  const sb = sandbox('tos-cut');
  ff('-i', tos.path, '-c', 'copy', '-movflags', '+faststart', sb.file('faststart.mp4'));
  const bytes = fs.readFileSync(sb.file('faststart.mp4'));
  fs.writeFileSync(sb.file('truncated.mp4'), bytes.subarray(0, Math.floor(bytes.length * 0.4)));
  const r = run(sb, ['--ep-id', 'tr', '--video', sb.file('truncated.mp4')], { epId: 'tr' });
  exitsWithOneLine(r, /truncated\.mp4 may be damaged: decoded \d+ of ~240 frames.*the frames before the damage were processed/);
  assert.ok(fs.readFileSync(join(r.episode, 'manifests', 'tracks.jsonl'), 'utf8').trim().length > 0, 'tracks from before the damage');
});
