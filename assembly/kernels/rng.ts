// Seeded random numbers in WASM memory: xoshiro128** (Blackman & Vigna 2018) with its 4 x u32 state at
// a caller-owned pointer `state` (16 bytes), seeded by the same splitmix32 expansion as src/rng.ts. So a
// seed gives the same u32 stream here and in TypeScript, and every stream is an explicit buffer: two
// generators never share state by accident, and a saved state replays exactly.
//
// The generator is sequential, so these kernels are scalar in every build (SIMD would need 4
// interleaved streams, i.e. a different stream); the release and scalar builds give identical bits.
// see: https://prng.di.unimi.it/xoshiro128starstar.c (algorithm), src/rng.ts (the TS twin).

// 2^-24: (x >>> 8) * 2^-24 is a uniform float in [0, 1) with 24 random bits, exact in f32.
const INV_2_24: f32 = 5.9604644775390625e-8;
// 2*pi rounded to f32 (6.2831855...), the Box-Muller angle scale.
const TWO_PI: f32 = 6.2831853071795864;

// Every kernel copies the state into four locals (a, b, c, d), advances them with STEP, and stores them
// back once: locals stay in registers (wasm globals would be memory traffic on every step).
// STEP (xoshiro128**), written out in each loop because AssemblyScript has no macros:
//   x = rotl(b * 5, 7) * 9; t = b << 9; c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11)

/** splitmix32 output for the (already advanced) splitmix state s. */
@inline function mix32(s: u32): u32 {
  let z = s;
  z = (z ^ (z >>> 16)) * 0x85ebca6b;
  z = (z ^ (z >>> 13)) * 0xc2b2ae35;
  return z ^ (z >>> 16);
}

/** state[0..4) = four splitmix32 outputs from `seed` (state never all zero), as seedState() in src/rng.ts. */
export function rng_seed(seed: i32, state: usize): void {
  let s = <u32>seed;
  s += 0x9e3779b9; let a = mix32(s);
  s += 0x9e3779b9; const b = mix32(s);
  s += 0x9e3779b9; const c = mix32(s);
  s += 0x9e3779b9; const d = mix32(s);
  if ((a | b | c | d) == 0) a = 1;
  store<u32>(state, a); store<u32>(state, b, 4); store<u32>(state, c, 8); store<u32>(state, d, 12);
}

/** The next u32 of the stream at `state` (JavaScript sees it as a signed i32: use `>>> 0`). For tests. */
export function rng_next_u32(state: usize): u32 {
  let a = load<u32>(state), b = load<u32>(state, 4), c = load<u32>(state, 8), d = load<u32>(state, 12);
  const x = rotl<u32>(b * 5, 7) * 9; const t = b << 9; c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
  store<u32>(state, a); store<u32>(state, b, 4); store<u32>(state, c, 8); store<u32>(state, d, 12);
  return x;
}

/**
 * out[i] = lo + (hi - lo) * u_i, u_i = (x_i >>> 8) * 2^-24 in [0, 1), for i < n, in f32 with the
 * rounding order (hi - lo) first, then the product, then the sum. Consumes n u32 from `state`.
 */
export function f32_uniform(n: i32, lo: f32, hi: f32, state: usize, out: usize): void {
  const w = hi - lo;
  let a = load<u32>(state), b = load<u32>(state, 4), c = load<u32>(state, 8), d = load<u32>(state, 12);
  for (let i = 0; i < n; i++) {
    const x = rotl<u32>(b * 5, 7) * 9; const t = b << 9; c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
    store<f32>(out + (<usize>i << 2), lo + w * (<f32>(x >>> 8) * INV_2_24));
  }
  store<u32>(state, a); store<u32>(state, b, 4); store<u32>(state, c, 8); store<u32>(state, d, 12);
}

/**
 * out[i] = mean + std * z_i, z_i standard normal by Box-Muller on pairs of uniforms:
 *   u1 = ((x1 >>> 8) + 1) * 2^-24 in (0, 1] (never log 0), u2 = (x2 >>> 8) * 2^-24 in [0, 1),
 *   r = sqrt(-2 ln u1), t = 2pi * u2 (f32), z = r cos t then r sin t.
 * Pairs fill out[0,1], out[2,3], …; an odd n uses only the cosine half of the last pair. So n values
 * consume 2 * ceil(n / 2) u32. All in f32 with AssemblyScript's Mathf.log/cos/sin (musl ports: pure
 * wasm arithmetic, the same bits in every engine). Largest |z| = sqrt(2 * 24 ln 2) ~ 5.77.
 */
export function f32_normal(n: i32, mean: f32, std: f32, state: usize, out: usize): void {
  let a = load<u32>(state), b = load<u32>(state, 4), c = load<u32>(state, 8), d = load<u32>(state, 12);
  for (let i = 0; i < n; i += 2) {
    const x1 = rotl<u32>(b * 5, 7) * 9; let t = b << 9; c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
    const x2 = rotl<u32>(b * 5, 7) * 9; t = b << 9; c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
    const u1 = <f32>((x1 >>> 8) + 1) * INV_2_24;
    const u2 = <f32>(x2 >>> 8) * INV_2_24;
    const r = Mathf.sqrt(<f32>-2 * Mathf.log(u1));
    const th = TWO_PI * u2;
    const o = out + (<usize>i << 2);
    store<f32>(o, mean + std * (r * Mathf.cos(th)));
    if (i + 1 < n) store<f32>(o, mean + std * (r * Mathf.sin(th)), 4);
  }
  store<u32>(state, a); store<u32>(state, b, 4); store<u32>(state, c, 8); store<u32>(state, d, 12);
}

/**
 * out[i] = u_i < scale * p[i] ? 1 : 0 for i < n (u_i as in f32_uniform; scale * p[i] rounded to f32).
 * Poisson spike encoding: p = pixel intensities in [0, 1], scale = rate * dt. out may alias p.
 * Consumes n u32 from `state`.
 */
export function f32_bernoulli(n: i32, scale: f32, p: usize, state: usize, out: usize): void {
  let a = load<u32>(state), b = load<u32>(state, 4), c = load<u32>(state, 8), d = load<u32>(state, 12);
  for (let i = 0; i < n; i++) {
    const x = rotl<u32>(b * 5, 7) * 9; const t = b << 9; c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl<u32>(d, 11);
    const o = <usize>i << 2;
    store<f32>(out + o, <f32>(x >>> 8) * INV_2_24 < scale * load<f32>(p + o) ? <f32>1 : <f32>0);
  }
  store<u32>(state, a); store<u32>(state, b, 4); store<u32>(state, c, 8); store<u32>(state, d, 12);
}
