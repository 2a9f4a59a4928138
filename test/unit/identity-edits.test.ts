// The Identities view's edits on real files: Name copies crops into the cast folder, Merge and
// Split write the labels file, and the next clustering follows them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { castNameProblem, mergeIdentities, nameIdentity, splitTrack } from '../../server/engine/identity/edits';
import type { IdentitiesFile } from '../../server/engine/identity/identity-stage';
import { clusterTracks } from '../../server/engine/identity/cluster';
import { readLabels } from '../../server/engine/identity/labels';

function setUp(): { dir: string; doc: IdentitiesFile } {
  const dir = mkdtempSync(join(tmpdir(), 'identity-edits-'));
  mkdirSync(join(dir, 'crops'));
  const crop = (name: string) => {
    writeFileSync(join(dir, 'crops', name), `jpeg ${name}`);
    return join(dir, 'crops', name);
  };
  const face = (track: number, frame: number, withCrop = true) => ({ track_id: track, frame_idx: frame, ts: frame / 24, bbox_xyxy: [0, 0, 10, 10] as [number, number, number, number], score: 0.9, ...(withCrop ? { crop: crop(`t${track}-${frame}.jpg`) } : {}) });
  const doc: IdentitiesFile = {
    ep_id: 'e', model: 'm', threshold: 0.5, unassigned_track_ids: [],
    identities: [
      { identity_id: 1, name: 'unknown-1', named: false, track_ids: [1, 3, 5], prototype: [], faces: [face(1, 10), face(3, 40), face(5, 90, false)] },
      { identity_id: 2, name: 'unknown-2', named: false, track_ids: [2], prototype: [], faces: [face(2, 20, false)] },
    ],
  };
  return { dir, doc };
}

test('Name copies the identity\'s exported crops into cast_dir/<name>/', async () => {
  const { dir, doc } = setUp();
  assert.equal(await nameIdentity(doc, 1, ' Ana ', join(dir, 'cast')), 2);
  const saved = readdirSync(join(dir, 'cast', 'Ana')).sort();
  assert.deepEqual(saved, ['e-t1-t1-10.jpg', 'e-t3-t3-40.jpg']);
  assert.equal(readFileSync(join(dir, 'cast', 'Ana', saved[0]), 'utf8'), 'jpeg t1-10.jpg');
  await assert.rejects(nameIdentity(doc, 2, 'Ben', join(dir, 'cast')), /no exported crops/);
  await assert.rejects(nameIdentity(doc, 9, 'Ben', join(dir, 'cast')), /identity 9 is not in this run/);
  for (const bad of ['', '../up', 'a/b', '.hidden']) await assert.rejects(nameIdentity(doc, 1, bad, join(dir, 'cast')), /name/);
  assert.equal(castNameProblem('Ana Lopez'), undefined);
  assert.ok(!existsSync(join(dir, 'up')));
});

test('Merge adds a must-link, Split cannot-links the track to the rest; clustering follows the file', async () => {
  const { dir, doc } = setUp();
  const labels = join(dir, 'identity-labels.json');
  await mergeIdentities(labels, doc, 1, 2);
  assert.deepEqual(JSON.parse(readFileSync(labels, 'utf8')), { version: 1, must_link: [[1, 2]], cannot_link: [] });
  await splitTrack(labels, doc, 1, 3);
  const l = await readLabels(labels);
  assert.deepEqual([l.must_link, l.cannot_link], [[[1, 2]], [[3, 1], [3, 5]]]);
  await assert.rejects(splitTrack(labels, doc, 2, 2), /only track 2/);
  await assert.rejects(mergeIdentities(labels, doc, 1, 1), /two different/);
  // Tracks 1, 3, 5 look alike, 2 does not; none overlap. The labels join 2 in and keep 3 apart.
  const at = (id: number, deg: number) => ({ id, embedding: [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)], span: [id * 10, id * 10 + 5] as [number, number] });
  const groups = clusterTracks([at(1, 0), at(2, 90), at(3, 2), at(5, 1)], { threshold: 0.6, mustLink: l.must_link, cannotLink: l.cannot_link });
  assert.deepEqual(groups, [[1, 2, 5], [3]]);
});
