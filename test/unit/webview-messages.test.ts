// Forged webview messages at the extension's boundary: the timeline host (extension/timeline-host.ts,
// what TimelinePanel runs) gets a run id of `../..`, a track id of `.*`, huge strings and a
// crops index that points outside; every file it touches is recorded, and none lies outside the
// episode folder. Well-formed messages still get their answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EpisodeLayout, frameFileName, isWithin, MANIFEST_FILES } from '../../server/engine/manifests/layout';
import { parseFramePageMessage, parseIdentitiesPageMessage, parsePageMessage, parseRunsPageMessage, parseSeasonPageMessage } from '../../extension/page-messages';
import { runFolderAt } from '../../extension/run-folder';
import { TimelineHost } from '../../extension/timeline-host';
import type { HostMessage } from '../../webview/protocol';

const SECRET = 'the contents of a file outside the episode folder';

/** An episode folder with one recorded run and crops of track 1, beside files it must never read. */
function setUp(): { root: string; layout: EpisodeLayout } {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'forged-')));
  const layout = new EpisodeLayout(join(root, 'out'), 'ep');
  const track = JSON.stringify({ ep_id: 'ep', track_id: 1, class: 'face', first_frame_idx: 0, last_frame_idx: 12, frame_count: 3, mean_conf: 0.9 });
  for (const dir of [layout.manifestsDir, layout.runManifestsDir('r1')]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MANIFEST_FILES.tracks), track + '\n');
    writeFileSync(join(dir, MANIFEST_FILES.progress), JSON.stringify({ ep_id: 'ep', run_id: 'r1', state: 'completed', started_at: '' }));
  }
  // Secrets where a `..` would lead: a runs/ and a crops/ look-alike, and a plain file.
  for (const dir of [join(root, 'manifests'), join(root, 'out', 'runs', 'manifests'), join(root, 'crops', 'track_0001')]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, MANIFEST_FILES.tracks), SECRET);
    writeFileSync(join(dir, 'index.json'), JSON.stringify([{ file: 'secret.txt', frame_idx: 1 }]));
  }
  writeFileSync(join(root, 'secret.txt'), SECRET);
  const crops = layout.trackCropsDir(1);
  mkdirSync(crops, { recursive: true });
  writeFileSync(join(crops, frameFileName(4)), 'jpeg');
  symlinkSync(join(root, 'secret.txt'), join(crops, frameFileName(8)));
  writeFileSync(join(crops, 'index.json'), JSON.stringify([
    { file: frameFileName(4), frame_idx: 4 },
    { file: frameFileName(8), frame_idx: 8 }, // a symlink out of the folder
    { file: '../../../../secret.txt', frame_idx: 9 },
    { file: '/etc/passwd', frame_idx: 10 },
    { file: frameFileName(11), frame_idx: 12 }, // names another frame than it claims
  ]));
  return { root, layout };
}

/** Records the path of every file call the host makes (fs/promises, as extension/ imports it). */
function recordFileAccess(): { paths: string[]; restore: () => void } {
  const fsp = require('node:fs/promises');
  const paths: string[] = [];
  const names = ['readFile', 'open', 'stat', 'lstat', 'readdir', 'realpath', 'access', 'opendir'];
  const originals = names.map((n) => fsp[n]);
  names.forEach((n, i) => {
    fsp[n] = (p: unknown, ...rest: unknown[]) => {
      paths.push(resolve(String(p)));
      return originals[i](p, ...rest);
    };
  });
  return { paths, restore: () => names.forEach((n, i) => (fsp[n] = originals[i])) };
}

