// Run history (record, list, read, compare) and the sweep grid: the API the editor builds on.
import type { CutScores } from '../../server/engine/eval/scores';
import type { RunScores } from '../../server/engine/eval/scores';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../server/config/episode-config';
import {
  diffConfigs, diffMetrics, listRuns, newRunId, readRunConfig, recordRun, summarizeMetrics,
} from '../../server/engine/history';
import { withEpisodeLock } from '../../server/engine/manifests/episode-lock';
import { EpisodeLayout, ID_PATTERN } from '../../server/engine/manifests/layout';
import type { TrackMetrics } from '../../server/engine/manifests/track-metrics';
import { configAt, expandGrid, servingConfigs, sweepCsv } from '../../server/engine/sweep/grid';
import { whyNotServable } from '../../server/engine/analysis/subset-analysis';
import { planRun } from '../../server/engine/run-plan';
import { standaloneSeconds } from '../../server/engine/run-metrics';
import type { VideoInfo } from '../../server/engine/types';

const metrics = (runId: string, over: Record<string, unknown> = {}) => ({
  ep_id: 'e', run_id: runId, state: 'completed', started_at: '2025-01-01T00:00:00Z', tracks_written: 10, id_switches: 2, forced_splits: 1,
  scene_cuts: { count: 3 }, mean_track_length_s: 4.5, tracks_per_minute: 6, stats: { wall_time_s: 2, realtime_factor: 50, video_duration_s: 100 },
  cache: { analysis: 'reused', key: 'k' }, config: { tracker: { match_thresh: 0.8 } }, ...over,
}) as unknown as TrackMetrics;

describe('run summaries and diffs', () => {
  test('summarizeMetrics picks the compared numbers', () => {
    const s = summarizeMetrics(metrics('r1', { sweep: { id: 's', values: { 'tracker.match_thresh': 0.7 } } }));
    assert.deepEqual(s, {
      run_id: 'r1', ep_id: 'e', state: 'completed', started_at: '2025-01-01T00:00:00Z', wall_time_s: 2, realtime_factor: 50,
      video_duration_s: 100, tracks: 10, id_switches: 2, forced_splits: 1, cuts: 3, mean_track_length_s: 4.5, tracks_per_minute: 6,
      speed: 50, standalone_s: 2, speed_predicted: false, cache: { analysis: 'reused' }, sweep: { id: 's', values: { 'tracker.match_thresh': 0.7 } },
    });
    assert.equal(summarizeMetrics({}).tracks, 0);
  });

  test('diffConfigs lists changed leaves by dotted key', () => {
    const a = resolveConfig({ ep_id: 'e', video: 'v.mp4' });
    const b = configAt(a, { 'tracker.match_thresh': 0.6, 'detector.tiles': [3, 2] });
    assert.deepEqual(diffConfigs(a, b), [
      { key: 'detector.tiles', a: [1, 1], b: [3, 2] },
      { key: 'tracker.match_thresh', a: 0.8, b: 0.6 },
    ]);
    assert.deepEqual(diffConfigs(a, b, ['detector']), [{ key: 'tracker.match_thresh', a: 0.8, b: 0.6 }]);
    assert.deepEqual(diffConfigs({ x: 1 }, { y: 2 }), [{ key: 'x', a: 1, b: undefined }, { key: 'y', a: undefined, b: 2 }]);
    assert.equal(a.tracker.match_thresh, 0.8, 'configAt copies');
  });

  test('diffMetrics gives both values, the delta and the relative change', () => {
    const d = diffMetrics(summarizeMetrics(metrics('a')), summarizeMetrics(metrics('b', { tracks_written: 15, id_switches: 0 })));
    assert.deepEqual(d.find((x) => x.metric === 'tracks'), { metric: 'tracks', a: 10, b: 15, delta: 5, relative: 0.5 });
    assert.deepEqual(d.find((x) => x.metric === 'id_switches'), { metric: 'id_switches', a: 2, b: 0, delta: -2, relative: -1 });
    assert.equal(d.find((x) => x.metric === 'cuts')!.delta, 0);
  });
});

