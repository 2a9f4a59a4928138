// A small scored episode written to disk the way a run leaves it (tracks.jsonl, detections.jsonl,
// track_metrics.json, eval.json, eval_frames.jsonl, a gt.txt), scored by the engine's own
// evaluate(), with a known set of errors: the timeline and frame view tests read it back.
//
//   GT 1: frames 0–239 at x=100. Track 1 has it on 0–99, track 2 on 100–239: an ID switch (and
//         Identity pairs GT 1 with track 2, which shares more frames).
//   GT 2: frames 30–200 at x=400. Track 3 has it, except 80–99: 20 misses, then a fragmentation at 100.
//   Track 4: frames 150–170 at x=800, on no ground truth: 21 false positives.
// Variant 'b' (a re-run to compare with): track 3 has GT 2 throughout (GT 2 better), and GT 1
// switches twice, from track 1 to a track 5 at 50, then to track 2 at 100 (GT 1 worse).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EvalRow } from '../../server/engine/eval/boxes';
import { evaluate } from '../../server/engine/eval/evaluate-run';
import { EpisodeLayout, MANIFEST_FILES } from '../../server/engine/manifests/layout';

export const SCORED = { frames: 240, fps: 24, width: 1280, height: 720, fnFrames: 20, fpFrames: 21, idswFrame: 100, fragFrame: 100 } as const;
const SIZE = 120;

const box = (frame: number, id: number, x: number): EvalRow => ({ frame, id, x1: x, y1: 200, x2: x + SIZE, y2: 200 + SIZE });
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

export function scoredRows(variant: 'a' | 'b' = 'a'): { gt: EvalRow[]; tracks: EvalRow[] } {
  const gt = [...range(0, 239).map((f) => box(f, 1, 100)), ...range(30, 200).map((f) => box(f, 2, 400))];
  const b = variant === 'b';
  const tracks = [
    ...range(0, 239).map((f) => box(f, f < 100 ? (b && f >= 50 ? 5 : 1) : 2, 100)),
    ...range(30, 200).filter((f) => b || f < 80 || f > 99).map((f) => box(f, 3, 400)),
    ...range(150, 170).map((f) => box(f, 4, 800)),
  ];
  return { gt, tracks };
}

/** Writes the episode's latest run under `outputRoot`/ep and returns its layout; `video` names the clip the metrics point at. */
export function writeScoredEpisode(outputRoot: string, video: string, variant: 'a' | 'b' = 'a'): EpisodeLayout {
  const layout = new EpisodeLayout(outputRoot, 'ep');
  const { gt, tracks } = scoredRows(variant);
  const gtFile = path.join(outputRoot, 'gt.txt');
  mkdirSync(layout.manifestsDir, { recursive: true });
  writeFileSync(gtFile, gt.map((r) => `${r.frame + 1},${r.id},${r.x1},${r.y1},${r.x2 - r.x1},${r.y2 - r.y1},1,1,1`).join('\n') + '\n');
  const cfg = { ground_truth: gtFile, frame_base: 1 as const, frames: 'analysed' as const };
  const { report, frames } = evaluate({ gt: { file: gtFile, rows: gt, ignored: 0, problems: [] }, cfg, tracks, analysedFrames: range(0, SCORED.frames - 1), frameCount: SCORED.frames });
  const at = (key: keyof typeof MANIFEST_FILES) => layout.manifest(key);
  writeFileSync(at('evaluation'), JSON.stringify(report));
  writeFileSync(at('evalFrames'), frames.map((f) => JSON.stringify(f)).join('\n') + '\n');
  writeFileSync(at('detections'), tracks.map((r) => JSON.stringify({
    ep_id: 'ep', frame_idx: r.frame, ts: r.frame / SCORED.fps, class: 'face', conf: 0.9, bbox_xyxy: [r.x1, r.y1, r.x2, r.y2], track_id: r.id,
  })).join('\n') + '\n');
  const byId = new Map<number, number[]>();
  for (const r of tracks) byId.set(r.id, [...(byId.get(r.id) ?? []), r.frame]);
  writeFileSync(at('tracks'), [...byId].map(([id, fs]) => JSON.stringify({
    ep_id: 'ep', track_id: id, class: 'face', first_frame_idx: Math.min(...fs), last_frame_idx: Math.max(...fs), frame_count: fs.length, mean_conf: 0.9,
  })).join('\n') + '\n');
  writeFileSync(at('metrics'), JSON.stringify({
    state: 'completed', stats: { frames_decoded: SCORED.frames },
    video: { path: video, width: SCORED.width, height: SCORED.height, fps: SCORED.fps },
  }));
  return layout;
}
