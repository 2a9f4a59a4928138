// The built Season page in headless Debian chromium: a season's rows, their live progress, a
// click on a row asks for that episode's timeline, Cancel asks to stop the season.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { EpisodeRow, SeasonSummary } from '../../server/season/season-events';
import { chromiumMissing, launch, openSeason } from './page';

const skip = chromiumMissing() ?? false;

let browser: Browser;
before(async () => {
  if (!skip) browser = await launch();
});
after(() => browser?.close());

const row = (ep_id: string, extra: Partial<EpisodeRow>): EpisodeRow => ({ ep_id, status: 'queued', out_dir: `/data/${ep_id}`, ...extra });

const summary: SeasonSummary = {
  season: 'S01', season_file: '/ws/S01.season.yaml', run_id: '20261202-090000-abcd', mode: 'queue', queue: 'redis://queue-host:6379',
  state: 'running', started_at: '2026-12-02T09:00:00Z', updated_at: '2026-12-02T09:01:00Z',
  counts: { queued: 1, running: 1, completed: 1, failed: 1, cancelled: 0 },
  totals: { wall_time_s: 61.2, tracks: 14, id_switches: 1 },
  episodes: [
    row('S01E01', { status: 'completed', tracks: 14, id_switches: 1, wall_time_s: 61.2, attempts: 1, worker: 'gpu-a:311', video_duration_s: 240, run_id: '20261202-090000-abcd' }),
    row('S01E02', { status: 'running', progress: 42.5, phase: 'detect_track', fps: 96, eta_s: 75, attempts: 2, worker: 'gpu-b:90' }),
    row('S01E03', { status: 'failed', error: 'S01E03.mp4 may be damaged: decoded 100 of ~240 frames', attempts: 1 }),
    row('S01E04', {}),
  ],
};

test('a season: one row per episode with status, progress and results; updates and clicks', { skip }, async () => {
  const p = await openSeason(browser);
  await p.send({ type: 'season', summary, running: true });
  assert.equal(await p.page.locator('#ep').textContent(), 'Season S01');
  assert.equal(await p.page.locator('#counts').textContent(), '4 episodes on redis://queue-host:6379 · 1 completed · 1 running · 1 queued · 1 failed');
  assert.deepEqual((await p.stats()).rows, [
    { ep_id: 'S01E01', status: 'completed', progress: '240 s of video' },
    { ep_id: 'S01E02', status: 'running', progress: 'detect track · 43% · 96 fps · ETA 1:15' },
    { ep_id: 'S01E03', status: 'failed', progress: 'S01E03.mp4 may be damaged: decoded 100 of ~240 frames' },
    { ep_id: 'S01E04', status: 'queued', progress: '' },
  ]);
  assert.equal(await p.page.locator('#cancel').isVisible(), true);
  await p.screenshot('season.png');

  await p.send({ type: 'episode', row: row('S01E02', { status: 'completed', tracks: 9, id_switches: 0, wall_time_s: 80.4, attempts: 2, worker: 'gpu-b:90', video_duration_s: 250 }) });
  assert.equal((await p.stats()).rows[1].status, 'completed');
  assert.match(await p.page.locator('#counts').textContent() ?? '', /· 2 completed · 1 queued · 1 failed$/);
  assert.deepEqual(await p.page.locator('#episodes tbody tr').nth(1).locator('td').allTextContents(),
    ['S01E02', 'completed', '250 s of video', '9', '0', '80.4 s', '2', 'gpu-b:90']);

  await p.page.locator('#episodes tbody tr', { hasText: 'S01E01' }).click();
  await p.page.locator('#cancel').click();
  assert.deepEqual((await p.posted()).slice(1), [{ type: 'openEpisode', epId: 'S01E01' }, { type: 'cancel' }]);
  await p.send({ type: 'running', running: false });
  assert.equal(await p.page.locator('#cancel').isVisible(), false);
});
