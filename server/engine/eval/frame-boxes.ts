// What the frame view draws on one frame: the run's boxes and the ground truth's, each labelled
// with what happened to it there (from eval_frames.jsonl): a missed ground-truth box (FN), a
// track box that matched nothing (FP), an ID switch or a fragmentation, and who it matched.
import { readFile } from 'node:fs/promises';
import type { DetectionRow } from '../manifests/manifest-types';
import type { EvalRow } from './boxes';
import type { ErrorKind, EvalFrameRow, FrameBox } from './frame-types';

/** The run's boxes on `frame` and that frame's presentation time, when the run analysed it. */
export interface RunFrame {
  rows: EvalRow[];
  ts?: number;
}

/**
 * The run's boxes on one frame, from detections.jsonl. With `interpolate` (evaluation.frames:
 * all), a frame between two of a track's analysed frames gets the box evaluation scored there:
 * linear between the two (interpolate.ts).
 */
export async function runBoxesAt(detectionsPath: string, frame: number, interpolate: boolean): Promise<RunFrame> {
  const before = new Map<number, DetectionRow>();
  const after = new Map<number, DetectionRow>();
  const out: RunFrame = { rows: [] };
  for (const line of (await readFile(detectionsPath, 'utf8')).split('\n')) {
    if (!line) continue;
    const d = JSON.parse(line) as DetectionRow;
    if (d.frame_idx === frame) {
      out.ts = d.ts;
      out.rows.push(toRow(d));
    } else if (interpolate && d.frame_idx < frame) {
      if ((before.get(d.track_id)?.frame_idx ?? -1) < d.frame_idx) before.set(d.track_id, d);
    } else if (interpolate && d.frame_idx > frame) {
      if ((after.get(d.track_id)?.frame_idx ?? Infinity) > d.frame_idx) after.set(d.track_id, d);
    }
  }
  const here = new Set(out.rows.map((r) => r.id));
  for (const [id, a] of before) {
    const b = after.get(id);
    if (!b || here.has(id)) continue;
    const w = (frame - a.frame_idx) / (b.frame_idx - a.frame_idx);
    const [ra, rb] = [toRow(a), toRow(b)];
    out.rows.push({
      frame, id, x1: ra.x1 + (rb.x1 - ra.x1) * w, y1: ra.y1 + (rb.y1 - ra.y1) * w, x2: ra.x2 + (rb.x2 - ra.x2) * w, y2: ra.y2 + (rb.y2 - ra.y2) * w,
    });
  }
  out.rows.sort((x, y) => x.id - y.id);
  return out;
}

function toRow(d: DetectionRow): EvalRow {
  const [x1, y1, x2, y2] = d.bbox_xyxy;
  return { frame: d.frame_idx, id: d.track_id, x1, y1, x2, y2 };
}

/** Both kinds of box on a frame, each with its error and partner from the frame's eval row. */
export function labelBoxes(tracks: readonly EvalRow[], gt: readonly EvalRow[], row: EvalFrameRow | undefined): FrameBox[] {
  const gtPartner = new Map(row?.matches.map(([g, t]) => [g, t]));
  const trPartner = new Map(row?.matches.map(([g, t]) => [t, g]));
  const has = (list: number[] | undefined, id: number) => list?.includes(id) ?? false;
  const xyxy = (r: EvalRow): FrameBox['xyxy'] => [r.x1, r.y1, r.x2, r.y2];
  const gtError = (id: number): ErrorKind | undefined =>
    has(row?.fn, id) ? 'fn' : has(row?.idsw, id) ? 'idsw' : has(row?.frag, id) ? 'frag' : undefined;
  const boxes: FrameBox[] = [];
  for (const r of gt) {
    const error = gtError(r.id);
    const partner = gtPartner.get(r.id);
    boxes.push({ kind: 'gt', id: r.id, xyxy: xyxy(r), ...(error ? { error } : {}), ...(partner !== undefined ? { partner } : {}) });
  }
  for (const r of tracks) {
    const partner = trPartner.get(r.id);
    // A track takes its ground truth's switch or fragmentation: it is the track that took over.
    const error = has(row?.fp, r.id) ? 'fp' : partner !== undefined ? gtError(partner) : undefined;
    boxes.push({ kind: 'track', id: r.id, xyxy: xyxy(r), ...(error ? { error } : {}), ...(partner !== undefined ? { partner } : {}) });
  }
  return boxes;
}
