// yuv420p → rgb24 of a frame region, on known colours of each matrix and range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Rect } from '../../server/engine/export/crop';
import { defaultYuvColor, yuv420pRectToRgb, yuv420pRectToRgbScaled, yuv420pSize, type YuvColor } from '../../server/engine/decode/yuv';

/** A width × height yuv420p frame whose 2×2 blocks take the given [Y, Cb, Cr] codes in turn. */
function frameOf(width: number, height: number, codes: [number, number, number][]): Buffer {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const buf = Buffer.alloc(yuv420pSize(width, height));
  for (let by = 0; by < ch; by++) {
    for (let bx = 0; bx < cw; bx++) {
      const [y, u, v] = codes[(by * cw + bx) % codes.length];
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const px = 2 * bx + dx;
        const py = 2 * by + dy;
        if (px < width && py < height) buf[py * width + px] = y;
      }
      buf[width * height + by * cw + bx] = u;
      buf[width * height + cw * ch + by * cw + bx] = v;
    }
  }
  return buf;
}

const rgbOf = (codes: [number, number, number], color: YuvColor) =>
  [...yuv420pRectToRgb(frameOf(2, 2, [codes]), 2, 2, { left: 0, top: 0, width: 1, height: 1 }, color)];

function near(got: number[], want: number[], tol: number, what: string): void {
  assert.ok(got.every((g, i) => Math.abs(g - want[i]) <= tol), `${what}: got ${got}, want ${want}`);
}

test('known colours, BT.601 and BT.709, limited and full range', () => {
  const limited601: YuvColor = { matrix: 'bt601', range: 'limited' };
  const limited709: YuvColor = { matrix: 'bt709', range: 'limited' };
  const full601: YuvColor = { matrix: 'bt601', range: 'full' };
  assert.deepEqual(rgbOf([16, 128, 128], limited709), [0, 0, 0]);
  assert.deepEqual(rgbOf([235, 128, 128], limited709), [255, 255, 255]);
  assert.deepEqual(rgbOf([126, 128, 128], limited601), [128, 128, 128]);
  // Primaries as their standards code them (rounded to 8 bits, hence ±2).
  near(rgbOf([81, 90, 240], limited601), [255, 0, 0], 2, '601 red');
  near(rgbOf([145, 54, 34], limited601), [0, 255, 0], 2, '601 green');
  near(rgbOf([41, 240, 110], limited601), [0, 0, 255], 2, '601 blue');
  near(rgbOf([63, 102, 240], limited709), [255, 0, 0], 2, '709 red');
  near(rgbOf([173, 42, 26], limited709), [0, 255, 0], 2, '709 green');
  near(rgbOf([32, 240, 118], limited709), [0, 0, 255], 2, '709 blue');
  near(rgbOf([76, 85, 255], full601), [255, 0, 0], 2, 'full-range 601 red');
  assert.deepEqual(rgbOf([255, 128, 128], full601), [255, 255, 255]);
  // Out-of-gamut codes clamp instead of wrapping.
  assert.deepEqual(rgbOf([0, 0, 0], limited601).map((c) => c >= 0 && c <= 255), [true, true, true]);
  assert.deepEqual(rgbOf([255, 255, 255], limited709)[0], 255);
});

test('a region at odd offsets of an odd-sized frame takes each pixel its own luma and its block chroma', () => {
  const codes: [number, number, number][] = [[60, 100, 200], [180, 150, 90], [120, 128, 128]];
  const width = 7;
  const height = 5;
  const frame = frameOf(width, height, codes);
  const color = defaultYuvColor(height);
  const rect = { left: 1, top: 1, width: 6, height: 4 };
  const out = yuv420pRectToRgb(frame, width, height, rect, color);
  assert.equal(out.length, 6 * 4 * 3);
  const cw = (width + 1) >> 1;
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const px = rect.left + x;
      const py = rect.top + y;
      const want = rgbOf(codes[((py >> 1) * cw + (px >> 1)) % codes.length], color);
      const o = (y * rect.width + x) * 3;
      assert.deepEqual([...out.subarray(o, o + 3)], want, `pixel ${px},${py}`);
    }
  }
});

