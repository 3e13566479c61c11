// Slow twin of assembly/kernels/encode.ts (f32_poisson_rows): the counter-based Poisson encoder, with the
// SplitMix64 finaliser in BigInt modulo 2^64, MurmurHash3's fmix32 in u32 (Math.imul, >>> 0) and the
// spike test in f32 (Math.fround), drawing for every pixel (the kernel skips the draws whose outcome is
// certain and draws four pixels at a time; the bits must not differ).
const M64 = (1n << 64n) - 1n;
const GAMMA32 = 0x9e3779b9;

/** SplitMix64's finaliser (Stafford's variant 13) on a u64 given as a BigInt. */
export function mix64(z: bigint): bigint {
  z &= M64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M64;
  return z ^ (z >> 31n);
}

const u32 = (x: number) => BigInt(x >>> 0);

/** MurmurHash3's 32-bit finaliser on a u32. */
export function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The uniform in [0, 1) (24 bits) for pixel i of row `row` at `step` of `window` under `seed`. */
export function poissonUniform(seed: number, window: number, step: number, row: number, i: number): number {
  const key = mix64((u32(seed) << 32n) | u32(window));
  const base = mix64(key ^ ((u32(step) << 32n) | u32(row)));
  const lo = Number(base & 0xffffffffn), hi = Number(base >> 32n);
  return ((fmix32((lo + Math.imul(i + 1, GAMMA32)) >>> 0) ^ hi) >>> 8) * 2 ** -24;
}

/** out[r·n + i] for rows [row0, row0 + rows); returns the spike count. */
export function poissonRows(rows: number, n: number, scale: number, seed: number, window: number, step: number, row0: number, p: ArrayLike<number>, out: Float32Array): number {
  let count = 0;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < n; i++) {
      const s = poissonUniform(seed, window, step, row0 + r, i) < Math.fround(Math.fround(scale) * p[r * n + i]!) ? 1 : 0;
      out[r * n + i] = s;
      count += s;
    }
  }
  return count;
}

/** f32_poisson_prepare: per row, the pixels with scale·p > 0 (the f32 product) in increasing order, and that product. */
export function poissonPrepare(rows: number, n: number, scale: number, p: ArrayLike<number>): { idx: number[][]; q: number[][] } {
  const idx: number[][] = [], q: number[][] = [];
  for (let r = 0; r < rows; r++) {
    idx.push([]); q.push([]);
    for (let i = 0; i < n; i++) {
      const qi = Math.fround(Math.fround(scale) * p[r * n + i]!);
      if (qi > 0) { idx[r]!.push(i); q[r]!.push(qi); }
    }
  }
  return { idx, q };
}

/** f32_poisson_sparse_rows: per row, the listed pixels that spike (uniform < q; q >= 1 always). */
export function poissonSparseRows(seed: number, window: number, step: number, row0: number, lit: { idx: number[][]; q: number[][] }): number[][] {
  return lit.idx.map((row, r) => row.filter((i, e) => poissonUniform(seed, window, step, row0 + r, i) < lit.q[r]![e]!));
}
