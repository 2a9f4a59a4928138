// Screen time per identity, from its tracks' spans: a track covers its analysed frames and the
// stride gaps between them, first to last frame inclusive; a person's seconds are the union of
// their tracks' spans, so two overlapping tracks of one person do not count twice. Pure.
// Field names follow screenalytics' screentime.json where it has one (`visual_s`,
// `tracks_count`, `faces_count`).

export interface SpanTrack {
  first_frame_idx: number;
  last_frame_idx: number;
}

export interface ScreenTimeRow {
  identity_id: number;
  name: string;
  /** Seconds on screen. */
  visual_s: number;
  /** visual_s / the episode's length, 0–1. */
  share: number;
  /** Scenes (0-based, between resetting cuts) in which the person is on screen. */
  appearances: number[];
  first_seen_s: number;
  last_seen_s: number;
  tracks_count: number;
  faces_count: number;
}

/** Frames in the union of the spans. */
export function unionFrames(spans: readonly SpanTrack[]): number {
  const sorted = [...spans].sort((a, b) => a.first_frame_idx - b.first_frame_idx);
  let total = 0;
  let end = -Infinity;
  for (const s of sorted) {
    const lo = Math.max(s.first_frame_idx, end + 1);
    if (s.last_frame_idx >= lo) total += s.last_frame_idx - lo + 1;
    end = Math.max(end, s.last_frame_idx);
  }
  return total;
}

/** The 0-based scene of a frame: how many cuts (first frames of a new scene) lie at or before it. */
export function sceneOf(frame: number, cuts: readonly number[]): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid] <= frame) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface ScreenTimeInput {
  identity_id: number;
  name: string;
  tracks: readonly SpanTrack[];
  faces_count: number;
}

/** One row per identity, longest on screen first (ties by id). `cuts` sorted ascending. */
export function screenTime(ids: readonly ScreenTimeInput[], fps: number, episodeFrames: number, cuts: readonly number[]): ScreenTimeRow[] {
  const rows = ids.map((id): ScreenTimeRow => {
    const scenes = new Set<number>();
    for (const t of id.tracks) {
      for (let s = sceneOf(t.first_frame_idx, cuts); s <= sceneOf(t.last_frame_idx, cuts); s++) scenes.add(s);
    }
    const frames = unionFrames(id.tracks);
    const first = Math.min(...id.tracks.map((t) => t.first_frame_idx));
    const last = Math.max(...id.tracks.map((t) => t.last_frame_idx));
    return {
      identity_id: id.identity_id,
      name: id.name,
      visual_s: round3(frames / fps),
      share: episodeFrames > 0 ? round4(frames / episodeFrames) : 0,
      appearances: [...scenes].sort((a, b) => a - b),
      first_seen_s: round3(first / fps),
      last_seen_s: round3((last + 1) / fps),
      tracks_count: id.tracks.length,
      faces_count: id.faces_count,
    };
  });
  return rows.sort((a, b) => b.visual_s - a.visual_s || a.identity_id - b.identity_id);
}

export const SCREENTIME_CSV_COLUMNS = ['identity_id', 'name', 'visual_s', 'share', 'appearances', 'first_seen_s', 'last_seen_s', 'tracks_count', 'faces_count'] as const;

/** screentime.csv: a header and a row per identity; `appearances` is the scene count, names quoted when needed. */
export function screenTimeCsv(rows: readonly ScreenTimeRow[]): string {
  const cell = (v: unknown) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = rows.map((r) => SCREENTIME_CSV_COLUMNS.map((c) => cell(c === 'appearances' ? r.appearances.length : r[c])).join(','));
  return [SCREENTIME_CSV_COLUMNS.join(','), ...lines].join('\n') + '\n';
}

const round3 = (v: number) => Math.round(v * 1e3) / 1e3;
const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
