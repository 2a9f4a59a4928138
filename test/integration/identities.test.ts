// Identities end to end on a generated episode whose six people come back over twelve shots
// (preset recurring-cast): real ffmpeg, real ONNX models, the real CLI. Scored against the
// generator's own truth: which person each ground-truth track is, and when they are on screen.
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { resolveFfmpeg } from '../../server/engine/decode/ffmpeg-path';
import { bCubed, screenTimeErrors } from '../../server/engine/identity/evaluate';
import { generateEpisode, type GeneratedEpisode } from '../fixtures/episode-generator';
import { iou } from '../fixtures/fixture-detector';
import { loadFaceLibrary } from '../fixtures/face-library';
import { readMotFile, type MotRow } from '../fixtures/mot-format';
import { sixPeople } from '../fixtures/presets';
import { readJsonl, readManifest, runCli } from '../helpers/run-cli';

const FPS = 24;
const CAST = ['Ana', 'Ben', 'Cleo'];
/** Which of the six people the cast holds (indices into sixPeople). */
const CAST_PEOPLE = [0, 3, 5];

describe('identities on recurring-cast (6 people, 12 shots)', () => {
  let ep: GeneratedEpisode;
  let root: string;
  let out: string;
  let spyLog: string;
  let args: string[];
  let people: number[];
  let gt: MotRow[];
  let gtIdentity: Map<number, number>;
  let stderr: string;

  before(async () => {
    ep = await generateEpisode({ width: 640, height: 360, fps: FPS, seed: 7, preset: 'recurring-cast' });
    const lib = await loadFaceLibrary();
    people = sixPeople(lib);
    root = mkdtempSync(join(tmpdir(), 'ep-identities-'));
    // The cast: one reference photo each for three people, and the bad input a user may leave.
    const cast = join(root, 'cast');
    CAST.forEach((name, i) => {
      mkdirSync(join(cast, name), { recursive: true });
      copyFileSync(join(lib.dir, lib.faces[people[CAST_PEOPLE[i]]].file), join(cast, name, 'ref.png'));
    });
    writeFileSync(join(cast, 'Ben', 'broken.jpg'), 'not a jpeg');
    mkdirSync(join(cast, 'Nobody'));
    mkdirSync(join(cast, 'Plate'));
    copyFileSync(join(lib.dir, lib.plates[0].file), join(cast, 'Plate', 'no-face.jpg'));
    // ffmpeg behind a wrapper that logs every start, so the re-cluster can be shown to start none.
    spyLog = join(root, 'ffmpeg-starts.log');
    const spy = join(root, 'ffmpeg');
    writeFileSync(spy, `#!/bin/sh\necho "$*" >> '${spyLog}'\nexec '${resolveFfmpeg(undefined).path}' "$@"\n`);
    chmodSync(spy, 0o755);
    appendFileSync(spyLog, '');
    // The ground truth with its people: each ground-truth track's library face, as a name.
    const meta = JSON.parse(readFileSync(ep.metaPath, 'utf8'));
    const peopleFile = join(root, 'people.json');
    writeFileSync(peopleFile, JSON.stringify(Object.fromEntries(meta.tracks.map((t: { id: number; identity: number }) => [t.id, `face-${t.identity}`]))));
    args = ['--ep-id', 'e', '--video', ep.video, '--output-root', root, '--identities', '--stride', '2', '--quiet',
      '--set', `ffmpeg.path=${spy}`, '--set', `identity.cast_dir=${cast}`, '--set', `identity.labels=${join(root, 'labels.json')}`,
      '--set', `evaluation.ground_truth=${ep.gtPath}`, '--set', `evaluation.people=${peopleFile}`];
    const r = await runCli(args);
    assert.equal(r.code, 0, r.stderr);
    stderr = r.stderr;
    out = join(root, 'e');
    gt = (await readMotFile(ep.gtPath)).filter((row) => row.conf !== 0);
    gtIdentity = new Map(meta.tracks.map((t: { id: number; identity: number }) => [t.id, t.identity]));
  });

  /** Run track → the library identity of the ground-truth track most of its boxes overlap. */
  function trackPeople(): Map<number, number> {
    const byFrame = new Map<number, MotRow[]>();
    for (const row of gt) byFrame.set(row.frame, [...(byFrame.get(row.frame) ?? []), row]);
    const votes = new Map<number, Map<number, number>>();
    for (const d of readJsonl(out, 'detections.jsonl')) {
      const hit = (byFrame.get(d.frame_idx) ?? []).find((g) => iou(g.bbox, d.bbox_xyxy) >= 0.5);
      if (!hit) continue;
      const v = votes.get(d.track_id) ?? new Map<number, number>();
      v.set(gtIdentity.get(hit.id)!, (v.get(gtIdentity.get(hit.id)!) ?? 0) + 1);
      votes.set(d.track_id, v);
    }
    return new Map([...votes].map(([t, v]) => [t, [...v].sort((a, b) => b[1] - a[1])[0][0]]));
  }

  test('tracks cluster into the six people: B-cubed F1 ≥ 0.9; every track row carries its identity_id', () => {
    const tracks = readJsonl(out, 'tracks.jsonl');
    assert.ok(tracks.length >= 12, `${tracks.length} tracks`);
    const doc = readManifest(out, 'identities.json');
    const identityOf = new Map<number, number>();
    for (const id of doc.identities) for (const t of id.track_ids) identityOf.set(t, id.identity_id);
    for (const t of tracks) assert.equal(t.identity_id, identityOf.get(t.track_id) ?? null, `track ${t.track_id}`);
    for (const id of doc.identities) {
      assert.ok(id.faces.length >= Math.min(3, id.track_ids.length) && id.faces.length <= 5, `identity ${id.identity_id}: ${id.faces.length} faces`);
      assert.equal(id.prototype.length, 512);
    }
    const score = bCubed(identityOf, trackPeople());
    assert.ok(score.f1 >= 0.9, `B-cubed ${JSON.stringify(score)}`);
    assert.equal(doc.identities.length, 6, `identities: ${doc.identities.map((i: any) => i.track_ids.join('+')).join(' | ')}`);
  });

  test('every person\'s screen time is within 5% of the truth', () => {
    const truthFrames = new Map<number, Set<number>>();
    for (const row of gt) {
      const who = gtIdentity.get(row.id)!;
      truthFrames.set(who, (truthFrames.get(who) ?? new Set()).add(row.frame));
    }
    const truth = new Map([...truthFrames].map(([who, f]) => [who, f.size / FPS]));
    const st = readManifest(out, 'screentime.json');
    const seconds = new Map<number, number>(st.metrics.map((m: any) => [m.identity_id, m.visual_s]));
    const doc = readManifest(out, 'identities.json');
    const identityOf = new Map<number, number>();
    for (const id of doc.identities) for (const t of id.track_ids) identityOf.set(t, id.identity_id);
    const errors = screenTimeErrors(truth, trackPeople(), identityOf, seconds);
    assert.equal(errors.length, 6);
    for (const e of errors) assert.ok(Math.abs(e.error_pct) <= 5, `person ${e.person}: ${JSON.stringify(e)}`);
    // The CSV holds the same rows, longest first.
    const csv = readFileSync(join(out, 'manifests', 'screentime.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'identity_id,name,visual_s,share,appearances,first_seen_s,last_seen_s,tracks_count,faces_count');
    assert.equal(csv.length, 7);
    for (const m of st.metrics) assert.ok(m.appearances.length >= 2, `identity ${m.identity_id} in ${m.appearances.length} scenes`);
  });

  test('the run scores its identities against the ground truth\'s people (evaluation.people): identity_eval.json', () => {
    const ev = readManifest(out, 'identity_eval.json');
    assert.equal(ev.tracks_scored, readJsonl(out, 'tracks.jsonl').length);
    assert.ok(ev.bcubed.f1 >= 0.9, JSON.stringify(ev.bcubed));
    assert.equal(ev.screen_time.length, 6);
    for (const e of ev.screen_time) assert.ok(Math.abs(e.error_pct) <= 5, JSON.stringify(e));
    const headline = readManifest(out, 'track_metrics.json').identities.evaluation;
    const worst = Math.max(...ev.screen_time.map((e: any) => Math.abs(e.error_pct)));
    assert.deepEqual(headline, { precision: ev.bcubed.precision, recall: ev.bcubed.recall, f1: ev.bcubed.f1, screen_time_max_error_pct: worst });
  });

  test('a cast of three names those three; the rest stay unknown-N; bad cast input warns and the run goes on', () => {
    const tp = trackPeople();
    const doc = readManifest(out, 'identities.json');
    for (const id of doc.identities) {
      const who = tp.get(id.track_ids[0])!;
      const castIdx = CAST_PEOPLE.findIndex((p) => people[p] === who);
      if (castIdx >= 0) assert.equal(id.name, CAST[castIdx], `identity ${id.identity_id} (library face ${who})`);
      else assert.match(id.name, /^unknown-\d+$/, `identity ${id.identity_id} (library face ${who})`);
    }
    assert.equal(doc.identities.filter((i: any) => i.named).length, 3);
    const warnings = readManifest(out, 'track_metrics.json').identities.warnings.join('\n');
    assert.match(warnings, /cast photo .*Ben\/broken\.jpg is unreadable/);
    assert.match(warnings, /cast member "Nobody" has no photo/);
    assert.match(warnings, /cast photo .*Plate\/no-face\.jpg: no face found/);
    assert.equal(stderr, '', 'quiet run');
  });

  test('re-clustering after a threshold change replays the manifests: no ffmpeg starts, no cast photo embedded again', async () => {
    const starts = readFileSync(spyLog, 'utf8').split('\n').filter(Boolean).length;
    assert.ok(starts >= 1, 'the full run started ffmpeg through the wrapper');
    const r = await runCli([...args, '--recluster', '--set', 'identity.threshold=2']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(spyLog, 'utf8').split('\n').filter(Boolean).length, starts, 'no ffmpeg started by --recluster');
    const m = readManifest(out, 'track_metrics.json');
    assert.equal(m.config.identity.threshold, 2);
    assert.equal(m.identities.cast_photos_embedded, 0, 'cast photos come from the cache');
    // With any distance allowed, only tracks on screen together stay apart: the two-person shots.
    assert.ok(m.identities.identities >= 2 && m.identities.identities < 6, `${m.identities.identities} identities`);
    const doc = readManifest(out, 'identities.json');
    for (const a of doc.identities) {
      for (const b of doc.identities) if (a !== b) assert.ok(!a.track_ids.some((t: number) => b.track_ids.includes(t)));
    }
    // A change beyond identity.* is refused with a clear line.
    const bad = await runCli([...args, '--recluster', '--set', 'tracker.match_thresh=0.5']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /changed beyond identity\.\* .*\(tracker\)/);
  });
});
