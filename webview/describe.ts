// Words for a track: the hover tooltip and the detail strip's title.
import { duration, timecode } from './axis';
import type { TimelineTrack } from './tracks';

export function describeTrack(t: TimelineTrack, fps?: number): string[] {
  const span = t.last - t.first + 1;
  const lines = [`Track ${t.id}`, `frames ${t.first}–${t.last} (${span} frames, ${t.frames} detections)`];
  if (fps) lines.push(`${timecode(t.first, fps)} – ${timecode(t.last, fps)} · ${duration(span / fps)}`);
  lines.push(`mean conf ${t.conf.toFixed(3)}`);
  if (t.split) lines.push(`split: ${t.split}`);
  return lines;
}
