// The flat scores of one run against a ground truth: what the run summary, the Runs view,
// Compare and the sweep CSV show. Rates are fractions (0..1), as TrackEval reports them;
// counts are whole numbers. Free of Node so the extension and the webview can import it.

export interface RunScores {
  /** HOTA and its parts: TrackEval's headline numbers, the mean over α = 0.05..0.95. */
  HOTA: number;
  DetA: number;
  AssA: number;
  LocA: number;
  DetRe: number;
  DetPr: number;
  AssRe: number;
  AssPr: number;
  /** CLEAR MOT at IoU 0.5. MOTP is the mean IoU of the matches (higher is better). */
  MOTA: number;
  MOTP: number;
  FP: number;
  FN: number;
  IDSW: number;
  Frag: number;
  /** Ground-truth ids tracked for > 80 %, 20–80 %, < 20 % of their frames. */
  MT: number;
  PT: number;
  ML: number;
  /** Identity: one global id matching at IoU 0.5. */
  IDF1: number;
  IDP: number;
  IDR: number;
}

/** The summary of eval.json kept in track_metrics.json (and so in the run history). */
export interface EvalSummary {
  ground_truth: string;
  frames: 'analysed' | 'all';
  frames_scored: number;
  scores: RunScores;
}

/** The keys in the order tables and tooltips show them. */
export const SCORE_KEYS: ReadonlyArray<keyof RunScores> = [
  'HOTA', 'DetA', 'AssA', 'LocA', 'DetRe', 'DetPr', 'AssRe', 'AssPr',
  'MOTA', 'MOTP', 'FP', 'FN', 'IDSW', 'Frag', 'MT', 'PT', 'ML', 'IDF1', 'IDP', 'IDR',
];

/** Scores that are counts (shown as integers; lower FP/FN/IDSW/Frag/ML is better). */
export const COUNT_KEYS: ReadonlySet<keyof RunScores> = new Set(['FP', 'FN', 'IDSW', 'Frag', 'MT', 'PT', 'ML']);

/** Whether a larger value of this score is better (Compare colours its deltas by this). */
export const higherIsBetter = (key: keyof RunScores): boolean => !['FP', 'FN', 'IDSW', 'Frag', 'PT', 'ML'].includes(key);

/** One score for display: rates as percentages with one decimal, counts as they are. */
export function formatScore(key: keyof RunScores, value: number): string {
  return COUNT_KEYS.has(key) ? String(value) : `${(value * 100).toFixed(1)}%`;
}

/** A change of a score, signed: rates in percentage points (`+1.2 pt`), counts as whole numbers. */
export function formatScoreDelta(key: keyof RunScores, delta: number): string {
  const text = COUNT_KEYS.has(key) ? String(delta) : `${(delta * 100).toFixed(1)} pt`;
  return delta > 0 ? `+${text}` : text === '-0.0 pt' ? '0.0 pt' : text;
}

/** The scene cuts against a cut list (`evaluation.cuts`), within ± `tolerance` frames. */
export interface CutScores {
  /** The cut list's path. */
  truth: string;
  tolerance: number;
  precision: number;
  recall: number;
  f1: number;
  /** Found cuts within the tolerance of a true cut; found cuts with none; true cuts not found. */
  matched: number;
  extra: number[];
  missed: number[];
}