test('the timeline host drops forged messages and never reads outside the episode folder', async () => {
  const { layout } = setUp();
  const posted: HostMessage[] = [];
  const warnings: string[] = [];
  const revealed: [string, number][] = [];
  const framesOpened: [number, string | undefined][] = [];
  const host = new TimelineHost(runFolderAt(layout), {
    post: (m) => posted.push(m),
    opened: () => undefined,
    fileUrl: (file) => `webview:${file}`,
    reveal: async (file, line) => void revealed.push([file, line]),
    warn: (m) => warnings.push(m),
    openFrame: (frame, runId) => void framesOpened.push([frame, runId]),
  });
  const forged: unknown[] = [
    { type: 'selectRun', runId: '../..' },
    { type: 'selectRun', runId: '../../..' },
    { type: 'selectRun', runId: '.' },
    { type: 'selectRun', runId: 'r1/../../..' },
    { type: 'selectRun', runId: 'x'.repeat(5_000_000) },
    { type: 'selectTrack', trackId: '.*' },
    { type: 'revealTrack', trackId: '.*' },
    { type: 'revealTrack', trackId: '1|2' },
    { type: 'selectTrack', trackId: -1 },
    { type: 'selectTrack', trackId: 1.5 },
    { type: 'selectTrack', trackId: 1e300 },
    { type: 'selectTrack', trackId: '1' },
    { type: 'openFrame', frame: -1, kind: 'fn' },
    { type: 'openFrame', frame: 1.5, kind: 'fn' },
    { type: 'openFrame', frame: '3', kind: 'fn' },
    { type: 'openFrame', frame: 1e300, kind: 'fn' },
    { type: 'openFrame', frame: 3, kind: 'miss' },
    { type: 'openFrame', frame: 3 },
    { type: 'x'.repeat(5_000_000) },
    'ready', null, [], 42,
  ];
  // Once before recording: the first call of each kind loads code (and the test runner's compiler reads its cache).
  for (const m of [{ type: 'selectTrack', trackId: 1 }, { type: 'selectRun', runId: 'r1' }, { type: 'revealTrack', trackId: 1 }, { type: 'selectRun', runId: '..' }]) {
    await host.receive(m);
  }
  posted.length = revealed.length = warnings.length = 0;
  const access = recordFileAccess();
  try {
    for (const m of forged) await host.receive(m);
    assert.equal(warnings.length, forged.length, 'each forged message is dropped with a warning');
    assert.ok(warnings.every((w) => /^ignored a malformed webview message \(type .{0,60}\)$/.test(w)), warnings.join('\n'));
    assert.equal(posted.length, 0, 'and gets no answer');

    // Well-formed messages are answered, from inside the folder only.
    await host.receive({ type: 'selectTrack', trackId: 1 });
    const crops = posted.find((m) => m.type === 'crops');
    assert.deepEqual(crops && crops.type === 'crops' && crops.crops, [{ src: `webview:${join(layout.trackCropsDir(1), frameFileName(4))}`, frame_idx: 4 }]);
    await host.receive({ type: 'selectRun', runId: 'r1' });
    const snapshot = posted.find((m) => m.type === 'snapshot');
    assert.deepEqual(snapshot && snapshot.type === 'snapshot' && snapshot.run.tracks.tracks.map((t) => t.id), [1]);
    await host.receive({ type: 'revealTrack', trackId: 1 });
    assert.deepEqual(revealed, [[layout.runManifest('r1', 'tracks'), 1]]);
    assert.deepEqual(framesOpened, [], 'no forged openFrame opened the frame view');
  } finally {
    access.restore();
  }
  assert.ok(access.paths.length > 5, 'the file calls were seen');
  const outside = access.paths.filter((p) => p !== layout.dir && !isWithin(layout.dir, p));
  assert.deepEqual(outside, [], `read outside ${layout.dir}`);
  assert.ok(!JSON.stringify(posted).includes(SECRET));
});

