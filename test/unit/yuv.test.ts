// yuv420p → rgb24 of a frame region, on known colours of each matrix and range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockAligned, defaultYuvColor, yuv420pRectToRgb, yuv420pRectToRgbHalf, yuv420pSize, type YuvColor } from '../../server/engine/decode/yuv';

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

test('half resolution: each pixel is its 2×2 block, mean luma with the block chroma; rects grow to whole blocks', () => {
  const [width, height] = [9, 7];
  // Colours well inside the gamut, so that no channel clamps.
  const frame = frameOf(width, height, [[60, 110, 150], [180, 140, 110], [120, 128, 128]]);
  for (let i = 0; i < width * height; i++) frame[i] = 70 + ((i * 37) % 100);
  const color = defaultYuvColor(height);
  assert.deepEqual(blockAligned({ left: 3, top: 1, width: 5, height: 5 }, width, height), { left: 2, top: 0, width: 6, height: 6 });
  assert.deepEqual(blockAligned({ left: 5, top: 2, width: 4, height: 5 }, width, height), { left: 4, top: 2, width: 4, height: 4 }, 'inside the frame');
  const rect = { left: 2, top: 2, width: 6, height: 4 };
  const half = yuv420pRectToRgbHalf(frame, width, height, rect, color);
  const full = yuv420pRectToRgb(frame, width, height, rect, color);
  assert.equal(half.length, 3 * 2 * 3);
  for (let j = 0; j < 2; j++) {
    for (let i = 0; i < 3; i++) {
      for (let ch = 0; ch < 3; ch++) {
        const at = (x: number, y: number) => full[((2 * j + y) * rect.width + 2 * i + x) * 3 + ch];
        const mean = (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1)) / 4;
        assert.ok(Math.abs(half[(j * 3 + i) * 3 + ch] - mean) <= 1, `block ${i},${j} channel ${ch}`);
      }
    }
  }
  assert.throws(() => yuv420pRectToRgbHalf(frame, width, height, { left: 1, top: 0, width: 2, height: 2 }, color), RangeError);
});