describe('run history on disk', () => {
  test('recordRun keeps the manifests under the run id and indexes the run; listRuns rebuilds a lost index', async () => {
    const ep = mkdtempSync(join(tmpdir(), 'hist-'));
    const layout = EpisodeLayout.of(ep);
    const man = join(ep, 'manifests');
    mkdirSync(man);
    await withEpisodeLock(layout, { purpose: 'test' }, async (lock) => {
      for (const id of ['r1', 'r2']) {
        // As the engine does: unlink (or rename over), never rewrite in place: the history holds hard links.
        for (const f of ['track_metrics.json', 'tracks.jsonl']) rmSync(join(man, f), { force: true });
        writeFileSync(join(man, 'track_metrics.json'), JSON.stringify(metrics(id, { tracks_written: id === 'r1' ? 1 : 2 })));
        writeFileSync(join(man, 'tracks.jsonl'), `{"track_id":${id === 'r1' ? 1 : 2}}\n`);
        writeFileSync(join(man, 'tracks.jsonl.partial'), '');
        await recordRun(lock, layout, id);
      }
    });
    assert.deepEqual((await listRuns(layout)).map((r) => [r.run_id, r.tracks]), [['r1', 1], ['r2', 2]]);
    assert.equal(readFileSync(join(ep, 'runs', 'r1', 'manifests', 'tracks.jsonl'), 'utf8'), '{"track_id":1}\n', 'r1 kept its own file');
    assert.throws(() => statSync(join(ep, 'runs', 'r1', 'manifests', 'tracks.jsonl.partial')));
    assert.deepEqual(await readRunConfig(layout, 'r2'), { tracker: { match_thresh: 0.8 } });
    writeFileSync(join(ep, 'runs.json'), '{"ep_id": "e", "ru');
    assert.deepEqual((await listRuns(layout)).map((r) => r.run_id), ['r1', 'r2']);
    assert.deepEqual(await listRuns(EpisodeLayout.of(join(ep, 'nowhere'))), []);
  });

  test('run ids sort by time and match the accepted pattern; dot names are refused', () => {
    const a = newRunId(new Date('2025-01-02T13:45:01Z'));
    assert.match(a, /^20250102-134501-[0-9a-f]{4}$/);
    assert.ok(newRunId(new Date('2025-01-02T13:45:02Z')) > a);
    const re = new RegExp(ID_PATTERN);
    assert.ok(re.test(a) && re.test('baseline_1.2'));
    for (const bad of ['..', '.', '.x', 'a/b', '']) assert.ok(!re.test(bad), bad);
  });
});

