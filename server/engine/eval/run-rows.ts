// A run's boxes as evaluation rows, from its detections.jsonl. Apart from the metrics so the
// editor's "Export as MOT" reads runs without bundling them.
import { readFile } from 'node:fs/promises';
import type { DetectionRow } from '../manifests/manifest-types';
import type { EvalRow } from './boxes';

export async function readRunRows(detectionsPath: string): Promise<EvalRow[]> {
  const rows: EvalRow[] = [];
  for (const line of (await readFile(detectionsPath, 'utf8')).split('\n')) {
    if (!line) continue;
    const d = JSON.parse(line) as DetectionRow;
    const [x1, y1, x2, y2] = d.bbox_xyxy;
    rows.push({ frame: d.frame_idx, id: d.track_id, x1, y1, x2, y2 });
  }
  return rows;
}
