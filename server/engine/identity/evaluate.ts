// Scoring identities against people in a ground truth: B-cubed precision, recall and F1 over
// tracks, and each person's screen-time error. Pure; the caller matches run tracks to ground-truth
// tracks (and so to people) first.

export interface BCubed {
  precision: number;
  recall: number;
  f1: number;
  /** Items scored. */
  items: number;
}

/**
 * B-cubed over items that have a true label: for each item, the share of its predicted cluster
 * with its label (precision) and the share of its label's items in its cluster (recall),
 * averaged. An item without a predicted cluster counts as a cluster of its own.
 */
export function bCubed<K>(predicted: ReadonlyMap<K, string | number>, truth: ReadonlyMap<K, string | number>): BCubed {
  const items = [...truth.keys()];
  const cluster = (k: K) => (predicted.has(k) ? `p:${predicted.get(k)}` : `solo:${String(k)}`);
  const byCluster = new Map<string, K[]>();
  const byLabel = new Map<string | number, K[]>();
  for (const k of items) {
    push(byCluster, cluster(k), k);
    push(byLabel, truth.get(k)!, k);
  }
  let p = 0;
  let r = 0;
  for (const k of items) {
    const label = truth.get(k)!;
    const mates = byCluster.get(cluster(k))!;
    const same = mates.filter((m) => truth.get(m) === label).length;
    p += same / mates.length;
    r += same / byLabel.get(label)!.length;
  }
  const n = items.length;
  const [precision, recall] = n ? [p / n, r / n] : [0, 0];
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision: round4(precision), recall: round4(recall), f1: round4(f1), items: n };
}

export interface ScreenTimeError {
  person: string | number;
  truth_s: number;
  /** The identity most of the person's tracks went to, and its seconds (0 when none). */
  identity_id?: number;
  predicted_s: number;
  error_s: number;
  error_pct: number;
}

/**
 * Per person: the identity holding most of their tracks is theirs, and its screen time is
 * compared with the true one. `trackPerson` maps run tracks to people, `trackIdentity` run tracks
 * to identities.
 */
export function screenTimeErrors(
  truthSeconds: ReadonlyMap<string | number, number>,
  trackPerson: ReadonlyMap<number, string | number>,
  trackIdentity: ReadonlyMap<number, number>,
  identitySeconds: ReadonlyMap<number, number>,
): ScreenTimeError[] {
  return [...truthSeconds].map(([person, truth]) => {
    const votes = new Map<number, number>();
    for (const [track, p] of trackPerson) {
      const id = trackIdentity.get(track);
      if (p === person && id !== undefined) votes.set(id, (votes.get(id) ?? 0) + 1);
    }
    const best = [...votes].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0];
    const predicted = best === undefined ? 0 : identitySeconds.get(best) ?? 0;
    const error = predicted - truth;
    return {
      person, truth_s: round3(truth), ...(best !== undefined ? { identity_id: best } : {}), predicted_s: round3(predicted),
      error_s: round3(error), error_pct: truth > 0 ? round3((100 * error) / truth) : 0,
    };
  });
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

const round3 = (v: number) => Math.round(v * 1e3) / 1e3;
const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
