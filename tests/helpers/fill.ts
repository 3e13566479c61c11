// Seeded test data, independent of the WASM RNG (so a broken kernel RNG cannot hide behind it).

/** mulberry32: a small, well-known 32-bit PRNG; returns a function giving floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `out` with uniform values in [lo, hi) from `seed`, rounded to float32. Returns `out`. */
export function fillSeeded<T extends { length: number; [i: number]: number }>(out: T, seed: number, lo = -1, hi = 1): T {
  const r = mulberry32(seed);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(lo + (hi - lo) * r());
  return out;
}

/** A new Float32Array of length n filled by fillSeeded. */
export function seeded(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  return fillSeeded(new Float32Array(n), seed, lo, hi);
}

/** Sizes that straddle the 4-lane SIMD width and the GEMM register tile. */
export const EDGE_SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 63, 65] as const;