test('openFrame: only a frame of the run shown opens the frame view', async () => {
  const { layout } = setUp();
  writeFileSync(layout.runManifest('r1', 'metrics'), JSON.stringify({ stats: { frames_decoded: 13 } }));
  const warnings: string[] = [];
  const opened: [number, string | undefined][] = [];
  const host = new TimelineHost(runFolderAt(layout), {
    post: () => undefined, opened: () => undefined, fileUrl: (f) => f, reveal: async () => undefined,
    warn: (m) => warnings.push(m), openFrame: (frame, runId) => void opened.push([frame, runId]),
  });
  await host.receive({ type: 'openFrame', frame: 4, kind: 'fn' });
  assert.deepEqual(warnings, ['ignored openFrame: frame 4 is not in the run shown (0 frames)'], 'the latest run has no track_metrics.json: no frames');
  await host.receive({ type: 'selectRun', runId: 'r1' });
  for (const frame of [13, 12, 0]) await host.receive({ type: 'openFrame', frame, kind: 'idsw' });
  assert.deepEqual(opened, [[12, 'r1'], [0, 'r1']]);
  assert.match(warnings[1], /frame 13 is not in the run shown \(13 frames\)/);
  assert.deepEqual(parseFramePageMessage({ type: 'showFrame', frame: 7, src: '/etc/passwd' }), { type: 'showFrame', frame: 7 });
  for (const frame of [-1, 0.5, '7', 1e12, null]) assert.equal(parseFramePageMessage({ type: 'showFrame', frame }), undefined, String(frame));
});

test('the Compare/Sweep page\'s messages are checked the same way', () => {
  assert.deepEqual(parseRunsPageMessage({ type: 'openRun', runId: 'r1', extra: 'dropped' }), { type: 'openRun', runId: 'r1' });
  for (const runId of ['../..', '.', '', 'a/b', 'x'.repeat(129), 7, undefined]) assert.equal(parseRunsPageMessage({ type: 'openRun', runId }), undefined, String(runId));
  assert.equal(parseRunsPageMessage({ type: 'selectTrack', trackId: 1 }), undefined, 'not this page\'s message');
  assert.deepEqual(parsePageMessage({ type: 'selectRun' }), { type: 'selectRun' }, 'no run id: the latest run');
  assert.deepEqual(parsePageMessage({ type: 'revealTrack', trackId: 0 }), { type: 'revealTrack', trackId: 0 });
});

test('the Season page: ready, cancel, and openEpisode with an ep_id that can name a folder; nothing else', () => {
  assert.deepEqual(parseSeasonPageMessage({ type: 'cancel', all: true }), { type: 'cancel' });
  assert.deepEqual(parseSeasonPageMessage({ type: 'openEpisode', epId: 'S01E02', outDir: '/etc' }), { type: 'openEpisode', epId: 'S01E02' });
  for (const epId of ['..', '.', '', 'a/b', 'x'.repeat(129), 3]) assert.equal(parseSeasonPageMessage({ type: 'openEpisode', epId }), undefined, String(epId));
  assert.equal(parseSeasonPageMessage({ type: 'openRun', runId: 'r1' }), undefined, 'not this page\'s message');
});

test('Identities page messages: ids are whole numbers, a merge names two, extra fields are dropped', () => {
  assert.deepEqual(parseIdentitiesPageMessage({ type: 'name', identityId: 2, name: 'Ana', path: '/etc' }), { type: 'name', identityId: 2, name: 'Ana' });
  assert.deepEqual(parseIdentitiesPageMessage({ type: 'merge', identityIds: [1, 3] }), { type: 'merge', identityIds: [1, 3] });
  assert.deepEqual(parseIdentitiesPageMessage({ type: 'split', identityId: 1, trackId: 7 }), { type: 'split', identityId: 1, trackId: 7 });
  for (const m of [
    { type: 'name', identityId: 0, name: 'A' }, { type: 'name', identityId: 1, name: 'x'.repeat(201) }, { type: 'name', identityId: 1.5, name: 'A' },
    { type: 'merge', identityIds: [1] }, { type: 'merge', identityIds: [1, 2, 3] }, { type: 'merge', identityIds: [1, '2'] },
    { type: 'split', identityId: 1, trackId: -1 }, { type: 'selectRun' },
  ]) assert.equal(parseIdentitiesPageMessage(m), undefined, JSON.stringify(m).slice(0, 80));
});
