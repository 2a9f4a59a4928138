// Cuts, fades and dissolves from what frame-measures.ts reads off each small frame:
//   - a content score (mean per-sample change of value, chroma and hue) and the histogram
//     distance, both against the previous frame;
//   - the mean value (brightness).
// A cut is a frame whose content score stands out against the rolling mean of its neighbours,
// `window` frames each side (PySceneDetect's AdaptiveDetector idea): a pan or a flicker raises
// the neighbours too, a cut does not. It must also be large in itself: in content, or where the
// content score is quiet (a cut between two snow-white shots) in histogram distance. Each covers
// the other's blind spot: a cut within one palette leaves the histogram still, and a fade that
// moves a flat picture across a bin edge jumps the histogram but not the content score, whose
// neighbours move as much. A candidate whose picture returns within the window is a flash.
// Fades are read from the brightness against a floor (as ThresholdDetector), dissolves from a
// frame halfway between the pictures before and after it.
import type { YuvColor } from '../decode/yuv';
import type { SceneConfig } from '../../config/episode-config';
import { contentDistance, HIST_BINS, histogramDistance, measureFrame, newContentSamples, type ContentSamples } from './frame-measures';
import type { SceneDetector, SceneEvent } from './scene-detector';

export interface TransitionOptions {
  /** How the frames' YCbCr maps to RGB (smallFrameColor() for the decoder's small stream). */
  color: YuvColor;
  /** Histogram distance (0..1) that makes a quiet-content frame a cut. */
  threshold: number;
  /** Frames from one cut (or flash, or flicker) to the next cut. */
  minLen: number;
  /** Neighbours each side for the rolling mean, and the look-ahead for flashes. */
  window: number;
  /** How many times its neighbours' mean a cut's content score must be. */
  adaptiveRatio: number;
  /** Content score (0..255) at or above which a standing-out frame is a cut without the histogram. */
  minContent: number;
  /** Mean brightness (0..255) below which a frame is black: the floor fades reach. */
  fadeFloor: number;
  /** Report the first black frame after a fade-out as a `fade` event (the tracker resets there). */
  fadeReset: boolean;
}

export interface FadeSpan {
  kind: 'out' | 'in';
  /** The last frame before the brightness starts to change (fade-in: the last black frame). */
  start: number;
  /** Fade-out: the first black frame; fade-in: the last frame of the brightening. */
  end: number;
}

export interface DissolveSpan {
  /** The first and last frames found halfway between the pictures around them. */
  start: number;
  end: number;
  /** The dissolve's one cut: the frame where it was recognised. */
  cut: number;
}

/** The detector's options from the config's `scene` section. */
export function transitionOptions(s: SceneConfig, color: YuvColor): TransitionOptions {
  return {
    color, threshold: s.threshold, minLen: s.min_len, window: s.window, adaptiveRatio: s.adaptive_ratio,
    minContent: s.min_content, fadeFloor: s.fade_floor, fadeReset: s.fade_reset,
  };
}

/** A neighbourhood this calm counts as this calm: a cut after still frames needs no infinite ratio. */
const MIN_NEIGHBOUR_MEAN = 1;
/**
 * Where both scores call it a cut, standing out this much of adaptiveRatio is enough: a cut in
 * fast action (Sintel's) has busy neighbours, and two independent measures agreeing is evidence.
 */