describe('sweep grid', () => {
  test('every combination, first key slowest', () => {
    assert.deepEqual(expandGrid({ a: [1, 2], b: ['x', 'y'] }), [{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }]);
    assert.deepEqual(expandGrid({}), []);
  });

  test('the sweep schema accepts every numeric key at any depth with its range, and nothing else', () => {
    const grid = { 'tracker.match_thresh': [0.6, 0.7], 'gate.emb_every': [1, 3], stride: [3, 6], 'scene.cooldown': [0, 24], 'detector.conf_threshold': [0.5], 'detector.verify.min_contrast': [4], 'scene.min_content': [10, 15] };
    assert.deepEqual(resolveConfig({ ep_id: 'e', video: 'v', sweep: grid }).sweep, grid);
    assert.throws(() => resolveConfig({ ep_id: 'e', video: 'v', sweep: { 'scene.window': [0] } }), /between 1 and 12/);
    assert.throws(() => resolveConfig({ ep_id: 'e', video: 'v', sweep: { 'scene.fade_reset': [true] } }), /Unknown key `scene.fade_reset`/);
    assert.throws(() => resolveConfig({ ep_id: 'e', video: 'v', sweep: { 'tracker.match_thresh': [1.5] } }), /between 0 and 1/);
    assert.throws(() => resolveConfig({ ep_id: 'e', video: 'v', sweep: { stride: [0] } }), /stride/);
    assert.throws(() => resolveConfig({ ep_id: 'e', video: 'v', sweep: { 'cache.max_entries': [1, 2] } }), /Unknown key `cache.max_entries`/);
    assert.throws(() => resolveConfig({ ep_id: 'e', video: 'v', sweep: { video: [1] } }), /Unknown key `video`/);
    assert.throws(() => resolveConfig({ ep_id: 'e', video: 'v', sweep: { 'gate.emb_every': [1.5] } }), /whole number/);
  });

  test('servingConfigs: stride and cooldown points share a pass at the strides\' divisor and cooldown 0', () => {
    const base = resolveConfig({ ep_id: 'e', video: 'v.mp4' });
    const points = expandGrid({ stride: [6, 9], 'scene.cooldown': [0, 24], 'tracker.match_thresh': [0.7] }).map((p) => configAt(base, p));
    const serving = servingConfigs([...points, configAt(base, { 'detector.conf_threshold': 0.4 })]);
    assert.deepEqual(serving.slice(0, 4).map((s) => [s?.stride, s?.scene.cooldown]), [[3, 0], [3, 0], [3, 0], [3, 0]]);
    assert.equal(serving[4], undefined, 'another detector threshold: a pass of its own');
    const sameCooldown = servingConfigs([configAt(base, { stride: 4, 'scene.cooldown': 48 }), configAt(base, { stride: 8, 'scene.cooldown': 48 })]);
    assert.deepEqual(sameCooldown.map((s) => [s?.stride, s?.scene.cooldown]), [[4, 48], [4, 48]]);
    const noCache = configAt(base, { 'cache.enabled': false });
    assert.deepEqual(servingConfigs([configAt(noCache, { stride: 3 }), configAt(noCache, { stride: 6 })]), [undefined, undefined]);
  });

  test('whyNotServable: only a pass whose frames and detections a point\'s own run would reproduce serves it', () => {
    const video = { path: 'v.mp4', width: 640, height: 360, fps: 24, constantRate: true, pixFmt: 'yuv420p' } as VideoInfo;
    const plan = (over: Record<string, unknown>) => planRun(configAt(resolveConfig({ ep_id: 'e', video: 'v.mp4' }), over), video);
    const serving = (over: Record<string, unknown> = {}) => plan({ stride: 3, 'scene.cooldown': 0, ...over });
    assert.equal(whyNotServable(serving(), plan({ stride: 12, 'scene.cooldown': 48 })), undefined);
    assert.equal(whyNotServable(serving(), plan({ stride: 4 })), 'stride 4 is not a multiple of 3');
    assert.equal(whyNotServable(serving({ 'scene.cooldown': 24 }), plan({ stride: 6, 'scene.cooldown': 48 })), 'the serving analysis suppresses cuts (cooldown 24)');
    assert.match(whyNotServable(serving({ 'detector.tiles': 'auto' }), plan({ stride: 6, 'detector.tiles': 'auto' }))!, /carries state across frames/);
    assert.match(whyNotServable(serving({ 'detector.tiles': [2, 2] }), plan({ stride: 6, 'detector.tiles': [2, 2] }))!, /carries state|tiles read full frames/);
    assert.equal(whyNotServable(serving({ sampling: 'refs' }), plan({ stride: 6, sampling: 'refs' })), 'sampling refs decodes only some frames');
    // Same stride and cooldown: the pass is the point's own analysis, whatever the detector.
    assert.equal(whyNotServable(serving({ 'detector.tiles': 'auto' }), plan({ stride: 3, 'scene.cooldown': 0, 'detector.tiles': 'auto' })), undefined);
  });

  test('standaloneSeconds: own wall less own setup and analysis, plus the pass\'s setup, decoding and per-frame detection', () => {
    const cost = { setup_s: 4, decode_s: 10, scenes_s: 2, detection_s: 30, frames_analysed: 300 };
    // A replay: 1 s wall, of which 0.2 s setup and 0.3 s reading; 100 frames analysed.
    assert.equal(standaloneSeconds(1, 0.2, { waiting_for_frames: 0.3, tracking: 0.4 }, 100, cost), 0.5 + 4 + 10 + 2 + 10);
    // The pass's own live run, serving a point with half its frames: its detection is replaced by the point's share.
    assert.equal(standaloneSeconds(50, 4, { waiting_for_frames: 10, scenes: 2, detection: 30, tracking: 1 }, 150, cost), 4 + 4 + 10 + 2 + 15);
  });

  test('CSV: run id, swept values, metrics; cells quoted when needed', () => {
    const r = summarizeMetrics(metrics('p1', { sweep: { id: 's', values: { 'tracker.match_thresh': 0.6 } } }));
    const csv = sweepCsv(['tracker.match_thresh'], [r, { ...r, run_id: 'a,b' }]).split('\n');
    assert.equal(csv[0], 'run_id,tracker.match_thresh,tracks,id_switches,forced_splits,cuts,mean_track_length_s,tracks_per_minute,wall_time_s,realtime_factor,speed,standalone_s,speed_source,analysis,HOTA,IDF1,MOTA,cut_precision,cut_recall');
    assert.equal(csv[1], 'p1,0.6,10,2,1,3,4.5,6,2,50,50,2,measured,reused,,,,,', 'a run without a ground truth or cut list has empty scores');
    assert.ok(csv[2].startsWith('"a,b",'));
    const scored = { ...r, scores: { HOTA: 0.71, IDF1: 0.9, MOTA: 0.85 } as unknown as RunScores };
    assert.equal(sweepCsv(['tracker.match_thresh'], [scored]).split('\n')[1], 'p1,0.6,10,2,1,3,4.5,6,2,50,50,2,measured,reused,0.71,0.9,0.85,,');
    const cutScored = summarizeMetrics(metrics('p1', { sweep: { id: 's', values: { 'scene.min_content': 15 } }, cut_scores: { precision: 1, recall: 0.75 } as CutScores }));
    assert.equal(sweepCsv(['scene.min_content'], [cutScored]).split('\n')[1], 'p1,15,10,2,1,3,4.5,6,2,50,50,2,measured,reused,,,,1,0.75');
  });
});
