// Where the engine thread's time goes, stage by stage. A run that mostly waits for frames is
// bound by ffmpeg's decoding (a larger stride saves little); one that mostly detects or crops is
// bound by its own work. Wall-clock time on the one engine thread, so the stages never overlap.

/** `embedding`: waiting for the cache's embeddings of the previous frame's detections (recording runs). */
export type Stage = 'waiting_for_frames' | 'scenes' | 'detection' | 'embedding' | 'tracking' | 'crops';

export class StageTimes {
  private readonly ms = new Map<Stage, number>();

  /** Adds the time since `since` (a performance.now() reading) to `stage`, and returns now. */
  add(stage: Stage, since: number): number {
    const now = performance.now();
    this.ms.set(stage, (this.ms.get(stage) ?? 0) + now - since);
    return now;
  }

  /** Seconds per stage, for the stages this run went through (a replayed analysis has no detection). */
  seconds(): Partial<Record<Stage, number>> {
    return Object.fromEntries([...this.ms].map(([stage, ms]) => [stage, Math.round(ms) / 1000]));
  }
}

/** Stage seconds as a line, the longest first: "waiting for frames 3.95s, detection 3.78s, …". */
export function describeStages(seconds: Record<string, number>): string {
  return Object.entries(seconds)
    .sort((a, b) => b[1] - a[1])
    .map(([stage, sec]) => `${stage.replaceAll('_', ' ')} ${sec.toFixed(2)}s`)
    .join(', ');
}