const AGREED_RATIO_SHARE = 2 / 3;
/** Pushes between the three frames a dissolve is tested on (before, middle, after). */
const DISSOLVE_LAG = 6;
/** Mean change of Y + Cb + Cr codes between the outer frames below which nothing dissolves. */
const DISSOLVE_MIN_CHANGE = 12;
/** Middle frame's distance from the average of the outer two, as a share of their difference. */
const DISSOLVE_MAX_RESIDUAL = 0.25;
/** Below this residual against a gain of the first frame, it is one picture brightening or darkening. */
const GAIN_MAX_RESIDUAL = 0.35;
/** A dissolve spreads its change: no single step may carry more than this share of it. */
const DISSOLVE_MAX_STEP = 0.34;
/** Within this many times the fade floor of black, a frame is too dark to dissolve from or to. */
const NEAR_BLACK = 2;
/** The frames before a dissolve change at most this share of its mean step. */
const DISSOLVE_CALM_BEFORE = 0.5;
/** Brightness steps smaller than this do not extend a fade (codec noise on a still picture). */
const FADE_STEP = 0.05;
/** Pushes a fade must span to be one (a cut to black is a cut). */
const MIN_FADE = 3;
/** How far back a fade-out's start is looked for. */
const MAX_FADE = 600;

interface Slot {
  hist: Uint32Array;
  samples: ContentSamples;
}

export class TransitionDetector implements SceneDetector {
  readonly latency: number;
  /** Per push, from the first: frame index, content score, histogram distance, brightness. */
  readonly indices: number[] = [];
  readonly content: number[] = [];
  readonly histogram: number[] = [];
  readonly brightness: number[] = [];
  readonly fades: FadeSpan[] = [];
  readonly dissolves: DissolveSpan[] = [];
  cuts = 0;
  private readonly ring: Slot[] = [];
  private ringSize: number;
  private size = '';
  private decided = 0;
  private lastEvent = -Infinity;
  private readonly out: SceneEvent[] = [];
  /** Pushes at which a fade-out reached black and asks for a reset. */
  private readonly fadeResets = new Set<number>();
  /** Pushes that tested as mid-dissolve. */
  private readonly dissolving = new Set<number>();
  private lastDissolving = -Infinity;
  /** The last push that tested as mid-dissolve (pushes run `window` ahead of decisions). */
  private lastFlagged = -Infinity;
  private dissolveRun: DissolveSpan | undefined;
  private dark = false;
  /** The fade-in being followed: the push of its last black frame. */
  private fadeIn = -1;

  constructor(private readonly opts: TransitionOptions) {
    if (!Number.isInteger(opts.window) || opts.window < 1) throw new Error(`scene window must be a whole number ≥ 1, got ${opts.window}`);
    this.latency = opts.window;
    this.ringSize = Math.max(2 * opts.window + 2, 2 * DISSOLVE_LAG + 1);
  }

  get frames(): number {
    return this.indices.length;
  }

  get decidedThrough(): number {
    return this.decided > 0 ? this.indices[this.decided - 1] : -1;
  }

  push(index: number, yuv: Uint8Array, width: number, height: number): readonly SceneEvent[] {
    this.out.length = 0;
    const p = this.indices.length;
    if (p > 0 && index <= this.indices[p - 1]) throw new Error(`scene frames must come in order: ${index} after ${this.indices[p - 1]}`);
    const slot = this.slot(p, width, height);
    const value = measureFrame(yuv, width, height, this.opts.color, slot.hist, slot.samples);
    this.indices.push(index);
    this.brightness.push(value);
    if (p === 0) {
      this.content.push(0);
      this.histogram.push(0);
    } else {
      const prev = this.ring[(p - 1) % this.ringSize];
      this.content.push(contentDistance(prev.samples, slot.samples));
      this.histogram.push(histogramDistance(prev.hist, slot.hist));
    }
    this.followFades(p);
    if (this.midDissolve(p, p - this.lastFlagged <= DISSOLVE_LAG)) {
      this.dissolving.add(p);
      this.lastFlagged = p;
    }
    while (this.decided + this.latency < this.indices.length) this.decide(this.decided++);
    return this.out;
  }

  finish(): readonly SceneEvent[] {
    this.out.length = 0;
    while (this.decided < this.indices.length) this.decide(this.decided++);
    if (this.fadeIn >= 0) this.closeFadeIn(this.indices.length - 1);
    return this.out;
  }

