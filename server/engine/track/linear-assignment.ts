// Exact minimum-cost linear assignment (shortest augmenting paths with dual potentials,
// the O(n²·m) Hungarian / Jonker-Volgenant family). Used by the tracker's association and by
// the IDF1 metric, both of which need the optimum, not a greedy approximation.

export interface AssignmentResult {
  /** [row, col] pairs, sorted by row. */
  matches: Array<[number, number]>;
  unmatchedRows: number[];
  unmatchedCols: number[];
}

/**
 * Minimum-cost assignment on a dense `rows × cols` cost matrix, **row-major Float64Array**
 * (`cost[r * cols + c]`). Rectangular matrices are allowed.
 *
 * Pairs whose cost is > `maxCost` (or NaN) are never assigned. Among the pairs that may be,
 * the result maximises Σ (maxCost − cost) over the matches — the same objective as lapjv with
 * a cost limit, i.e. a pair is taken only when it helps. With `maxCost = Infinity` this is a
 * plain min-cost assignment of min(rows, cols) pairs (costs must then be finite).
 */
export function linearAssignment(
  cost: Float64Array,
  rows: number,
  cols: number,
  maxCost: number,
): AssignmentResult {
  if (cost.length < rows * cols) throw new RangeError(`cost has ${cost.length} entries, need ${rows * cols}`);
  // The solver below needs n ≤ m, so work on the transpose when there are more rows.
  const transposed = rows > cols;
  const n = transposed ? cols : rows;
  const m = transposed ? rows : cols;
  const at = (i: number, j: number): number => (transposed ? cost[j * cols + i] : cost[i * cols + j]);

  // Shift costs so that forbidden pairs cost 0 and allowed ones ≤ 0: every row must be
  // assigned in the solver, and a row "assigned" to a 0-cost pair counts as unmatched.
  const limited = Number.isFinite(maxCost);
  const w = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const c = at(i, j);
      w[i * m + j] = !(c <= maxCost) ? 0 : limited ? c - maxCost : c;
    }
  }

  const colOfRow = solveRowsLeCols(w, n, m);

  const matches: Array<[number, number]> = [];
  const rowUsed = new Uint8Array(rows);
  const colUsed = new Uint8Array(cols);
  for (let i = 0; i < n; i++) {
    const j = colOfRow[i];
    if (!(at(i, j) <= maxCost)) continue;
    const r = transposed ? j : i;
    const c = transposed ? i : j;
    matches.push([r, c]);
    rowUsed[r] = 1;
    colUsed[c] = 1;
  }
  matches.sort((a, b) => a[0] - b[0]);
  const unmatchedRows: number[] = [];
  for (let r = 0; r < rows; r++) if (!rowUsed[r]) unmatchedRows.push(r);
  const unmatchedCols: number[] = [];
  for (let c = 0; c < cols; c++) if (!colUsed[c]) unmatchedCols.push(c);
  return { matches, unmatchedRows, unmatchedCols };
}

/**
 * Min-cost assignment of every row of an n×m matrix (n ≤ m) to a distinct column.
 * Adds rows one at a time, each by a Dijkstra-like shortest augmenting path over reduced
 * costs w[i][j] − u[i] − v[j] ≥ 0. Returns the column of each row.
 */
function solveRowsLeCols(w: Float64Array, n: number, m: number): Int32Array {
  // Index 0 is a virtual column that holds the row being inserted; real columns are 1..m.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const rowOfCol = new Int32Array(m + 1); // 1-based row assigned to each column, 0 = free
  const prevCol = new Int32Array(m + 1); // predecessor on the shortest path tree
  const minSlack = new Float64Array(m + 1);
  const visited = new Uint8Array(m + 1);

  for (let row = 1; row <= n; row++) {
    rowOfCol[0] = row;
    let col0 = 0;
    minSlack.fill(Infinity);
    visited.fill(0);
    // Grow the tree until it reaches a free column.
    do {
      visited[col0] = 1;
      const i0 = rowOfCol[col0];
      let delta = Infinity;
      let next = 0;
      for (let j = 1; j <= m; j++) {
        if (visited[j]) continue;
        const slack = w[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
        if (slack < minSlack[j]) {
          minSlack[j] = slack;
          prevCol[j] = col0;
        }
        if (minSlack[j] < delta) {
          delta = minSlack[j];
          next = j;
        }
      }
      // Move the duals so the tree's edges stay tight and the cheapest new edge becomes tight.
      for (let j = 0; j <= m; j++) {
        if (visited[j]) {
          u[rowOfCol[j]] += delta;
          v[j] -= delta;
        } else {
          minSlack[j] -= delta;
        }
      }
      col0 = next;
    } while (rowOfCol[col0] !== 0);
    // Flip the augmenting path back to the virtual column.
    do {
      const prev = prevCol[col0];
      rowOfCol[col0] = rowOfCol[prev];
      col0 = prev;
    } while (col0 !== 0);
  }

  const colOfRow = new Int32Array(n);
  for (let j = 1; j <= m; j++) if (rowOfCol[j] !== 0) colOfRow[rowOfCol[j] - 1] = j - 1;
  return colOfRow;
}
