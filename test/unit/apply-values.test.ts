// Apply's text edits: a sweep point's values written into a config's YAML so that everything
// else in the file (comments, blank lines, key order, flow style, indentation) stays as it was.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { applyEdits, applyValuesEdits } from '../../server/config/apply-values';

const apply = (text: string, values: Record<string, unknown>) => applyEdits(text, applyValuesEdits(text, values));

const CONFIG = `# Tears of Steel, tuning
ep_id: tos   # the id
video: tos.mp4

stride: 6 # every 6th frame
scene:
    cooldown: 24   # F1
    threshold: 0.4
tracker: {match_thresh: 0.7}

# the grid
sweep:
    stride: [3, 6]
    scene.cooldown: [0, 24]
`;

describe('Apply: values into the config text', () => {
  test('existing values: only their ranges change, comments and layout stay', () => {
    const out = apply(CONFIG, { stride: 3, 'scene.cooldown': 0, 'tracker.match_thresh': 0.8 });
    assert.equal(out, CONFIG.replace('stride: 6 #', 'stride: 3 #').replace('cooldown: 24 ', 'cooldown: 0 ').replace('{match_thresh: 0.7}', '{match_thresh: 0.8}'));
    assert.deepEqual(applyValuesEdits(CONFIG, { stride: 3 }), [{ offset: CONFIG.indexOf('6 # every'), length: 1, text: '3' }]);
  });

  test('missing keys go into their block in its indentation, missing parents with the file\'s step, top-level ones above sweep: and its comment', () => {
    const out = apply(CONFIG, { 'scene.min_len': 12, 'detector.conf_threshold': 0.5, 'detector.verify.min_contrast': 4, 'tracker.track_buffer': 60, fps: 4 });
    assert.equal(out, `# Tears of Steel, tuning
ep_id: tos   # the id
video: tos.mp4

stride: 6 # every 6th frame
scene:
    cooldown: 24   # F1
    threshold: 0.4
    min_len: 12
tracker: {match_thresh: 0.7, track_buffer: 60}

detector:
    conf_threshold: 0.5
    verify:
        min_contrast: 4
fps: 4
# the grid
sweep:
    stride: [3, 6]
    scene.cooldown: [0, 24]
`);
    const js = parse(out);
    assert.equal(js.detector.verify.min_contrast, 4);
    assert.equal(js.tracker.track_buffer, 60);
  });

  test('a file without a newline at its end and without nested blocks: two-space step', () => {
    assert.equal(apply('ep_id: a\nvideo: v.mp4', { 'scene.cooldown': 48 }), 'ep_id: a\nvideo: v.mp4\nscene:\n  cooldown: 48\n');
  });

  test('a key whose parent is a value, a list target, or a broken file: a clear error, no edit', () => {
    assert.throws(() => applyValuesEdits('scene: off\n', { 'scene.cooldown': 1 }), /scene: not a mapping in the config, so scene.cooldown cannot be set/);
    assert.throws(() => applyValuesEdits('detector:\n  tiles: [2, 2]\n', { 'detector.tiles': 1 }), /detector.tiles: the config holds a list or mapping there/);
    assert.throws(() => applyValuesEdits('a: [1\n', { b: 1 }), /the config does not parse/);
  });
});
