// The Poisson (Bernoulli) spike encoder with counter-based randomness: the uniform that decides pixel i
// of example row r at time step t of presentation window w is a pure function of (seed, w, t, r, i),
// not the next number of a shared sequential stream. So any set of rows can be encoded by any thread in
// any order with the same bits, and a pixel whose spike is certain (probability <= 0 or >= 1) needs no
// draw at all without shifting the draws of the others (about 80 % of MNIST pixels are 0).
//
// Two stages. SplitMix64's finaliser (Steele, Lea & Flood 2014; mix64, Stafford's variant 13, on u64
// modulo 2^64) makes one 64-bit base per (row, step); each pixel's draw is then a 32-bit hash of a Weyl
// sequence in i, MurmurHash3's finaliser fmix32 (Appleby), whose multiplies are 32-bit: four pixels per
// SIMD instruction (WebAssembly has no 64-bit lane multiply), where a 64-bit mix per pixel was the
// encoder's whole cost:
//   key  = mix64((seed << 32) | w)                 (per window; the map (seed, w) -> key is a bijection)
//   base = mix64(key ^ ((t << 32) | r))            (per row and step); lo, hi its low and high 32 bits
//   u_i  = ((fmix32(lo + (i + 1)·gamma32) ^ hi) >>> 8) · 2^-24    a uniform in [0, 1) with 24 bits
//   out_i = u_i < scale·p_i (f32 product) ? 1 : 0
// (u32 arithmetic modulo 2^32 in the second stage). The spike rule is f32_bernoulli's (rng.ts), so only
// the source of u_i differs.

const GAMMA32: u32 = 0x9e3779b9;
const INV_2_24: f32 = 5.9604644775390625e-8;

// @ts-ignore: decorator
@inline function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** MurmurHash3's 32-bit finaliser. */
// @ts-ignore: decorator
@inline function fmix32(h: u32): u32 {
  h = (h ^ (h >> 16)) * 0x85ebca6b;
  h = (h ^ (h >> 13)) * 0xc2b2ae35;
  return h ^ (h >> 16);
}

/** fmix32 on four lanes, the same operations. */
// @ts-ignore: decorator
@inline function fmix32x4(h: v128): v128 {
  h = i32x4.mul(v128.xor(h, i32x4.shr_u(h, 16)), i32x4.splat(0x85ebca6b));
  h = i32x4.mul(v128.xor(h, i32x4.shr_u(h, 13)), i32x4.splat(0xc2b2ae35));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

/** The 24 bits of pixel i's uniform (the header's u_i·2^24) under the base split into lo and hi. */
// @ts-ignore: decorator
@inline function bits24(lo: u32, hi: u32, i: i32): i32 {
  return <i32>((fmix32(lo + <u32>(i + 1) * GAMMA32) ^ hi) >> 8);
}

/**
 * Step `step` of window `window` for rows [row0, row0 + rows) of a (· × n) input: out[r, i] = 1 with
 * probability scale·p[r, i] (see the header), else 0. p and out are the chunk's own rows (row r of them
 * is example row row0 + r). With list != 0, also row r's spiking pixels in increasing order at
 * list + r·n·4 (i32) and their number at counts + r·4 (the spike lists f32_lif_layer_step propagates
 * from); out may then be 0 (not written). Returns the number of spikes. out may not overlap p.
 */
export function f32_poisson_rows(rows: i32, n: i32, scale: f32, seed: i32, window: i32, step: i32, row0: i32, p: usize, out: usize, list: usize, counts: usize): i32 {
  const key = mix64((<u64><u32>seed << 32) | <u64><u32>window);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = mix64(key ^ ((<u64><u32>step << 32) | <u64><u32>(row0 + r))), lo = <u32>base, hi = <u32>(base >> 32);
    const row = <usize>r * (<usize>n << 2), lrow = list + row;
    let count = 0;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      // Four pixels at a time: a group whose probabilities are all <= 0 is written as zeros at once.
      const vscale = f32x4.splat(scale), vzero = f32x4.splat(0);
      for (; i + 4 <= n; i += 4) {
        const o = row + (<usize>i << 2);
        const q = f32x4.mul(vscale, v128.load(p + o));
        if (!v128.any_true(f32x4.gt(q, vzero))) { if (out != 0) v128.store(out + o, vzero); continue; }
        for (let l = 0; l < 4; l++) count = emit(draw(lo, hi, i + l, scale * load<f32>(p + o + (<usize>l << 2))), i + l, out + o + (<usize>l << 2), out, list, lrow, count);
      }
    }
    for (; i < n; i++) {
      const o = row + (<usize>i << 2);
      count = emit(draw(lo, hi, i, scale * load<f32>(p + o)), i, out + o, out, list, lrow, count);
    }
    if (list != 0) store<i32>(counts + (<usize>r << 2), count);
    total += count;
  }
  return total;
}

/** Pixel i's spike (probability q), drawing only when q is in (0, 1). */
// @ts-ignore: decorator
@inline function draw(lo: u32, hi: u32, i: i32, q: f32): i32 {
  if (q >= 1) return 1;
  if (!(q > 0)) return 0;
  const u = <f32>bits24(lo, hi, i) * INV_2_24;
  return u < q ? 1 : 0;
}