  private slot(p: number, width: number, height: number): Slot {
    const size = `${width}x${height}`;
    if (this.size !== size) {
      if (this.size) throw new Error(`scene frames changed size from ${this.size} to ${size}`);
      this.size = size;
      for (let i = 0; i < this.ringSize; i++) this.ring.push({ hist: new Uint32Array(HIST_BINS), samples: newContentSamples(width, height) });
    }
    return this.ring[p % this.ringSize];
  }

  private isDark(p: number): boolean {
    return this.brightness[p] < this.opts.fadeFloor;
  }

  /** Fade-outs end at the first black frame, fade-ins start at the last one. */
  private followFades(p: number): void {
    const b = this.brightness;
    if (this.fadeIn >= 0 && p > this.fadeIn + 1 && !(b[p] > b[p - 1] + FADE_STEP)) this.closeFadeIn(p - 1);
    const dark = this.isDark(p);
    if (dark && !this.dark && p > 0) {
      let q = p;
      while (q > 0 && p - q < MAX_FADE && b[q - 1] > b[q] + FADE_STEP) q--;
      if (p - q >= MIN_FADE) {
        this.fades.push({ kind: 'out', start: this.indices[q], end: this.indices[p] });
        if (this.opts.fadeReset) this.fadeResets.add(p);
      }
    }
    if (!dark && this.dark) this.fadeIn = p - 1;
    this.dark = dark;
  }

  private closeFadeIn(end: number): void {
    if (end - this.fadeIn >= MIN_FADE) this.fades.push({ kind: 'in', start: this.indices[this.fadeIn], end: this.indices[end] });
    this.fadeIn = -1;
  }

  /** Whether the frame DISSOLVE_LAG pushes back lies halfway between the pictures around it (`going`: a dissolve was found just before). */
  private midDissolve(p: number, going: boolean): boolean {
    const a = p - 2 * DISSOLVE_LAG;
    // A picture coming out of black is a fade-in, however it moves; one near black, a fade's end.
    if (a < DISSOLVE_LAG || this.fadeIn >= 0) return false;
    const dim = NEAR_BLACK * this.opts.fadeFloor;
    if (this.brightness[a] < dim || this.brightness[p] < dim) return false;
    // The per-step scores first (already computed): most frames fail here, before any pixel loop.
    let inside = 0;
    let maxStep = 0;
    for (let q = a + 1; q <= p; q++) {
      inside += this.content[q];
      if (this.content[q] > maxStep) maxStep = this.content[q];
    }
    // The whole change is at most the sum of the steps, so this is implied by the test below.
    if (maxStep > DISSOLVE_MAX_STEP * inside) return false;
    // A dissolve starts from calmer frames: steady motion (a scrolling gradient, a zoom) can be
    // as linear as a cross-fade, but it was moving as much before.
    if (!going) {
      let before = 0;
      for (let q = a - DISSOLVE_LAG + 1; q <= a; q++) before += this.content[q];
      if (before / DISSOLVE_LAG > DISSOLVE_CALM_BEFORE * (inside / (p - a))) return false;
    }
    const A = this.ring[a % this.ringSize].samples;
    const M = this.ring[(p - DISSOLVE_LAG) % this.ringSize].samples;
    const B = this.ring[p % this.ringSize].samples;
    // In YCbCr, as decoded: a cross-fade mixes the codes linearly, a fade scales them toward black.
    const y0 = this.opts.color.range === 'limited' ? 16 : 0;
    const planes: [Uint8Array, Uint8Array, Uint8Array, number][] = [[A.y, M.y, B.y, y0], [A.cb, M.cb, B.cb, 128], [A.cr, M.cr, B.cr, 128]];
    const n = A.y.length;
    let change = 0;
    for (const [pa, , pb] of planes) for (let i = 0; i < n; i++) change += Math.abs(pb[i] - pa[i]);
    if (change < DISSOLVE_MIN_CHANGE * n) return false;
    let sumA = 0;
    let sumB = 0;
    for (let i = 0; i < n; i++) {
      sumA += A.y[i] - y0;
      sumB += B.y[i] - y0;
    }
    const gain = sumA > 0 ? sumB / sumA : 0;
    let residual = 0;
    let gainResidual = 0;
    for (const [pa, pm, pb, zero] of planes) {
      for (let i = 0; i < n; i++) {
        residual += Math.abs(2 * pm[i] - pa[i] - pb[i]);
        gainResidual += Math.abs(pb[i] - zero - gain * (pa[i] - zero));
      }
    }
    if (residual > 2 * DISSOLVE_MAX_RESIDUAL * change || gainResidual < GAIN_MAX_RESIDUAL * change) return false;
    return maxStep <= DISSOLVE_MAX_STEP * contentDistance(A, B);
  }

