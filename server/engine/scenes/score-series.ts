// The scene detector's per-frame scores, kept small for the timeline's score curve: at most
// MAX_POINTS points, each the maximum over its frames (a cut's one-frame spike survives the
// downsampling) and the minimum brightness (a fade's black frames do too). Pure; no Node.

export const MAX_SCORE_POINTS = 2000;

export interface SceneScores {
  /** Frames per point: point i covers frames [i·step, (i+1)·step). */
  step: number;
  /** Content score (0..255), two decimals. */
  content: number[];
  /** HSV histogram distance (0..1), three decimals. */
  histogram: number[];
  /** Mean brightness (0..255), one decimal. */
  brightness: number[];
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Downsamples per-push scores (frame `indices[i]` scored `content[i]`, …); frames never pushed score 0. */
export function downsampleScores(
  indices: readonly number[], content: readonly number[], histogram: readonly number[], brightness: readonly number[], maxPoints = MAX_SCORE_POINTS,
): SceneScores {
  const frames = indices.length ? indices[indices.length - 1] + 1 : 0;
  const step = Math.max(1, Math.ceil(frames / maxPoints));
  const points = Math.ceil(frames / step);
  const out: SceneScores = { step, content: new Array(points).fill(0), histogram: new Array(points).fill(0), brightness: new Array(points).fill(255) };
  const seen = new Array<boolean>(points).fill(false);
  for (let i = 0; i < indices.length; i++) {
    const p = Math.floor(indices[i] / step);
    out.content[p] = Math.max(out.content[p], round(content[i], 2));
    out.histogram[p] = Math.max(out.histogram[p], round(histogram[i], 3));
    out.brightness[p] = Math.min(out.brightness[p], round(brightness[i], 1));
    seen[p] = true;
  }
  // Frames the decoder skipped (sampling refs or keyframes) keep the brightness last seen.
  for (let p = 0; p < points; p++) if (!seen[p]) out.brightness[p] = p > 0 ? out.brightness[p - 1] : 0;
  return out;
}
