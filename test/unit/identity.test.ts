// The pure parts of the identity stage: clustering with constraints, screen time, B-cubed,
// screen-time error, cast naming and the labels file.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { nameIdentities } from '../../server/engine/identity/cast';
import { clusterTracks, type ClusterItem } from '../../server/engine/identity/cluster';
import { bCubed, screenTimeErrors } from '../../server/engine/identity/evaluate';
import { readLabels } from '../../server/engine/identity/labels';
import { sceneOf, screenTime, screenTimeCsv, unionFrames } from '../../server/engine/identity/screen-time';

/** A unit vector in 3-D at `deg` degrees in the x–y plane: cosine distance between two is 1 − cos(Δ). */
const at = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0];
const item = (id: number, deg: number, span: [number, number]): ClusterItem => ({ id, embedding: at(deg), span });

describe('clusterTracks', () => {
  // Two people: A near 0°, B near 90° (distance ~1); their tracks do not overlap in time.
  const tracks = [item(1, 0, [0, 9]), item(2, 90, [10, 19]), item(3, 10, [20, 29]), item(4, 95, [30, 39]), item(5, 5, [40, 49])];

  test('average linkage groups by distance under the threshold', () => {
    assert.deepEqual(clusterTracks(tracks, { threshold: 0.3 }), [[1, 3, 5], [2, 4]]);
    assert.deepEqual(clusterTracks(tracks, { threshold: 0.001 }), [[1], [2], [3], [4], [5]]);
    // Everything allowed: one group.
    assert.deepEqual(clusterTracks(tracks, { threshold: 2 }), [[1, 2, 3, 4, 5]]);
  });

  test('two tracks on screen at the same moment never join, even when identical', () => {
    const same = [item(1, 0, [0, 10]), item(2, 0, [10, 20]), item(3, 0, [30, 40])];
    const groups = clusterTracks(same, { threshold: 0.5 });
    assert.equal(groups.length, 2);
    assert.ok(!groups.some((g) => g.includes(1) && g.includes(2)), JSON.stringify(groups));
  });

  test('average, not single, linkage: a group joins a track only when the mean distance is small', () => {
    // 1 and 2 at 0°, 3 at 60° (distance 0.5 from both), 4 at 120° (0.5 from 3, 1.5 from 1 and 2).
    const chain = [item(1, 0, [0, 1]), item(2, 0, [2, 3]), item(3, 60, [4, 5]), item(4, 120, [6, 7])];
    // {1,2} first (0); then 3–{1,2} and 3–4 tie at 0.5: the lower index pair wins → {1,2,3}; 4 to it: mean (1.5+1.5+0.5)/3 > 0.5.
    assert.deepEqual(clusterTracks(chain, { threshold: 0.5 }), [[1, 2, 3], [4]]);
  });

  test('user merges and splits: must-link wins, cannot-link keeps apart', () => {
    // {1,2} is forced; then 3 and 5 are far from its mean (~0.42), so they pair up, and 4 stays alone.
    assert.deepEqual(clusterTracks(tracks, { threshold: 0.3, mustLink: [[1, 2]] }), [[1, 2], [3, 5], [4]]);
    assert.deepEqual(clusterTracks(tracks, { threshold: 0.3, cannotLink: [[3, 5]] }), [[1, 5], [2, 4], [3]]);
    // Unknown ids are ignored.
    assert.deepEqual(clusterTracks(tracks, { threshold: 0.3, mustLink: [[1, 99]], cannotLink: [[98, 3]] }), [[1, 3, 5], [2, 4]]);
  });
});

describe('screen time', () => {
  test('union of spans, inclusive frames; overlaps count once', () => {
    assert.equal(unionFrames([{ first_frame_idx: 0, last_frame_idx: 9 }, { first_frame_idx: 5, last_frame_idx: 14 }, { first_frame_idx: 20, last_frame_idx: 20 }]), 16);
    assert.equal(unionFrames([]), 0);
  });

  test('scenes from cuts', () => {
    assert.deepEqual([0, 47, 48, 99, 100, 500].map((f) => sceneOf(f, [48, 100])), [0, 0, 1, 1, 2, 2]);
  });

  test('rows: seconds, share, appearances, first and last seen; longest first; CSV', () => {
    const rows = screenTime([
      { identity_id: 1, name: 'Ana', tracks: [{ first_frame_idx: 0, last_frame_idx: 23 }, { first_frame_idx: 110, last_frame_idx: 133 }], faces_count: 7 },
      { identity_id: 2, name: 'unknown-2', tracks: [{ first_frame_idx: 50, last_frame_idx: 121 }], faces_count: 3 },
    ], 24, 240, [48, 100]);
    assert.deepEqual(rows, [
      { identity_id: 2, name: 'unknown-2', visual_s: 3, share: 0.3, appearances: [1, 2], first_seen_s: 2.083, last_seen_s: 5.083, tracks_count: 1, faces_count: 3 },
      { identity_id: 1, name: 'Ana', visual_s: 2, share: 0.2, appearances: [0, 2], first_seen_s: 0, last_seen_s: 5.583, tracks_count: 2, faces_count: 7 },
    ]);
    assert.equal(screenTimeCsv(rows),
      'identity_id,name,visual_s,share,appearances,first_seen_s,last_seen_s,tracks_count,faces_count\n' +
      '2,unknown-2,3,0.3,2,2.083,5.083,1,3\n1,Ana,2,0.2,2,0,5.583,2,7\n');
  });
});

