// HOTA, CLEAR and Identity together, per sequence or combined, and the flat RunScores of them.
import { clear, combineClear, type ClearResult, type FrameOutcome } from './clear';
import { auc, combineHota, hota, type HotaResult } from './hota';
import { combineIdentity, identity, type IdentityResult } from './identity';
import type { RunScores } from './scores';
import type { Sequence } from './sequence';

export interface MetricResults {
  hota: HotaResult;
  clear: ClearResult;
  identity: IdentityResult;
}

/**
 * The three metric families on one sequence; `outcomes` (when given) gets CLEAR's per-frame
 * outcome, and `pairs` Identity's matching of gt ids to tracker ids.
 */
export function scoreSequence(seq: Sequence, outcomes?: FrameOutcome[], pairs?: Array<[number, number]>): MetricResults {
  return { hota: hota(seq), clear: clear(seq, outcomes), identity: identity(seq, pairs) };
}

/** Several sequences as one, as TrackEval's COMBINED row. */
export function combineResults(parts: readonly MetricResults[]): MetricResults {
  return {
    hota: combineHota(parts.map((p) => p.hota)),
    clear: combineClear(parts.map((p) => p.clear)),
    identity: combineIdentity(parts.map((p) => p.identity)),
  };
}

export function toRunScores({ hota: h, clear: c, identity: i }: MetricResults): RunScores {
  return {
    HOTA: auc(h.HOTA), DetA: auc(h.DetA), AssA: auc(h.AssA), LocA: auc(h.LocA),
    DetRe: auc(h.DetRe), DetPr: auc(h.DetPr), AssRe: auc(h.AssRe), AssPr: auc(h.AssPr),
    MOTA: c.MOTA, MOTP: c.MOTP, FP: c.FP, FN: c.FN, IDSW: c.IDSW, Frag: c.Frag, MT: c.MT, PT: c.PT, ML: c.ML,
    IDF1: i.IDF1, IDP: i.IDP, IDR: i.IDR,
  };
}
