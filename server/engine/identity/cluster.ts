// Agglomerative clustering of tracks into people: average linkage on cosine distance between
// track prototypes, with constraints. Cannot-link: two tracks on screen at the same moment (and
// the user's splits); must-link: the user's merges, applied before anything else. Pure.

export interface ClusterItem {
  id: number;
  /** Unit-length prototype. */
  embedding: ArrayLike<number>;
  /** First and last frame on screen, inclusive. */
  span: [number, number];
}

export interface ClusterOptions {
  /** Largest average cosine distance between two groups that are still merged. */
  threshold: number;
  /** Pairs of item ids that must end in one group (user merges); they win over time overlap. */
  mustLink?: readonly (readonly [number, number])[];
  /** Pairs of item ids that must never share a group (user splits). */
  cannotLink?: readonly (readonly [number, number])[];
}

/**
 * Groups of item ids, each in input order, the groups ordered by their first item. Merges the
 * closest allowed pair until none is within the threshold. Average linkage is kept with the
 * Lance–Williams update, and each group's nearest allowed neighbour is cached: a merge can only
 * move a group's distance to the merged one up to the larger of its two old distances, so only
 * groups whose neighbour was one of the two need a new search.
 */
export function clusterTracks(items: readonly ClusterItem[], opts: ClusterOptions): number[][] {
  const n = items.length;
  const index = new Map(items.map((it, i) => [it.id, i]));
  const dist = new Float64Array(n * n);
  const blocked = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = 1 - dot(items[i].embedding, items[j].embedding);
      dist[i * n + j] = dist[j * n + i] = d;
      const [a, b] = [items[i].span, items[j].span];
      if (a[0] <= b[1] && b[0] <= a[1]) blocked[i * n + j] = blocked[j * n + i] = 1;
    }
  }
  for (const [a, b] of opts.cannotLink ?? []) {
    const [i, j] = [index.get(a), index.get(b)];
    if (i !== undefined && j !== undefined && i !== j) blocked[i * n + j] = blocked[j * n + i] = 1;
  }
  const members: number[][] = items.map((_, i) => [i]);
  const active = new Uint8Array(n).fill(1);
  const owner = Int32Array.from({ length: n }, (_, i) => i);
  const merge = (i: number, j: number) => {
    const [si, sj] = [members[i].length, members[j].length];
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === i || k === j) continue;
      const d = (si * dist[i * n + k] + sj * dist[j * n + k]) / (si + sj);
      dist[i * n + k] = dist[k * n + i] = d;
      const b = blocked[i * n + k] | blocked[j * n + k];
      blocked[i * n + k] = blocked[k * n + i] = b;
    }
    for (const m of members[j]) owner[m] = i;
    members[i].push(...members[j]);
    members[j] = [];
    active[j] = 0;
  };
  for (const [a, b] of opts.mustLink ?? []) {
    const [ia, ib] = [index.get(a), index.get(b)];
    if (ia === undefined || ib === undefined) continue;
    const [i, j] = [owner[ia], owner[ib]].sort((x, y) => x - y);
    if (i !== j) merge(i, j);
  }

  const nearest = new Int32Array(n).fill(-1);
  const findNearest = (i: number) => {
    let best = -1;
    for (let k = 0; k < n; k++) {
      if (k === i || !active[k] || blocked[i * n + k]) continue;
      if (best < 0 || dist[i * n + k] < dist[i * n + best]) best = k;
    }
    nearest[i] = best;
  };
  for (let i = 0; i < n; i++) if (active[i]) findNearest(i);
  for (;;) {
    let bi = -1;
    for (let i = 0; i < n; i++) {
      const k = nearest[i];
      if (!active[i] || k < 0) continue;
      if (bi < 0 || dist[i * n + k] < dist[bi * n + nearest[bi]]) bi = i;
    }
    if (bi < 0 || dist[bi * n + nearest[bi]] > opts.threshold) break;
    const [i, j] = [bi, nearest[bi]].sort((x, y) => x - y);
    merge(i, j);
    nearest[j] = -1;
    for (let k = 0; k < n; k++) if (active[k] && (k === i || nearest[k] === i || nearest[k] === j || (nearest[k] >= 0 && blocked[k * n + nearest[k]]))) findNearest(k);
  }
  return members
    .filter((m) => m.length > 0)
    .map((m) => m.sort((a, b) => a - b))
    .sort((a, b) => a[0] - b[0])
    .map((m) => m.map((i) => items[i].id));
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
