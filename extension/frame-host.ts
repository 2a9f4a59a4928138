// The host side of the frame view, without `vscode`: one frame of a scored run, decoded on demand
// (and cached under the episode folder), with the run's and the ground truth's boxes and what
// went wrong on that frame. FramePanel connects it to a webview and decodes through the language
// server. Without a decoder (Restricted Mode) nothing is decoded: the boxes are drawn on a blank
// frame, and the page says why.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { readEvalFrames } from '../server/engine/eval/eval-frames';
import type { EvalReport } from '../server/engine/eval/evaluate-run';
import { labelBoxes, runBoxesAt } from '../server/engine/eval/frame-boxes';
import { readGroundTruth } from '../server/engine/eval/ground-truth';
import type { ErrorKind } from '../server/engine/eval/gt-lanes';
import { isWithin, MANIFEST_FILES } from '../server/engine/manifests/layout';
import type { TrackMetrics } from '../server/engine/manifests/track-metrics';
import type { DecodeFrameParams, DecodeFrameResult } from '../server/lsp/protocol';
import type { FrameHostMessage, FrameShot } from '../webview/frame-protocol';
import { describeDropped, parseFramePageMessage } from './page-messages';
import type { RunFolder } from './run-folder';

export interface FrameView {
  post(m: FrameHostMessage): void;
  opened(): void;
  /** The page's URL of a local file (the decoded frame). */
  fileUrl(file: string): string;
  warn(message: string): void;
}

export const RESTRICTED_NOTE = 'Restricted Mode: the frame is not decoded (no ffmpeg runs in a workspace you have not trusted); the boxes are drawn on a blank frame.';

type MetricsView = { video?: Partial<TrackMetrics['video']>; stats?: Partial<TrackMetrics['stats']> };

async function readJson<T>(file: string): Promise<T | undefined> {
  return JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) ?? undefined;
}

export class FrameHost {
  /** The run whose frames are shown (undefined: the latest). */
  private runId: string | undefined;

  /** `decode` decodes a frame into the episode folder's cache; absent in Restricted Mode. */
  constructor(readonly run: RunFolder, private readonly view: FrameView, private readonly decode?: (p: DecodeFrameParams) => Promise<DecodeFrameResult>) {}

  /** Shows `frame` of a run and returns what it posted. */
  async show(frame: number, runId: string | undefined, kind?: ErrorKind): Promise<FrameHostMessage> {
    this.runId = runId;
    let m: FrameHostMessage;
    try {
      m = { type: 'frame', shot: await this.shot(frame, kind) };
    } catch (e) {
      m = { type: 'failed', frame, message: (e as Error).message };
    }
    this.view.post(m);
    return m;
  }

  private async shot(frame: number, kind?: ErrorKind): Promise<FrameShot> {
    const { layout } = this.run;
    const dir = layout.manifestsOf(this.runId);
    const at = (key: keyof typeof MANIFEST_FILES) => path.join(dir, MANIFEST_FILES[key]);
    const [metrics, report, evalFrames] = await Promise.all([
      readJson<MetricsView>(at('metrics')), readJson<EvalReport>(at('evaluation')), readEvalFrames(at('evalFrames')),
    ]);
    const video = metrics?.video;
    const total = metrics?.stats?.frames_decoded;
    if (!video?.fps || !video.width || !video.height || !total) throw new Error(`run ${this.runId ?? '(latest)'} of ${this.run.epId} has no complete track_metrics.json`);
    if (frame >= total) throw new Error(`frame ${frame} is past the run's last frame (${total - 1})`);
    const rows = evalFrames?.rows ?? [];
    const row = rows.find((r) => r.frame_idx === frame);
    const withErrors = rows.filter((r) => r.fn.length || r.fp.length || r.idsw.length || r.frag.length).map((r) => r.frame_idx);
    const prev = withErrors.filter((f) => f < frame).pop();
    const next = withErrors.find((f) => f > frame);
    const notes: string[] = [];
    const gt = report?.ground_truth
      ? await readGroundTruth(report.ground_truth, report.frame_base).then((g) => g.rows.filter((r) => r.frame === frame), (e: Error) => {
        notes.push(`Ground truth not shown: ${e.message}`);
        return [];
      })
      : [];
    const tracks = await runBoxesAt(at('detections'), frame, report?.frames === 'all').catch(() => ({ rows: [], ts: undefined }));
    const ts = tracks.ts ?? frame / video.fps;
    const shot: FrameShot = {
      epId: this.run.epId, ...(this.runId ? { runId: this.runId } : {}), frame, ts, fps: video.fps, width: video.width, height: video.height,
      boxes: labelBoxes(tracks.rows, gt, row),
      errors: { fn: row?.fn.length ?? 0, fp: row?.fp.length ?? 0, idsw: row?.idsw.length ?? 0, frag: row?.frag.length ?? 0 },
      ...(kind ? { kind } : {}), ...(prev !== undefined ? { prev } : {}), ...(next !== undefined ? { next } : {}),
    };
    if (!this.decode) notes.push(RESTRICTED_NOTE);
    else {
      try {
        const still = await this.decode({ episodeDir: layout.dir, video: video.path || this.run.video, frameIdx: frame, ts, fps: video.fps });
        // The server answers with a path; only one inside this episode folder is shown.
        if (!isWithin(layout.dir, path.resolve(still.file))) throw new Error(`the decoded frame ${still.file} is outside the episode folder`);
        shot.src = this.view.fileUrl(still.file);
        shot.cached = still.cached;
      } catch (e) {
        notes.push(`Frame not decoded: ${(e as Error).message}`);
      }
    }
    if (notes.length) shot.note = notes.join(' ');
    return shot;
  }

  /** A message from the page, as it came: checked, then answered. */
  async receive(raw: unknown): Promise<void> {
    const m = parseFramePageMessage(raw);
    if (!m) return this.view.warn(describeDropped(raw));
    if (m.type === 'ready') this.view.opened();
    else await this.show(m.frame, this.runId);
  }
}