describe('evaluation', () => {
  test('B-cubed: perfect, merged, split, and an unassigned item', () => {
    const truth = new Map([[1, 'a'], [2, 'a'], [3, 'b'], [4, 'b']]);
    assert.deepEqual(bCubed(new Map([[1, 1], [2, 1], [3, 2], [4, 2]]), truth), { precision: 1, recall: 1, f1: 1, items: 4 });
    // All in one cluster: precision 0.5, recall 1.
    assert.deepEqual(bCubed(new Map([[1, 1], [2, 1], [3, 1], [4, 1]]), truth), { precision: 0.5, recall: 1, f1: 0.6667, items: 4 });
    // Track 4 unassigned: its own cluster; 3 alone too. Recall of a and b items: 1,1,0.5,0.5.
    assert.deepEqual(bCubed(new Map([[1, 1], [2, 1], [3, 2]]), truth), { precision: 1, recall: 0.75, f1: 0.8571, items: 4 });
  });

  test('screen-time error per person, through the identity most of their tracks joined', () => {
    const errors = screenTimeErrors(
      new Map([['a', 10], ['b', 4]]),
      new Map([[1, 'a'], [2, 'a'], [3, 'b']]),
      new Map([[1, 7], [2, 7]]),
      new Map([[7, 10.5]]),
    );
    assert.deepEqual(errors, [
      { person: 'a', truth_s: 10, identity_id: 7, predicted_s: 10.5, error_s: 0.5, error_pct: 5 },
      { person: 'b', truth_s: 4, predicted_s: 0, error_s: -4, error_pct: -100 },
    ]);
  });
});

describe('cast naming and labels', () => {
  test('best pairs first, each member once, at or above the threshold', () => {
    const members = [{ name: 'Ana', embedding: Float32Array.from(at(0)), photos: 1 }, { name: 'Ben', embedding: Float32Array.from(at(90)), photos: 1 }];
    const named = nameIdentities([{ id: 1, embedding: at(20) }, { id: 2, embedding: at(5) }, { id: 3, embedding: at(85) }, { id: 4, embedding: at(180) }], members, 0.5);
    assert.deepEqual([...named].sort(), [[2, 'Ana'], [3, 'Ben']]);
  });

  test('labels: absent is empty; damage warns and is ignored', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'labels-'));
    assert.deepEqual(await readLabels(join(dir, 'none.json')), { version: 1, must_link: [], cannot_link: [], warnings: [] });
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    assert.match((await readLabels(join(dir, 'bad.json'))).warnings[0], /is not JSON/);
    writeFileSync(join(dir, 'mixed.json'), JSON.stringify({ must_link: [[1, 2], [3], 'x'], cannot_link: [[4, 5]] }));
    const l = await readLabels(join(dir, 'mixed.json'));
    assert.deepEqual([l.must_link, l.cannot_link], [[[1, 2]], [[4, 5]]]);
    assert.match(l.warnings[0], /2 must_link entries are not pairs/);
  });
});

describe('evaluation.people', () => {
  test('JSON or CSV, ground-truth id to name; a bad line is a clear error', async () => {
    const { readPeople } = await import('../../server/engine/identity/evaluate-identities.js');
    const dir = mkdtempSync(join(tmpdir(), 'people-'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify({ 1: 'Ana', 7: ' Ben ' }));
    assert.deepEqual([...(await readPeople(join(dir, 'p.json')))], [[1, 'Ana'], [7, 'Ben']]);
    writeFileSync(join(dir, 'p.csv'), 'gt_id,person\n1,Ana\n\n7,Ben, Jr.\n');
    assert.deepEqual([...(await readPeople(join(dir, 'p.csv')))], [[1, 'Ana'], [7, 'Ben, Jr.']]);
    writeFileSync(join(dir, 'bad.csv'), '1,Ana\nx,Ben\n');
    await assert.rejects(readPeople(join(dir, 'bad.csv')), /bad\.csv: line 2 is not a ground-truth id and a name/);
    await assert.rejects(readPeople(join(dir, 'none.csv')), /evaluation\.people .*none\.csv is unreadable/);
  });
});
