// A linear scale with round ticks (1, 2 or 5 × 10ⁿ apart) for the Sweep plot's axes.

export interface NiceScale {
  /** Domain, widened to whole ticks. */
  lo: number;
  hi: number;
  ticks: number[];
  /** Decimals that write every tick exactly. */
  digits: number;
}

/** Round ticks covering [min, max], about `count` of them; a single value gets room around it. */
export function niceScale(min: number, max: number, count = 5): NiceScale {
  if (max - min < 1e-9) {
    const pad = Math.abs(min) * 0.1 || 1;
    [min, max] = [min - pad, max + pad];
  }
  const raw = (max - min) / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks: number[] = [];
  for (let i = 0; lo + i * step <= hi + step / 2; i++) ticks.push(Number((lo + i * step).toFixed(digits)));
  return { lo, hi, ticks, digits };
}
