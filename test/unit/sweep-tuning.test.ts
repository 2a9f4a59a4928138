// Tuning a sweep: metric directions, the Pareto front on two axes, the best point, and the
// CLI's objective check. Real summaries' shapes; numbers chosen so each rule decides a case.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bestPoint, checkObjective, defaultAxes, directionOf, metricNames, paretoFront, pointValues, tune } from '../../server/engine/sweep/pareto';
import type { RunSummary } from '../../server/engine/history/run-summary';

const run = (id: string, values: Record<string, unknown>, over: Partial<RunSummary> & Record<string, unknown>): RunSummary => ({
  run_id: id, ep_id: 'e', state: 'completed', wall_time_s: 1, realtime_factor: 100, video_duration_s: 100, tracks: 10, id_switches: 0,
  forced_splits: 0, cuts: 3, mean_track_length_s: 4, tracks_per_minute: 6, cache: { analysis: 'reused' }, sweep: { id: 's', values }, ...over,
});

describe('sweep tuning', () => {
  test('directions: speed and scores up, errors and seconds down, counts have none', () => {
    assert.deepEqual(['speed', 'HOTA', 'idf1', 'scores.MOTA', 'FP', 'idsw', 'standalone_s', 'tracks', 'stride'].map(directionOf),
      ['max', 'max', 'max', 'max', 'min', 'min', 'min', undefined, undefined]);
  });

  test('pointValues: top-level numbers, nested scores by their own names, standalone speed, swept values', () => {
    const v = pointValues(run('a', { stride: 6 }, { speed: 12.5, standalone_s: 8, speed_predicted: true, scores: { HOTA: 0.61, FP: 40 } } as never));
    assert.equal(v.speed, 12.5);
    assert.equal(v.HOTA, 0.61);
    assert.equal(v.FP, 40);
    assert.equal(v.stride, 6);
    assert.equal(v.tracks, 10);
    assert.ok(!('speed_predicted' in v) && !('run_id' in v));
    // A summary from before standalone speeds: its own run was standalone.
    assert.equal(pointValues(run('b', {}, {})).speed, 100);
    assert.deepEqual(defaultAxes(metricNames([v])), { x: 'speed', y: 'HOTA' });
    assert.deepEqual(defaultAxes(metricNames([pointValues(run('b', {}, {}))])), { x: 'speed', y: 'tracks_per_minute' });
  });

  test('the front keeps the points nothing beats on both axes, with each axis\' direction', () => {
    const pts = [
      { speed: 10, HOTA: 0.5, FP: 30 }, // front on HOTA: the fastest
      { speed: 5, HOTA: 0.7, FP: 10 }, // front: the best HOTA
      { speed: 4, HOTA: 0.6, FP: 5 }, // dominated on HOTA by #1; on FP (lower better) it is the best
      { speed: 8, HOTA: 0.6, FP: 20 }, // front on HOTA between them
      { speed: 8, HOTA: 0.55, FP: 25 }, // dominated by #3 on both
    ];
    assert.deepEqual(paretoFront(pts, ['speed', 'HOTA']), [1, 3, 0]);
    assert.deepEqual(paretoFront(pts, ['speed', 'FP']), [2, 1, 3, 0]);
    assert.equal(bestPoint(pts, 'HOTA'), 1);
    assert.equal(bestPoint(pts, 'FP'), 2);
    // A tie on the objective goes to the faster point.
    assert.equal(bestPoint([{ speed: 3, HOTA: 0.7 }, { speed: 9, HOTA: 0.7 }], 'HOTA'), 1);
    assert.throws(() => bestPoint(pts, 'IDF1'), /objective "IDF1" is not a number every point has; choose one of: speed, HOTA, FP/);
  });

  test('tune: best and front by a case-insensitive objective, over completed runs only', () => {
    const runs = [
      run('p1', { stride: 3 }, { speed: 2, forced_splits: 0 }),
      run('p2', { stride: 6 }, { speed: 4, speed_predicted: true, forced_splits: 1 }),
      run('p3', { stride: 12 }, { speed: 3, speed_predicted: true, forced_splits: 2 }),
      run('p4', { stride: 24 }, { state: 'failed', speed: 9, forced_splits: 0 }),
    ];
    const t = tune(runs, 'Forced_Splits');
    assert.equal(t.objective, 'forced_splits');
    assert.equal(t.direction, 'min');
    assert.deepEqual(t.best, { run_id: 'p1', values: { stride: 3 }, objective: 0, speed: 2, speed_predicted: false });
    assert.deepEqual(t.front.map((p) => p.run_id), ['p1', 'p2']);
    assert.throws(() => tune(runs, 'hota'), /--objective hota: not a number of these runs; choose one of: .*forced_splits/);
  });

  test('checkObjective refuses an unknown metric before the grid runs', () => {
    checkObjective('HOTA', []);
    checkObjective('scene.cooldown', ['scene.cooldown']);
    assert.throws(() => checkObjective('hotta', ['stride']), /--objective hotta: unknown metric; choose one of: tracks, .*stride/);
  });
});
