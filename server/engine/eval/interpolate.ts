// Boxes on every frame from boxes on the analysed frames: each track's box is interpolated
// linearly between consecutive frames it was recorded on. This is what screen time counts, so
// `evaluation.frames: all` scores it.
import type { EvalRow } from './boxes';

/** Each id's rows plus linear in-betweens on the frames between them, sorted by (id, frame). */
export function interpolateTracks(rows: readonly EvalRow[]): EvalRow[] {
  const byId = new Map<number, EvalRow[]>();
  for (const r of rows) {
    let list = byId.get(r.id);
    if (!list) byId.set(r.id, (list = []));
    list.push(r);
  }
  const out: EvalRow[] = [];
  for (const id of [...byId.keys()].sort((a, b) => a - b)) {
    const list = byId.get(id)!.sort((a, b) => a.frame - b.frame);
    for (let i = 0; i < list.length; i++) {
      const a = list[i];
      out.push(a);
      const b = list[i + 1];
      if (!b) break;
      const span = b.frame - a.frame;
      for (let f = a.frame + 1; f < b.frame; f++) {
        const w = (f - a.frame) / span;
        out.push({
          frame: f, id,
          x1: a.x1 + (b.x1 - a.x1) * w, y1: a.y1 + (b.y1 - a.y1) * w,
          x2: a.x2 + (b.x2 - a.x2) * w, y2: a.y2 + (b.y2 - a.y2) * w,
        });
      }
    }
  }
  return out;
}
