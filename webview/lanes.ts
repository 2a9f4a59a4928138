// Packs tracks into rows: a track shares a row with tracks it does not overlap in time.
import type { TimelineTrack } from './tracks';

/**
 * Greedy interval partitioning (tracks by start, each into the row that frees up first), which
 * uses the fewest rows possible. Each row comes out sorted by start, which hit testing needs.
 */
export function packLanes(tracks: readonly TimelineTrack[]): TimelineTrack[][] {
  const sorted = [...tracks].sort((a, b) => a.first - b.first || a.id - b.id);
  const rows: TimelineTrack[][] = [];
  const heap = new EndHeap();
  for (const t of sorted) {
    const free = heap.peek();
    if (free && free.end < t.first) {
      rows[free.row].push(t);
      heap.replaceTop({ end: t.last, row: free.row });
    } else {
      rows.push([t]);
      heap.push({ end: t.last, row: rows.length - 1 });
    }
  }
  return rows;
}

/** The track of `row` covering `frame`, allowing `slack` frames either side for thin bars. */
export function trackAt(row: readonly TimelineTrack[], frame: number, slack: number): TimelineTrack | undefined {
  // Rows do not overlap, so they are sorted by both start and end: binary search the end.
  let lo = 0;
  let hi = row.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (row[mid].last + 1 + slack < frame) lo = mid + 1;
    else hi = mid;
  }
  const t = row[lo];
  return t && t.first - slack <= frame ? t : undefined;
}

/** Index of the first track in `row` that ends at or after `frame` (where drawing starts). */
export function firstEndingAfter(row: readonly TimelineTrack[], frame: number): number {
  let lo = 0;
  let hi = row.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (row[mid].last + 1 < frame) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface RowEnd {
  end: number;
  row: number;
}

/** Min-heap of row end frames. */
class EndHeap {
  private readonly items: RowEnd[] = [];

  peek(): RowEnd | undefined {
    return this.items[0];
  }

  push(item: RowEnd): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].end <= a[i].end) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }

  replaceTop(item: RowEnd): void {
    const a = this.items;
    a[0] = item;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && a[l].end < a[m].end) m = l;
      if (r < a.length && a[r].end < a[m].end) m = r;
      if (m === i) break;
      [a[m], a[i]] = [a[i], a[m]];
      i = m;
    }
  }
}
