// Season files: the list and glob forms, the base config (inline or a file), per-episode
// overrides, and every bad form with its one line at the right place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskFacts, loadSeason, renderTemplate, type Season } from '../../server/season/season-file';

const dir = mkdtempSync(join(tmpdir(), 'season-file-'));
mkdirSync(join(dir, 'videos', 'extra'), { recursive: true });
for (const name of ['Show.S01E01.mp4', 'Show.S01E02.mp4', 'Show.S01E10.mp4', 'extra/trailer.mp4']) writeFileSync(join(dir, 'videos', name), 'x');

const load = (text: string, name = 'S01.season.yaml'): Season => loadSeason(text, join(dir, name), diskFacts);
const fails = (text: string, pattern: RegExp) => assert.throws(() => load(text), (e: Error) => {
  assert.match(e.message, pattern);
  assert.equal(e.message.split('\n').length, 1, 'one line');
  return true;
});

test('the list form: each episode inherits the base and its own overrides win, deep', () => {
  const s = load([
    'base:',
    '  stride: 3',
    '  tracker: { match_thresh: 0.7, max_gap: 30 }',
    'episodes:',
    '  - ep_id: E1',
    '    video: videos/Show.S01E01.mp4',
    '  - ep_id: E2',
    '    video: videos/Show.S01E02.mp4',
    '    overrides:',
    '      tracker: { max_gap: 90 }',
    '      output_root: elsewhere',
    'jobs: 2',
  ].join('\n'));
  assert.equal(s.name, 'S01');
  assert.equal(s.jobs, 2);
  assert.equal(s.queue, undefined);
  assert.deepEqual(s.retries, { attempts: 3, backoff: 'exponential', delay_s: 30 });
  assert.deepEqual(s.episodes.map((e) => e.ep_id), ['E1', 'E2']);
  const [e1, e2] = s.episodes.map((e) => e.config);
  assert.equal(e1.video, join(dir, 'videos', 'Show.S01E01.mp4'));
  assert.equal(e1.stride, 3);
  assert.deepEqual([e1.tracker.match_thresh, e1.tracker.max_gap], [0.7, 30]);
  assert.deepEqual([e2.tracker.match_thresh, e2.tracker.max_gap], [0.7, 90]);
  assert.equal(e1.output_root, join(dir, 'data', 'episodes'), 'the default output_root resolves from the season file');
  assert.equal(e2.output_root, join(dir, 'elsewhere'));
  assert.equal(s.summaryDir, join(dir, 'data', 'episodes', 'seasons', 'S01'));
});

test('the glob form: files in path order, ep_ids from the template and match groups, overrides by ep_id', () => {
  const s = load([
    'season: show-s1',
    'episodes:',
    '  glob: videos/*.mp4',
    "  match: '(S\\d+)(E\\d+)'",
    '  ep_id: "{1}{2}-{index:2}"',
    '  overrides:',
    '    S01E10-03: { stride: 1 }',
    'queue: redis://127.0.0.1:6399',
    'retries: { attempts: 2, backoff: fixed, delay_s: 1 }',
    'summary_dir: out/summary',
  ].join('\n'));
  assert.deepEqual(s.episodes.map((e) => e.ep_id), ['S01E01-01', 'S01E02-02', 'S01E10-03']);
  assert.deepEqual(s.episodes.map((e) => e.config.stride), [6, 6, 1]);
  assert.equal(s.queue, 'redis://127.0.0.1:6399');
  assert.deepEqual(s.retries, { attempts: 2, backoff: 'fixed', delay_s: 1 });
  assert.equal(s.summaryDir, join(dir, 'out', 'summary'));
  assert.equal(s.name, 'show-s1');
  // {stem} by default; ** reaches into folders.
  const all = load('episodes:\n  glob: "videos/**/*.mp4"\n');
  assert.deepEqual(all.episodes.map((e) => e.ep_id), ['Show.S01E01', 'Show.S01E02', 'Show.S01E10', 'trailer']);
});

