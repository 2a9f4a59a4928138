export const INPUT_WIDTH = 320;
export const INPUT_HEIGHT = 240;
export const INPUT_BYTES = INPUT_WIDTH * INPUT_HEIGHT * 3;

/** Interleaved rgb24 → planar NCHW, (x − 127) / 128, in one pass into a reused array. */
export function rgbToNchw(rgb: Uint8Array, out: Float32Array): void {
  const plane = out.length / 3;
  for (let p = 0, i = 0; p < plane; p++, i += 3) {
    out[p] = (rgb[i] - 127) * 0.0078125;
    out[p + plane] = (rgb[i + 1] - 127) * 0.0078125;
    out[p + 2 * plane] = (rgb[i + 2] - 127) * 0.0078125;
  }
}
