// What the editor shows of recorded runs: the Runs view's words (extension/run-format.ts) and the
// Compare/Sweep pages' data read from a run history (extension/run-compare.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordRun, summarizeMetrics } from '../../server/engine/history';
import { withEpisodeLock } from '../../server/engine/manifests/episode-lock';
import { EpisodeLayout } from '../../server/engine/manifests/layout';
import type { TrackMetrics } from '../../server/engine/manifests/track-metrics';
import { runFolderAt } from '../../extension/run-folder';
import { compareRuns, sweepRuns } from '../../extension/run-compare';
import { formatBytes, formatDuration, runDescription, runStartLabel, runTooltipMarkdown } from '../../extension/run-format';

const metrics = (runId: string, over: Record<string, unknown> = {}) => ({
  ep_id: 'e', run_id: runId, state: 'completed', started_at: '2025-01-01T12:34:56Z', tracks_written: 2, id_switches: 1, forced_splits: 0,
  scene_cuts: { count: 3 }, mean_track_length_s: 4.5, tracks_per_minute: 6, stats: { wall_time_s: 6.54, realtime_factor: 50, video_duration_s: 100 },
  cache: { analysis: 'computed' }, config: { video: '/v.mp4', tracker: { match_thresh: 0.8 } }, ...over,
}) as unknown as TrackMetrics;

/**
 * Records a run the way the engine does: manifests/ written, then kept under runs/<id> (hard
 * links, so a file of manifests/ is replaced, never rewritten in place).
 */
async function record(epDir: string, m: ReturnType<typeof metrics>, trackIds: number[]): Promise<void> {
  const dir = join(epDir, 'manifests');
  const write = (name: string, text: string) => {
    rmSync(join(dir, name), { force: true });
    writeFileSync(join(dir, name), text);
  };
  write('track_metrics.json', JSON.stringify(m));
  write('tracks.jsonl', trackIds.map((id) => JSON.stringify({ track_id: id, first_frame_idx: id * 10, last_frame_idx: id * 10 + 5, frame_count: 2, mean_conf: 0.9 }) + '\n').join(''));
  const layout = EpisodeLayout.of(epDir);
  await withEpisodeLock(layout, { purpose: 'test' }, (lock) => recordRun(lock, layout, m.run_id));
}

function episode(): string {
  const epDir = mkdtempSync(join(tmpdir(), 'run-views-'));
  mkdirSync(join(epDir, 'manifests'));
  return epDir;
}

describe('Runs view words', () => {
  test('a run replaying the analysis says "cached detections"; another outcome comes first', () => {
    const reused = summarizeMetrics(metrics('r', { cache: { analysis: 'reused' }, id_switches: 2 }));
    assert.equal(runDescription(reused), '6.5 s · 2 tracks · 2 id switches · cached detections');
    const cancelled = summarizeMetrics(metrics('r', { state: 'cancelled', tracks_written: 1, stats: { wall_time_s: 0.1234 } }));
    assert.equal(runDescription(cancelled), 'cancelled · 0.12 s · 1 track · 1 id switch');
    assert.match(runStartLabel(reused), /^2025-01-0[12] \d\d:34:56$/, 'local time');
    assert.equal(runStartLabel(summarizeMetrics(metrics('r-id', { started_at: undefined }))), 'r-id');
  });

  test('the tooltip has every summary metric and the sweep point', () => {
    const md = runTooltipMarkdown(summarizeMetrics(metrics('p1', { sweep: { id: 's', values: { 'tracker.match_thresh': 0.7 } } })));
    for (const label of ['Tracks', 'ID switches', 'Forced splits', 'Scene cuts', 'Mean track length', 'Tracks per minute', 'Wall time', 'Realtime factor']) {
      assert.match(md, new RegExp(`\\| ${label} \\|`), label);
    }
    assert.match(md, /`tracker\.match_thresh` = 0\.7/);
  });

  test('a scored run shows HOTA in its line and every score in its tooltip', () => {
    const scores = {
      HOTA: 0.8171, DetA: 0.8, AssA: 0.83, LocA: 0.9, DetRe: 0.85, DetPr: 0.95, AssRe: 0.86, AssPr: 0.9,
      MOTA: 0.965, MOTP: 0.9, FP: 0, FN: 4, IDSW: 1, Frag: 2, MT: 5, PT: 1, ML: 0, IDF1: 0.95, IDP: 0.97, IDR: 0.93,
    };
    const r = { ...summarizeMetrics(metrics('s')), scores };
    assert.equal(runDescription(r), '6.5 s · 2 tracks · 1 id switch · HOTA 81.7%');
    const md = runTooltipMarkdown(r);
    assert.match(md, /\| HOTA \| 81\.7% \|/);
    assert.match(md, /\| IDF1 \| 95\.0% \|/);
    assert.match(md, /\| FN \| 4 \|/);
    assert.doesNotMatch(runTooltipMarkdown(summarizeMetrics(metrics('s'))), /ground truth/);
  });

  test('durations and sizes', () => {
    assert.deepEqual([0.143, 6.54, 125].map(formatDuration), ['0.14 s', '6.5 s', '2 m 05 s']);
    assert.deepEqual([512, 2048, 5.5 * 2 ** 20, 300 * 2 ** 30].map(formatBytes), ['512 B', '2.0 KiB', '5.5 MiB', '300 GiB']);
  });
});