test('base as a path: its settings, not its ep_id or video; its relative paths resolve from its own folder', () => {
  mkdirSync(join(dir, 'configs'), { recursive: true });
  writeFileSync(join(dir, 'configs', 'tuned.episode.yaml'), 'ep_id: S01E01\nvideo: nowhere.mp4\nstride: 4\noutput_root: ../runs\nsweep: { tracker.max_gap: [10, 20] }\n');
  const s = load('base: configs/tuned.episode.yaml\nepisodes:\n  - { ep_id: A, video: videos/Show.S01E01.mp4 }\n');
  const cfg = s.episodes[0].config;
  assert.deepEqual([cfg.ep_id, cfg.stride, cfg.output_root, cfg.sweep], ['A', 4, join(dir, 'runs'), {}]);
});

test('bad season files: one line naming the file, line and column', () => {
  fails([
    'episodes:',
    '  - ep_id: E1',
    '    video: videos/Show.S01E01.mp4',
    '  - ep_id: E2',
    '    video: videos/Show.S01E02.mp4',
    '  - ep_id: E1',
    '    video: videos/Show.S01E10.mp4',
  ].join('\n'), /^S01\.season\.yaml:6:12: Duplicate ep_id `E1`: episode 1 \(line 2\) has it too\./);
  fails('episodes:\n  - ep_id: E1\n    video: videos/missing.mp4\n', /^S01\.season\.yaml:3:12: Video file not found: .*videos\/missing\.mp4\. Fix `video`/);
  fails('episodes:\n  glob: "videos/*.mkv"\n', /^S01\.season\.yaml:2:9: `videos\/\*\.mkv` finds no file under /);
  fails('episodes:\n  glob: "videos/*.mp4"\n  ep_id: "S01"\n', /^S01\.season\.yaml:3:10: The ep_id template gives `S01` for both Show\.S01E01\.mp4 and Show\.S01E02\.mp4/);
  fails('episodes:\n  glob: "videos/*.mp4"\n  ep_id: "{name}"\n', /:3:10: Unknown placeholder \{name\} in the ep_id template/);
  fails("episodes:\n  glob: \"videos/**/*.mp4\"\n  match: 'S\\d+E\\d+'\n", /:3:10: trailer\.mp4 does not match/);
  fails('base: nope.episode.yaml\nepisodes: [{ ep_id: a, video: videos/Show.S01E01.mp4 }]\n', /^S01\.season\.yaml:1:7: Base config not found: .*nope\.episode\.yaml/);
  fails('jobs: 0\nepisodes: [{ ep_id: a, video: videos/Show.S01E01.mp4 }]\n', /^S01\.season\.yaml:1:7: `jobs` is 0; it must be between 1 and 64\.$/);
  fails('queue: localhost:6379\nepisodes: [{ ep_id: a, video: videos/Show.S01E01.mp4 }]\n', /:1:8: `queue` "localhost:6379" is not allowed\. It must be a Redis URL such as redis:\/\/127\.0\.0\.1:6379/);
  fails('episodes: videos\n', /:1:11: `episodes` must be a list or a mapping, not string "videos"\./);
  fails('episodes:\n  - ep_id: a\n    video: videos/Show.S01E01.mp4\n    overrides: { stride: 0 }\n', /:4:26: `episodes\[0\]\.overrides\.stride` is 0/);
  fails('episodes:\n  - ep_id: a b\n    video: v.mp4\n  - ep_id: c\n', /:2:12: `episodes\[0\]\.ep_id` "a b" is not allowed\. .* \(and 1 more problem\)$/);
});

test('ep_id templates', () => {
  const v = { stem: 'Show.S01E02', dir: 'videos', index: 7, groups: ['S01', 'E02'] };
  assert.equal(renderTemplate('{stem}', v), 'Show.S01E02');
  assert.equal(renderTemplate('{dir}-{index:3}', v), 'videos-007');
  assert.equal(renderTemplate('{1}{2}', v), 'S01E02');
  assert.deepEqual(renderTemplate('{3}', v), { problem: 'Unknown placeholder {3}' });
});
