// What a page draws of a run snapshot besides its tracks: the cuts, and the length of the axis.
import type { RunSnapshot } from './protocol';
import type { Cut } from './render';

export function snapshotCuts(s: RunSnapshot): Cut[] {
  const suppressed = new Set(s.suppressed);
  return s.cuts.map((frame) => ({ frame, suppressed: suppressed.has(frame) }));
}

/** Frames the axis must show: those decoded, and at least every track and cut. */
export function snapshotTotal(s: RunSnapshot): number {
  let total = s.framesTotal ?? 0;
  for (const t of s.tracks.tracks) total = Math.max(total, t.last + 1);
  for (const c of s.cuts) total = Math.max(total, c + 1);
  return total;
}