test('sizes and defaults', () => {
  assert.equal(yuv420pSize(1920, 1080), 1920 * 1080 * 1.5);
  assert.equal(yuv420pSize(7, 5), 35 + 2 * 4 * 3);
  assert.deepEqual(defaultYuvColor(1080), { matrix: 'bt709', range: 'limited' });
  assert.deepEqual(defaultYuvColor(360), { matrix: 'bt601', range: 'limited' });
  assert.throws(() => yuv420pRectToRgb(Buffer.alloc(10), 4, 4, { left: 0, top: 0, width: 1, height: 1 }, defaultYuvColor(4)), RangeError);
});

test('scaled: output pixels average their source area, chroma over 2×2 output pixels; fractional ratios, odd offsets', () => {
  const [width, height] = [13, 11];
  const cw = (width + 1) >> 1;
  const frame = frameOf(width, height, [[60, 110, 150], [180, 140, 110], [120, 128, 128], [90, 100, 160]]);
  for (let i = 0; i < width * height; i++) frame[i] = 70 + ((i * 37) % 100);
  const plane = (p: number, x: number, y: number) => p === 0 ? frame[y * width + x] : frame[width * height + (p - 1) * cw * ((height + 1) >> 1) + (y >> 1) * cw + (x >> 1)];
  const SUB = 16; // sub-samples per pixel: every span below starts and ends on this grid
  /** Mean of a plane's codes over the luma-coordinate box [x0, x1) × [y0, y1). */
  function mean(p: number, x0: number, x1: number, y0: number, y1: number): number {
    let sum = 0;
    const [nx, ny] = [Math.round((x1 - x0) * SUB), Math.round((y1 - y0) * SUB)];
    for (let b = 0; b < ny; b++) for (let a = 0; a < nx; a++) sum += plane(p, Math.floor(x0 + (a + 0.5) / SUB), Math.floor(y0 + (b + 0.5) / SUB));
    return sum / (nx * ny);
  }
  // BT.601 limited range (the frame is 11 lines), written out here as the standard gives it.
  const toRgb = (y: number, u: number, v: number) => [
    1.164 * (y - 16) + 1.596 * (v - 128), 1.164 * (y - 16) - 0.392 * (u - 128) - 0.813 * (v - 128), 1.164 * (y - 16) + 2.017 * (u - 128),
  ];
  const cases: [Rect, number, number][] = [
    [{ left: 3, top: 1, width: 9, height: 7 }, 6, 4],
    [{ left: 2, top: 2, width: 8, height: 6 }, 4, 3],
    [{ left: 1, top: 3, width: 5, height: 5 }, 5, 5],
    [{ left: 0, top: 0, width: 13, height: 11 }, 2, 1],
  ];
  for (const [rect, ow, oh] of cases) {
    const out = yuv420pRectToRgbScaled(frame, width, height, rect, defaultYuvColor(height), ow, oh);
    assert.equal(out.length, ow * oh * 3);
    const [sx, sy] = [rect.width / ow, rect.height / oh];
    const xAt = (i: number) => rect.left + Math.min(i, ow) * sx;
    const yAt = (j: number) => rect.top + Math.min(j, oh) * sy;
    for (let j = 0; j < oh; j++) {
      for (let i = 0; i < ow; i++) {
        const [bi, bj] = [i & ~1, j & ~1];
        const chroma = (p: number) => mean(p, xAt(bi), xAt(bi + 2), yAt(bj), yAt(bj + 2));
        const want = toRgb(mean(0, xAt(i), xAt(i + 1), yAt(j), yAt(j + 1)), chroma(1), chroma(2));
        near([...out.subarray((j * ow + i) * 3, (j * ow + i) * 3 + 3)], want, 1, `${JSON.stringify(rect)} → ${ow}×${oh}, pixel ${i},${j}`);
      }
    }
  }
  assert.throws(() => yuv420pRectToRgbScaled(frame, width, height, { left: 0, top: 0, width: 2, height: 2 }, defaultYuvColor(height), 3, 2), RangeError);
});