/**
 * draw() without a branch, for the listed pixels (mostly uncertain ones): u < q for u = k·2^-24 (k the
 * draw's 24 bits) is k < q·2^24, exact in f32 (a power-of-two scale), so for the integer k it is
 * k < ceil(q·2^24). The conversion saturates: q >= 1 gives at least 2^24 (always), q <= 0 and NaN at
 * most 0 (never), as draw() decides them. An integer compare instead of a conversion and two tests.
 */
// @ts-ignore: decorator
@inline function drawBelow(lo: u32, hi: u32, i: i32, q: f32): i32 {
  return i32(bits24(lo, hi, i) < <i32>Mathf.ceil(q * 16777216.0));
}

/** Writes spike s of pixel i at `at` (when out != 0) and, when list != 0, to the row's list at lrow;
 *  returns the row's new count. The index is written at the list's end whatever s is (no branch on the
 *  spike), and the end advances only past a spike: slot count <= i, inside the row. */
// @ts-ignore: decorator
@inline function emit(s: i32, i: i32, at: usize, out: usize, list: usize, lrow: usize, count: i32): i32 {
  if (out != 0) store<f32>(at, <f32>s);
  if (list != 0) store<i32>(lrow + (<usize>count << 2), i);
  return count + s;
}

/**
 * The pixels of rows [0, rows) that can spike in a window, once per window for f32_poisson_sparse_rows:
 * row r's pixels with scale·p > 0 (f32 product, as f32_poisson_rows forms it) in increasing order, their
 * index at idx + r·n·4 (i32) and that probability at q + r·n·4 (f32), their number at nnz + r·4.
 * MNIST lights about a fifth of its pixels, so a step then visits those only. Returns their total.
 */
export function f32_poisson_prepare(rows: i32, n: i32, scale: f32, p: usize, idx: usize, q: usize, nnz: usize): i32 {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * (<usize>n << 2);
    let c = 0;
    for (let i = 0; i < n; i++) {
      const qi = scale * load<f32>(p + row + (<usize>i << 2));
      if (qi > 0) {
        store<i32>(idx + row + (<usize>c << 2), i);
        store<f32>(q + row + (<usize>c << 2), qi);
        c++;
      }
    }
    store<i32>(nnz + (<usize>r << 2), c);
    total += c;
  }
  return total;
}

/**
 * f32_poisson_rows as spike lists only, visiting the pixels f32_poisson_prepare listed (the others
 * cannot spike): the same draws, so the same spikes, at list + r·n·4 and counts + r·4. Rows are the
 * chunk's own (example row row0 + r). Returns the number of spikes.
 */
export function f32_poisson_sparse_rows(rows: i32, n: i32, seed: i32, window: i32, step: i32, row0: i32, idx: usize, q: usize, nnz: usize, list: usize, counts: usize): i32 {
  const key = mix64((<u64><u32>seed << 32) | <u64><u32>window);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const base = mix64(key ^ ((<u64><u32>step << 32) | <u64><u32>(row0 + r))), lo = <u32>base, hi = <u32>(base >> 32);
    const row = <usize>r * (<usize>n << 2), lrow = list + row;
    const c = min(max(load<i32>(nnz + (<usize>r << 2)), 0), n); // this core's own count; never past the row
    let count = 0;
    let e = 0;
    if (ASC_FEATURE_SIMD) {
      // drawBelow on four listed pixels at once; the indices are written at the list's end whatever the
      // draws (no branch on a spike) and the end advances past the pixels that spiked, as the fused layer
      // step writes its lists.
      const vlo = i32x4.splat(lo), vhi = i32x4.splat(hi), vg = i32x4.splat(GAMMA32), vone = i32x4.splat(1), v224 = f32x4.splat(16777216.0);
      for (; e + 4 <= c; e += 4) {
        const o = row + (<usize>e << 2);
        const vi = v128.load(idx + o);
        const k = i32x4.shr_u(v128.xor(fmix32x4(i32x4.add(vlo, i32x4.mul(i32x4.add(vi, vone), vg))), vhi), 8);
        const mask = i32x4.bitmask(i32x4.lt_s(k, i32x4.trunc_sat_f32x4_s(f32x4.ceil(f32x4.mul(v128.load(q + o), v224)))));
        store<i32>(lrow + (<usize>count << 2), i32x4.extract_lane(vi, 0)); count += mask & 1;
        store<i32>(lrow + (<usize>count << 2), i32x4.extract_lane(vi, 1)); count += (mask >> 1) & 1;
        store<i32>(lrow + (<usize>count << 2), i32x4.extract_lane(vi, 2)); count += (mask >> 2) & 1;
        store<i32>(lrow + (<usize>count << 2), i32x4.extract_lane(vi, 3)); count += (mask >> 3) & 1;
      }
    }
    for (; e < c; e++) { // the tail, and the whole row in the scalar build
      const i = load<i32>(idx + row + (<usize>e << 2));
      store<i32>(lrow + (<usize>count << 2), i); // at the list's end whatever the draw; kept only on a spike
      count += drawBelow(lo, hi, i, load<f32>(q + row + (<usize>e << 2)));
    }
    store<i32>(counts + (<usize>r << 2), count);
    total += count;
  }
  return total;
}

