// faces_embed's choice of which faces of a track to embed, made while streaming them in frame
// order (detections.jsonl rows, or the gate's faces for G3), so only the chosen ones are held.
import type { EmbedConfig } from '../../config/schema-identity';

export type SamplingConfig = Pick<EmbedConfig, 'min_samples' | 'max_samples' | 'sample_every'>;

/**
 * Picks of one track spanning first..last: n = span / sample_every + 1 samples, clamped to
 * [min_samples, max_samples], aimed at n evenly spaced target frames. A row is picked when it
 * reaches the next target and lies at least sample_every after the previous pick; the last row
 * always is, replacing a too-close previous pick while that leaves min_samples. On short tracks
 * min_samples wins over sample_every (the gap shrinks to the even spacing).
 */
export class TrackSampler<T extends { frame_idx: number }> {
  readonly picks: T[] = [];
  private readonly n: number;
  private readonly spacing: number;
  private readonly minGap: number;

  constructor(private readonly first: number, private readonly last: number, private readonly cfg: SamplingConfig) {
    const span = last - first;
    this.n = Math.min(cfg.max_samples, Math.max(cfg.min_samples, Math.floor(span / cfg.sample_every) + 1));
    this.spacing = this.n > 1 ? span / (this.n - 1) : Infinity;
    this.minGap = Math.min(cfg.sample_every, this.spacing) - 1e-9;
  }

  offer(row: T): void {
    const prev = this.picks[this.picks.length - 1];
    if (!prev) {
      this.picks.push(row);
    } else if (row.frame_idx === this.last) {
      const crowded = row.frame_idx - prev.frame_idx < this.minGap;
      if (crowded && this.picks.length > 1 && this.picks.length >= this.cfg.min_samples) this.picks.pop();
      this.picks.push(row);
    } else {
      const target = this.first + this.picks.length * this.spacing - 1e-9;
      if (this.picks.length < this.n - 1 && row.frame_idx >= target && row.frame_idx - prev.frame_idx >= this.minGap) this.picks.push(row);
    }
  }
}

/** How many of a track's gate faces are kept while it is open: a few times what is sampled from them. */
export const gateFacesKept = (cfg: Pick<EmbedConfig, 'max_samples'>): number => Math.max(64, 4 * cfg.max_samples);

/**
 * A bounded, evenly spread subset of items that arrive one by one, before their last is known (a
 * track's gate faces while it is open): every `stride`-th item by arrival, the stride doubling
 * whenever more than `cap` are kept, and always the latest item. The same items offered in the
 * same order give the same subset, so faces_embed can rebuild the recorder's choice from the rows.
 */
export class EvenSubset<T> {
  private kept: { ord: number; item: T }[] = [];
  private latest: T | undefined;
  private offered = 0;
  private stride = 1;

  constructor(private readonly cap: number) {}

  offer(item: T): void {
    const ord = this.offered++;
    this.latest = item;
    if (ord % this.stride !== 0) return;
    this.kept.push({ ord, item });
    if (this.kept.length > this.cap) {
      this.stride *= 2;
      this.kept = this.kept.filter((k) => k.ord % this.stride === 0);
    }
  }

  /** The kept items in arrival order, the latest one last. */
  get items(): T[] {
    const items = this.kept.map((k) => k.item);
    if (this.latest !== undefined && items[items.length - 1] !== this.latest) items.push(this.latest);
    return items;
  }
}
