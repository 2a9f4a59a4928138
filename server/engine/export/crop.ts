// Crop geometry on full-resolution frames.
import type { BBox } from '../types';

export interface Size {
  width: number;
  height: number;
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The box grown by `pad` × its size on each side (faces read better with some context),
 * snapped outward to whole pixels and clipped to the frame. Null when nothing is left inside.
 */
export function cropRect(bbox: BBox, frameWidth: number, frameHeight: number, pad: number): Rect | null {
  const px = pad * (bbox[2] - bbox[0]);
  const py = pad * (bbox[3] - bbox[1]);
  const left = Math.max(0, Math.floor(bbox[0] - px));
  const top = Math.max(0, Math.floor(bbox[1] - py));
  const right = Math.min(frameWidth, Math.ceil(bbox[2] + px));
  const bottom = Math.min(frameHeight, Math.ceil(bbox[3] + py));
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : null;
}

/** Copy `rect` out of a packed rgb24 frame into its own packed buffer (one memcpy per row). */
export function copyRect(rgb: Buffer, frameWidth: number, rect: Rect): Buffer {
  const rowBytes = rect.width * 3;
  const out = Buffer.allocUnsafe(rowBytes * rect.height);
  for (let y = 0; y < rect.height; y++) {
    const src = ((rect.top + y) * frameWidth + rect.left) * 3;
    rgb.copy(out, y * rowBytes, src, src + rowBytes);
  }
  return out;
}

/** The size that fits `rect` inside maxSide × maxSide, keeping its aspect; undefined when it fits already or maxSide is 0. */
export function fitInside(rect: Size, maxSide: number): Size | undefined {
  const longer = Math.max(rect.width, rect.height);
  if (!maxSide || longer <= maxSide) return undefined;
  const scale = maxSide / longer;
  return { width: Math.max(1, Math.round(rect.width * scale)), height: Math.max(1, Math.round(rect.height * scale)) };
}
