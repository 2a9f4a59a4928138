// One analysed frame's faces: the whole-frame pass, tiles where configured (a fixed grid, or
// `auto`), one box per face (tile-merge.ts), and the face check (face-check.ts) on the boxes that
// only tiles found (or on all, with verify `all`). Keeps what it counts for the run's metrics.
// Stateful across the frames of a run, in order: `auto` looks back one analysed frame and the
// check's verdicts a few (REUSE_FRAMES); onCut() forgets both.
import type { BBox, Detection } from '../types';
import { AutoTiles, REGION_LAYOUT, type AutoTileSettings, type TilePlan } from './auto-tiles';
import type { CheckFailure, DetectionStats, VerifyScope } from '../manifests/track-metrics';
import { CHECK_FAILURES, type FaceCheck } from './face-check';
import type { FaceDetector } from './face-detector';
import { iou } from './nms';
import { bigEnough } from './rfb-decode';
import { mergeSources, type MergedDetection } from './tile-merge';
import { TILE_FACE_MAX, tileGrid, type Region } from './tiles';

export interface FrameDetectionOptions {
  frame: { width: number; height: number };
  /** [cols, rows] ([1, 1]: no tiles) or `auto`. */
  tiles: [number, number] | 'auto';
  auto: AutoTileSettings;
  /** Which boxes the face check sees; it needs `check`. */
  verify: VerifyScope;
  nmsIou: number;
  minSize: number;
}

/** A box the face check dropped, with its first failed gate. */
export interface RejectedDetection extends Detection {
  reason: CheckFailure;
}

export interface FrameDetections {
  dets: Detection[];
  rejected: RejectedDetection[];
}

/**
 * Whole-frame boxes from this score up mark a region for auto's tiles when small. Measured on the
 * small-face preset: 0.1 puts a hint on about half the faces the whole frame misses at 0.3, with
 * about one stray hint every two frames; at 0.05 the strays run to hundreds.
 */
const HINT_SCORE = 0.1;

/**
 * A tile's box is checked like a tile-only one when it lifted a weak whole-frame box of the same
 * face (below WEAK, where the tracker's default high band starts at 0.75) by PROMOTION or more:
 * the tile turned a guess that could only extend a track into one that starts a track. If it
 * fails, the whole frame's own box stays. A face the whole frame already saw well needs no check.
 */
const WEAK = 0.7;
const PROMOTION = 0.1;

/**
 * A verdict of the check is reused for a box overlapping the checked box this much (a small face
 * moves about half its width between analysed frames at stride 6)…
 */
const REUSE_IOU = 0.3;
/**
 * …for this many analysed frames. A pass is renewed each frame its face is seen again; a failure
 * is not, so a box that failed is checked afresh after this many frames.
 */
const REUSE_FRAMES = 3;

interface Verdict {
  box: BBox;
  failure?: CheckFailure;
  /** A pass's correction: the views' box as offsets from the checked box, in its widths and heights. */
  fit?: BBox;
  /** The frame count (counts.frames) the verdict was made or last renewed on. */
  at: number;
}

export class FrameDetection {
  private readonly grid: Region[];
  private readonly auto: AutoTiles | undefined;
  /** Recent verdicts of the check (no cut since). */
  private verdicts: Verdict[] = [];
  private readonly counts = { frames: 0, tileInferences: 0, gridPasses: 0, regionPasses: 0, regions: 0, tileOnly: 0, promoted: 0, cutDropped: 0, checked: 0, reused: 0, fellBack: 0 };
  private readonly dropped = Object.fromEntries(CHECK_FAILURES.map((r) => [r, 0])) as Record<CheckFailure, number>;

  constructor(
    private readonly detector: FaceDetector,
    private readonly check: FaceCheck | undefined,
    private readonly opts: FrameDetectionOptions,
  ) {
    if (opts.verify !== 'off' && !check) throw new Error(`verify ${opts.verify} needs a face check`);
    const { width, height } = opts.frame;
    this.auto = opts.tiles === 'auto' ? new AutoTiles(opts.frame, opts.auto) : undefined;
    this.grid = opts.tiles === 'auto' || opts.tiles[0] * opts.tiles[1] === 1 ? [] : tileGrid(width, height, opts.tiles[0], opts.tiles[1]);
  }

  onCut(): void {
    this.auto?.onCut();
    this.verdicts = [];
  }

  /** small: the frame stretched to 320×240 rgb24; full: the width×height rgb24 frame (absent on warm-up frames). */
  async detect(small: Buffer, full: Buffer | undefined): Promise<FrameDetections> {
    const { width, height } = this.opts.frame;
    this.counts.frames++;
    const conf = this.detector.confThreshold;
    // auto also reads the whole frame's weak boxes: a small one is often a face only tiles see well.
    const all = await this.detector.detectWholeSource(small, width, height, this.auto ? Math.min(conf, HINT_SCORE) : conf);
    const whole = all.filter((d) => d.conf >= conf);
    // Warm-up frames after a cut come without a full frame: whole-frame only, and auto's plan waits.
    const plan: TilePlan = !full ? { kind: 'none' } : this.auto ? this.auto.plan(all) : this.grid.length ? { kind: 'grid', regions: this.grid } : { kind: 'none' };
    let merged: MergedDetection[];
    if (plan.kind === 'none' || !full) {
      merged = whole.filter((d) => bigEnough(d, this.opts.minSize)).map(({ bbox, conf }) => ({ bbox, conf, tileOnly: false }));
    } else {
      const parts = await this.detector.detectRegions(full, width, height, plan.regions, plan.kind === 'grid' ? [1, 1] : REGION_LAYOUT);
      this.countPlan(plan);
      const m = mergeSources([whole, ...parts], this.opts.nmsIou, this.opts.minSize, height);
      merged = m.dets;
      this.counts.cutDropped += m.cutDropped;
      this.counts.tileOnly += merged.filter((d) => d.tileOnly).length;
      this.counts.promoted += merged.filter((d) => !d.tileOnly && fromTiles(d)).length;
    }
    const { kept, rejected } = await this.verify(merged, full);
    this.auto?.seen(kept.filter(fromTiles).map((d) => d.bbox));
    return { dets: kept.map(({ bbox, conf }) => ({ bbox, conf })), rejected };
  }