  private decide(p: number): void {
    const index = this.indices[p];
    if (p === 0) {
      this.lastEvent = index; // the first frame starts the first shot
      return;
    }
    let cut = false;
    if (this.standsOut(p)) {
      cut = !this.isFlash(p) && index - this.lastEvent >= this.opts.minLen;
      this.lastEvent = index;
    }
    if (this.dissolving.delete(p)) {
      // One event per dissolve: mid-dissolve frames with short gaps between them are one run.
      if (p - this.lastDissolving > DISSOLVE_LAG) {
        this.dissolveRun = undefined;
        if (!cut && index - this.lastEvent >= this.opts.minLen) {
          cut = true;
          this.lastEvent = index;
          this.dissolveRun = { start: this.indices[p - DISSOLVE_LAG], end: this.indices[p - DISSOLVE_LAG], cut: index };
          this.dissolves.push(this.dissolveRun);
        }
      } else if (this.dissolveRun) {
        this.dissolveRun.end = this.indices[p - DISSOLVE_LAG];
      }
      this.lastDissolving = p;
    }
    if (cut) {
      this.cuts++;
      this.out.push({ kind: 'cut', idx: index });
    } else if (this.fadeResets.delete(p)) {
      this.out.push({ kind: 'fade', idx: index });
    }
    this.fadeResets.delete(p);
  }

  /** A cut candidate: well above its neighbours' mean, and large in content or (on lit frames) in histogram. */
  private standsOut(p: number): boolean {
    const c = this.content[p];
    const w = this.opts.window;
    let sum = 0;
    let count = 0;
    for (let q = Math.max(1, p - w), end = Math.min(this.indices.length - 1, p + w); q <= end; q++) {
      if (q === p) continue;
      sum += this.content[q];
      count++;
    }
    const mean = count > 0 ? sum / count : 0;
    const ratio = c / Math.max(mean, MIN_NEIGHBOUR_MEAN);
    const R = this.opts.adaptiveRatio;
    // Near black, hue and saturation are noise and the histogram jumps as a fade begins.
    const histogram = this.histogram[p] >= this.opts.threshold && !this.isDark(p) && !this.isDark(p - 1);
    if (c >= this.opts.minContent) return ratio >= (histogram ? AGREED_RATIO_SHARE * R : R);
    return histogram && ratio >= R;
  }

  /** Whether the picture before `p` comes back within the window (a flash, a flicker), or `p`'s was there just before. */
  private isFlash(p: number): boolean {
    const w = this.opts.window;
    const last = this.indices.length - 1;
    const limit = this.content[p] / this.opts.adaptiveRatio;
    for (let a = Math.max(0, p - 1 - w); a < p; a++) {
      for (let b = p; b <= Math.min(last, a + w + 1); b++) {
        if (a === p - 1 && b === p) continue;
        const A = this.ring[a % this.ringSize];
        const B = this.ring[b % this.ringSize];
        if (contentDistance(A.samples, B.samples) <= limit && histogramDistance(A.hist, B.hist) < this.opts.threshold) return true;
      }
    }
    return false;
  }
}
