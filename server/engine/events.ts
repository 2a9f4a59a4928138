// Typed events of one run. The CLI prints them as JSON lines; the language server turns them
// into work-done progress and forwards them to the timeline.

export type Phase = 'init' | 'detect_track' | 'export_flush' | 'evaluate' | 'faces_embed' | 'identities' | 'done' | 'error' | 'cancelled';
/** `interrupted`: the run was killed outright (no end written); readers and the next run say so. */
export type RunState = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';

export interface ProgressCounters {
  frames_done: number;
  frames_total: number;
  frames_analysed: number;
  fps: number;
  eta_s: number | null;
  cuts: number;
  cuts_suppressed: number;
  tracks: number;
}

export type RunEvent =
  | { type: 'phase'; phase: Phase; ep_id: string; message?: string }
  | ({ type: 'progress'; ep_id: string } & ProgressCounters)
  | { type: 'cut'; ep_id: string; frame_idx: number; suppressed: boolean }
  | { type: 'track'; ep_id: string; track_id: number; first_frame_idx: number; last_frame_idx: number; frame_count: number; mean_conf: number; split_reason?: string }
  | { type: 'log'; ep_id: string; level: 'info' | 'warn'; message: string }
  /** Boxes the face check (detector.verify) dropped on one analysed frame, with the gate each failed. */
  | { type: 'rejected'; ep_id: string; frame_idx: number; boxes: { bbox: [number, number, number, number]; conf: number; reason: string }[] }
  /** Sent once per cached stage, before it runs: reused from the cache, computed, or the cache is off. */
  | { type: 'stage'; ep_id: string; stage: 'analysis'; status: 'reused' | 'computed' | 'off'; key?: string; reason?: string }
  /** run_id: the run's folder under <ep_id>/runs/ (absent when the run failed before recording). */
  | { type: 'summary'; ep_id: string; state: RunState; out_dir: string; metrics_path: string; run_id?: string; error?: string };

export type EventSink = (event: RunEvent) => void;
