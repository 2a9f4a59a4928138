// `tiles: auto`: tile passes only where a small face is likely, so that their cost follows the
// content rather than the frame count.
//   - After the start, after every scene cut, and every `refresh` analysed frames: the whole
//     grid (new small faces are found there).
//   - Otherwise: regions around the faces that need tiles, each a quarter of a tile at the
//     tile's scale (so a face looks as it does in the grid), four to an inference (a 2×2 mosaic
//     of 160×120 cells; smaller cells, 80×80, lost a fifth of the recall here for little saving):
//       the previous analysed frame's tile-only faces (the whole frame missed them), and
//       whole-frame boxes smaller than `small_face` of the frame height, down to a weak score
//       (a face the whole frame barely sees; a crowd may hold more).
//   - No hint and no refresh due: no tile pass at all.
import type { BBox } from '../types';
import type { MosaicLayout } from './face-detector';
import type { SourceDetection } from './rfb-decode';
import { tileGrid, type Region } from './tiles';

export interface AutoTileSettings {
  /** [cols, rows] of the grid whose scale the regions share, and which refreshes run. */
  grid: [number, number];
  /** Whole-frame faces below this fraction of the frame height mark their surroundings. */
  small_face: number;
  /** Analysed frames between whole-grid passes; 0: only at the start and after cuts. */
  refresh: number;
}

export type TilePlan =
  | { kind: 'none' }
  | { kind: 'grid'; regions: Region[] }
  /** Regions of a tile's scale for a REGION_LAYOUT mosaic. */
  | { kind: 'cells'; regions: Region[] };

/** Auto's regions share a mosaic input 2 across and 2 down: 160×120 model px each. */
export const REGION_LAYOUT: MosaicLayout = [2, 2];
const PER_INPUT = REGION_LAYOUT[0] * REGION_LAYOUT[1];

/** A hint is grown by this fraction of its size on each side, for motion between analysed frames. */
const MOTION_MARGIN = 0.25;

export class AutoTiles {
  readonly grid: Region[];
  private readonly cellW: number;
  private readonly cellH: number;
  /** Analysed frames since the last whole-grid pass; undefined when one is due. */
  private sinceGrid: number | undefined;
  private tileFaces: BBox[] = [];

  constructor(private readonly frame: { width: number; height: number }, private readonly settings: AutoTileSettings) {
    this.grid = tileGrid(frame.width, frame.height, settings.grid[0], settings.grid[1]);
    this.cellW = Math.floor(this.grid[0].width / REGION_LAYOUT[0]);
    this.cellH = Math.floor(this.grid[0].height / REGION_LAYOUT[1]);
  }

  /** A new shot: what was seen before says nothing about it. */
  onCut(): void {
    this.sinceGrid = undefined;
    this.tileFaces = [];
  }

  /** Where to run tiles on this frame, given the whole-frame pass's boxes (weak ones included). */
  plan(whole: readonly SourceDetection[]): TilePlan {
    const { refresh } = this.settings;
    if (this.sinceGrid === undefined || (refresh > 0 && this.sinceGrid + 1 >= refresh)) {
      this.sinceGrid = 0;
      return { kind: 'grid', regions: this.grid };
    }
    this.sinceGrid++;
    const small = whole.filter((d) => d.bbox[3] - d.bbox[1] < this.settings.small_face * this.frame.height).map((d) => d.bbox);
    const cells = this.cellsAround([...this.tileFaces, ...small].map((b) => grow(b, MOTION_MARGIN)));
    if (cells.length === 0) return { kind: 'none' };
    // Past the grid's own cost, the grid covers more for the same price.
    return Math.ceil(cells.length / PER_INPUT) >= this.grid.length ? { kind: 'grid', regions: this.grid } : { kind: 'cells', regions: cells };
  }

  /** The faces only tiles found on this frame (after the face check): next frame's hints. */
  seen(tileOnly: readonly BBox[]): void {
    this.tileFaces = tileOnly.map((b) => [...b] as BBox);
  }

  /** Cell-sized regions covering the hints: greedy, left to right, a hint joins a cell its union still fits. */
  private cellsAround(hints: BBox[]): Region[] {
    const groups: BBox[] = [];
    for (const h of hints.sort((a, b) => a[0] - b[0])) {
      const g = groups.find((u) => Math.max(u[2], h[2]) - Math.min(u[0], h[0]) <= this.cellW && Math.max(u[3], h[3]) - Math.min(u[1], h[1]) <= this.cellH);
      if (g) [g[0], g[1], g[2], g[3]] = [Math.min(g[0], h[0]), Math.min(g[1], h[1]), Math.max(g[2], h[2]), Math.max(g[3], h[3])];
      else groups.push([...h] as BBox);
    }
    const place = (centre: number, span: number, size: number) => Math.round(Math.min(Math.max(0, centre - span / 2), size - span));
    return groups.map((g) => ({
      left: place((g[0] + g[2]) / 2, this.cellW, this.frame.width),
      top: place((g[1] + g[3]) / 2, this.cellH, this.frame.height),
      width: this.cellW,
      height: this.cellH,
    }));
  }
}

function grow(b: BBox, k: number): BBox {
  const dx = (b[2] - b[0]) * k, dy = (b[3] - b[1]) * k;
  return [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy];
}