  stats(): DetectionStats {
    const c = this.counts;
    const tiles = this.opts.tiles === 'auto' ? `auto (grid ${this.opts.auto.grid.join('x')})` : this.opts.tiles.join('x');
    const failedTotal = Object.values(this.dropped).reduce((a, b) => a + b, 0);
    return {
      tiles,
      frames: c.frames,
      tile_inferences: c.tileInferences,
      grid_passes: c.gridPasses,
      region_passes: c.regionPasses,
      regions: c.regions,
      check_landmark_runs: this.check?.cost.landmarkRuns ?? 0,
      check_view_inferences: this.check?.cost.viewRuns ?? 0,
      tile_only: c.tileOnly,
      tile_promoted: c.promoted,
      cut_dropped: c.cutDropped,
      verify: { scope: this.opts.verify, checked: c.checked, reused: c.reused, dropped: failedTotal - c.fellBack, fell_back: c.fellBack, by_reason: { ...this.dropped } },
    };
  }

  private countPlan(plan: Extract<TilePlan, { regions: Region[] }>): void {
    if (plan.kind === 'grid') {
      this.counts.gridPasses++;
      this.counts.tileInferences += plan.regions.length;
    } else {
      this.counts.regionPasses++;
      this.counts.regions += plan.regions.length;
      this.counts.tileInferences += Math.ceil(plan.regions.length / (REGION_LAYOUT[0] * REGION_LAYOUT[1]));
    }
  }

  /**
   * The face check on the boxes in scope (see PROMOTION), reusing a recent verdict on the same
   * spot (REUSE_IOU, REUSE_FRAMES). A failed box is dropped, or falls back to the whole frame's
   * box of its face.
   */
  private async verify(merged: MergedDetection[], full: Buffer | undefined): Promise<{ kept: MergedDetection[]; rejected: RejectedDetection[] }> {
    const scope = this.opts.verify;
    if (scope === 'off' || !full || !this.check) return { kept: merged, rejected: [] };
    const now = this.counts.frames;
    this.verdicts = this.verdicts.filter((v) => now - v.at <= REUSE_FRAMES);
    const inScope = merged.filter((d) => scope === 'all' || fromTiles(d));
    const failed = new Map<MergedDetection, CheckFailure>();
    const fits = new Map<MergedDetection, BBox>();
    const fresh: MergedDetection[] = [];
    for (const d of inScope) {
      const v = this.verdicts.find((r) => iou(r.box, d.bbox) >= REUSE_IOU);
      if (!v) fresh.push(d);
      else if (v.failure) failed.set(d, v.failure);
      else {
        [v.box, v.at] = [d.bbox, now];
        if (v.fit) fits.set(d, v.fit);
      }
    }
    this.counts.reused += inScope.length - fresh.length;
    this.counts.checked += fresh.length;
    const verdicts = await this.check.check(full, this.opts.frame.width, this.opts.frame.height, fresh.map((d) => d.bbox));
    fresh.forEach((d, i) => {
      const { failure, box } = verdicts[i];
      // Only faces of the size tiles are for: the whole frame's box of a bigger face fits it better (tile-merge.ts).
      const fit = box && d.bbox[3] - d.bbox[1] < TILE_FACE_MAX * this.opts.frame.height ? offsets(d.bbox, box) : undefined;
      this.verdicts.push({ box: d.bbox, failure, fit, at: now });
      if (failure) failed.set(d, failure);
      else if (fit) fits.set(d, fit);
    });
    for (const f of failed.values()) this.dropped[f]++;
    const kept = merged.flatMap((d): MergedDetection[] => {
      const fit = fits.get(d);
      if (fit) return [{ ...d, bbox: applyOffsets(d.bbox, fit) }];
      if (!failed.has(d)) return [d];
      if (!d.whole || scope === 'all') return [];
      this.counts.fellBack++;
      return [{ ...d.whole, tileOnly: false }];
    });
    const rejected = [...failed].map(([d, reason]) => ({ bbox: d.bbox, conf: d.conf, reason }));
    return { kept, rejected };
  }
}

/** `to` as offsets from `from`'s sides, in `from`'s width and height. */
function offsets(from: BBox, to: BBox): BBox {
  const w = from[2] - from[0], h = from[3] - from[1];
  return [(to[0] - from[0]) / w, (to[1] - from[1]) / h, (to[2] - from[2]) / w, (to[3] - from[3]) / h];
}

function applyOffsets(b: BBox, o: BBox): BBox {
  const w = b[2] - b[0], h = b[3] - b[1];
  return [b[0] + o[0] * w, b[1] + o[1] * h, b[2] + o[2] * w, b[3] + o[3] * h];
}

/** A box the tiles found alone, or whose weak whole-frame score they raised (WEAK, PROMOTION). */
function fromTiles(d: MergedDetection): boolean {
  return d.tileOnly || (!!d.whole && d.whole.conf < WEAK && d.whole.conf <= d.conf - PROMOTION);
}