describe('Compare and Sweep data from the run history', () => {
  test('compare puts the older run first whatever the order asked, with snapshots, metric deltas and config changes', async () => {
    const epDir = episode();
    const folder = runFolderAt(EpisodeLayout.of(epDir), '/v.mp4');
    await record(epDir, metrics('r1'), [1, 2]);
    await record(epDir, metrics('r2', { tracks_written: 3, cache: { analysis: 'reused' }, config: { video: '/v.mp4', tracker: { match_thresh: 0.7 } } }), [1, 2, 3]);
    const m = await compareRuns(folder, ['r2', 'r1']);
    assert.equal(m.type, 'compare');
    assert.deepEqual([m.a.summary.run_id, m.b.summary.run_id], ['r1', 'r2']);
    assert.deepEqual(m.a.snapshot.tracks.tracks.map((t) => t.id), [1, 2]);
    assert.deepEqual(m.b.snapshot.tracks.tracks.map((t) => t.id), [1, 2, 3]);
    assert.deepEqual(m.config, [{ key: 'tracker.match_thresh', a: 0.8, b: 0.7 }]);
    assert.deepEqual(m.metrics.find((d) => d.metric === 'tracks'), { metric: 'tracks', a: 2, b: 3, delta: 1, relative: 0.5 });
    await assert.rejects(compareRuns(folder, ['r1', 'nope']), /Run nope is not in the history of run-views-/);
    await assert.rejects(compareRuns(folder, ['r1', 'r1']), /two different runs/);
  });

  test('the sweep grid itself is no config change; a sweep lists its points in grid order', async () => {
    const epDir = episode();
    const folder = runFolderAt(EpisodeLayout.of(epDir), '/v.mp4');
    const grid = { 'tracker.match_thresh': [0.6, 0.7] };
    for (const [i, v] of [0.6, 0.7].entries()) {
      await record(epDir, metrics(`s-p0${i + 1}`, {
        sweep: { id: 's', values: { 'tracker.match_thresh': v } }, config: { video: '/v.mp4', sweep: grid, tracker: { match_thresh: v } },
      }), [1]);
    }
    await record(epDir, metrics('after', { config: { video: '/v.mp4', tracker: { match_thresh: 0.7 } } }), [1]);
    assert.deepEqual((await compareRuns(folder, ['s-p02', 'after'])).config, []);
    const s = await sweepRuns(folder, 's');
    assert.deepEqual([s.sweepId, s.keys, s.runs.map((r) => r.run_id)], ['s', ['tracker.match_thresh'], ['s-p01', 's-p02']]);
    await assert.rejects(sweepRuns(folder, 'other'), /No runs of sweep other/);
  });
});
