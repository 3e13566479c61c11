// The data movement of 2-D convolution and pooling, channels last (NHWC): example b's pixel (y, x),
// channel c is element ((b·h + y)·w + x)·c_n + c. The convolution's arithmetic is the GEMM (a
// convolution is a dense layer over the patches im2col lays out); these kernels move data and pool.
//
// Patch layout (im2col): one row per (example, output y, output x), in that order; each row is the
// k×k×c window in (ky, kx, channel) order, zeros where the window lies in the padding. So a kernel
// stored [out, k·k·c] in the same order gives the convolution as cols · Wᵀ.
// Sizes: ho = (h + 2p − k)/s + 1 and wo likewise (floor), checked by the TypeScript wrappers
// (src/backend/conv.ts), which also check that every buffer holds its whole array.
//
// Summation order, the same in both builds (SIMD lanes are separate channels, never one sum split):
// col2im adds patch entries onto pixels in row order of cols, then ky, kx, channel; the pooling
// backward passes scatter in output order, then ky, kx; average pooling sums its window in (ky, kx)
// order and multiplies by 1/(k·k) rounded to f32.
import { axpy } from "./event";

/**
 * cols[(b·ho + oy)·wo + ox, (ky·k + kx)·c + ch] = x[b, oy·s − p + ky, ox·s − p + kx, ch], 0 outside the
 * image, for b < n. x is f32[n, h, w, c], cols f32[n·ho·wo, k·k·c]; they must not overlap.
 */
export function f32_im2col(n: i32, h: i32, w: i32, c: i32, k: i32, s: i32, p: i32, ho: i32, wo: i32, x: usize, cols: usize): void {
  const runBytes = <usize>(k * c) << 2;
  const pixBytes = <usize>c << 2;
  const imgBytes = <usize>(h * w * c) << 2;
  let dst = cols;
  for (let b = 0; b < n; b++) {
    const img = x + <usize>b * imgBytes;
    for (let oy = 0; oy < ho; oy++) {
      const iy0 = oy * s - p;
      for (let ox = 0; ox < wo; ox++) {
        const ix0 = ox * s - p;
        const lo = max(0, -ix0), hi = min(k, w - ix0);
        for (let ky = 0; ky < k; ky++) {
          const iy = iy0 + ky;
          if (iy < 0 || iy >= h || hi <= lo) {
            memory.fill(dst, 0, runBytes);
          } else {
            if (lo > 0) memory.fill(dst, 0, <usize>lo * pixBytes);
            memory.copy(dst + <usize>lo * pixBytes, img + <usize>(iy * w + ix0 + lo) * pixBytes, <usize>(hi - lo) * pixBytes);
            if (hi < k) memory.fill(dst + <usize>hi * pixBytes, 0, <usize>(k - hi) * pixBytes);
          }
          dst += runBytes;
        }
      }
    }
  }
}

/** y[i] += x[i] for i < len (f32, SIMD over groups of 4, then the tail). */
// @ts-ignore: decorator
@inline function accumulate(len: i32, src: usize, dst: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/**
 * The adjoint of f32_im2col: x = 0, then every patch entry of cols is added onto the pixel it was read
 * from (entries in the padding are dropped). Same sizes as f32_im2col; x must not overlap cols.
 */
export function f32_col2im(n: i32, h: i32, w: i32, c: i32, k: i32, s: i32, p: i32, ho: i32, wo: i32, cols: usize, x: usize): void {
  const runBytes = <usize>(k * c) << 2;
  const pixBytes = <usize>c << 2;
  const imgBytes = <usize>(h * w * c) << 2;
  memory.fill(x, 0, <usize>n * imgBytes);
  let src = cols;
  for (let b = 0; b < n; b++) {
    const img = x + <usize>b * imgBytes;
    for (let oy = 0; oy < ho; oy++) {
      const iy0 = oy * s - p;
      for (let ox = 0; ox < wo; ox++) {
        const ix0 = ox * s - p;
        const lo = max(0, -ix0), hi = min(k, w - ix0);
        for (let ky = 0; ky < k; ky++) {
          const iy = iy0 + ky;
          if (iy >= 0 && iy < h && hi > lo) {
            accumulate((hi - lo) * c, src + <usize>lo * pixBytes, img + <usize>(iy * w + ix0 + lo) * pixBytes);
          }
          src += runBytes;
        }
      }
    }
  }
}

/**
 * Max pooling over k×k windows at stride s (no padding): out[b, oy, ox, ch] = the largest x in the
 * window (the first one in (ky, kx) order on ties; a NaN is never chosen over a number after it, and a
 * NaN first in its window is kept only if nothing compares greater), arg[b, oy, ox, ch] its element
 * index within example b's row ((y·w + x)·c + ch). x f32[n, h, w, c], out f32[n, ho, wo, c], arg
 * i32[n, ho, wo, c].
 */
export function f32_maxpool(n: i32, h: i32, w: i32, c: i32, k: i32, s: i32, ho: i32, wo: i32, x: usize, out: usize, arg: usize): void {
  const imgBytes = <usize>(h * w * c) << 2;
  let o = <usize>0; // byte offset of the output pixel in out and arg
  for (let b = 0; b < n; b++) {
    const img = x + <usize>b * imgBytes;
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const first = (oy * s * w + ox * s) * c; // element index of the window's top-left pixel, channel 0
        let ch = 0;
        if (ASC_FEATURE_SIMD) {
          for (; ch + 4 <= c; ch += 4) {
            let m = v128.load(img + (<usize>(first + ch) << 2));
            let mi = i32x4.add(i32x4.splat(first + ch), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));
            for (let ky = 0; ky < k; ky++) {
              for (let kx = 0; kx < k; kx++) {
                if (ky == 0 && kx == 0) continue;
                const e = ((oy * s + ky) * w + ox * s + kx) * c + ch;
                const v = v128.load(img + (<usize>e << 2));
                const gt = f32x4.gt(v, m);
                m = v128.bitselect(v, m, gt);
                mi = v128.bitselect(i32x4.add(i32x4.splat(e), v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0)), mi, gt);
              }
            }
            v128.store(out + o + (<usize>ch << 2), m);
            v128.store(arg + o + (<usize>ch << 2), mi);
          }
        }
        for (; ch < c; ch++) {
          let best = first + ch;
          let m = load<f32>(img + (<usize>best << 2));
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const e = ((oy * s + ky) * w + ox * s + kx) * c + ch;
              const v = load<f32>(img + (<usize>e << 2));
              if (v > m) { m = v; best = e; }
            }
          }
          store<f32>(out + o + (<usize>ch << 2), m);
          store<i32>(arg + o + (<usize>ch << 2), best);
        }
        o += <usize>c << 2;
      }
    }
  }
}

/**
 * The max pooling backward pass: dx = 0, then dx[b, arg[b, j]] += g[b, j] for every output j of
 * example b, in output order. g f32[n, ho·wo·c], arg i32[n, ho·wo·c] (from f32_maxpool, every entry
 * < h·w·c), dx f32[n, h·w·c]; dx must not overlap g or arg.
 */
export function f32_maxpool_bwd(n: i32, inSize: i32, outSize: i32, g: usize, arg: usize, dx: usize): void {
  memory.fill(dx, 0, <usize>(n * inSize) << 2);
  for (let b = 0; b < n; b++) {
    const img = dx + (<usize>(b * inSize) << 2);
    const base = <usize>(b * outSize) << 2;
    for (let j = 0; j < outSize; j++) {
      const o = base + (<usize>j << 2);
      const e = img + (<usize>load<i32>(arg + o) << 2);
      store<f32>(e, load<f32>(e) + load<f32>(g + o));
    }
  }
}

/**
 * Average pooling over k×k windows at stride s (no padding): out = (Σ_window x)·f32(1/(k·k)), the sum in
 * (ky, kx) order. x f32[n, h, w, c], out f32[n, ho, wo, c], not overlapping.
 */
export function f32_avgpool(n: i32, h: i32, w: i32, c: i32, k: i32, s: i32, ho: i32, wo: i32, x: usize, out: usize): void {
  const imgBytes = <usize>(h * w * c) << 2;
  const inv = <f32>(1.0 / <f64>(k * k));
  let o = out;
  for (let b = 0; b < n; b++) {
    const img = x + <usize>b * imgBytes;
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        let ch = 0;
        if (ASC_FEATURE_SIMD) {
          for (; ch + 4 <= c; ch += 4) {
            let acc = f32x4.splat(0);
            for (let ky = 0; ky < k; ky++) {
              for (let kx = 0; kx < k; kx++) {
                const e = ((oy * s + ky) * w + ox * s + kx) * c + ch;
                acc = f32x4.add(acc, v128.load(img + (<usize>e << 2)));
              }
            }
            v128.store(o + (<usize>ch << 2), f32x4.mul(acc, f32x4.splat(inv)));
          }
        }
        for (; ch < c; ch++) {
          let acc: f32 = 0;
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              acc += load<f32>(img + (<usize>(((oy * s + ky) * w + ox * s + kx) * c + ch) << 2));
            }
          }
          store<f32>(o + (<usize>ch << 2), acc * inv);
        }
        o += <usize>c << 2;
      }
    }
  }
}

/**
 * The average pooling backward pass: dx = 0, then g·f32(1/(k·k)) is added to every pixel of its window,
 * outputs in order, windows in (ky, kx) order. g f32[n, ho, wo, c], dx f32[n, h, w, c], not overlapping.
 */
export function f32_avgpool_bwd(n: i32, h: i32, w: i32, c: i32, k: i32, s: i32, ho: i32, wo: i32, g: usize, dx: usize): void {
  const imgBytes = <usize>(h * w * c) << 2;
  const inv = <f32>(1.0 / <f64>(k * k));
  memory.fill(dx, 0, <usize>n * imgBytes);
  let o = g;
  for (let b = 0; b < n; b++) {
    const img = dx + <usize>b * imgBytes;
    for (let oy = 0; oy < ho; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const px = img + (<usize>(((oy * s + ky) * w + ox * s + kx) * c) << 2);
            let ch = 0;
            if (ASC_FEATURE_SIMD) {
              const vinv = f32x4.splat(inv);
              for (; ch + 4 <= c; ch += 4) {
                const q = <usize>ch << 2;
                v128.store(px + q, f32x4.add(v128.load(px + q), f32x4.mul(v128.load(o + q), vinv)));
              }
            }
            for (; ch < c; ch++) {
              const q = <usize>ch << 2;
              store<f32>(px + q, load<f32>(px + q) + load<f32>(o + q) * inv);
            }
          }
        }
        o += <usize>c << 2;
      }
    }
  }
}

/**
 * out[b, t·cols + j] = x[b, j] for t < times: each row of x repeated `times` times along its row (a
 * signal per example handed to every output position of a convolution). x f32[n, cols], out
 * f32[n, times·cols], not overlapping.
 */
export function f32_repeat_cols(n: i32, cols: i32, times: i32, x: usize, out: usize): void {
  const rowBytes = <usize>cols << 2;
  let dst = out;
  for (let b = 0; b < n; b++) {
    const src = x + <usize>b * rowBytes;
    for (let t = 0; t < times; t++) {
      memory.copy(dst, src, rowBytes);
      dst += rowBytes;
    }
  }
}

/**
 * Event-driven convolution (scatter): out[n, ho·wo·O] = conv(x, W) without bias, where wt = Wᵀ
 * [k·k·c, O] and x f32[n, h, w, c] is mostly zero (spikes, or average-pooled spikes). Each nonzero input
 * x[b, y, x, ch] adds x·wt[(ky·k + kx)·c + ch, :] (the rounded product, then the sum) to every output
 * pixel (oy, ox) whose window holds it at (ky, kx): oy·s − p + ky = y, ox·s − p + kx = x. The work is
 * nonzeros × k² × O instead of positions × k²·c × O.
 * Order: inputs are visited in increasing element index (y, x, ch), so every output element receives
 * its terms in increasing patch index (ky, kx, ch), from +0: the order of the GEMM over im2col's patches
 * when k·k·c <= KC (one K block). Skipped terms are 0·w = ±0, which leave a sum unchanged (up to the sign
 * of an exact zero), so then the result is bit-identical to f32_im2col + f32_gemm_nt. With k·k·c > KC the
 * GEMM sums each KC block apart and adds the blocks; here the same terms form one running sum.
 * Returns the number of nonzero inputs. out must not overlap x or wt; out is write-only.
 */
export function f32_event_conv(n: i32, h: i32, w: i32, c: i32, k: i32, s: i32, p: i32, ho: i32, wo: i32, o: i32, x: usize, wt: usize, out: usize): i32 {
  const inSize = h * w * c, outBytes = <usize>(ho * wo * o) << 2, rowBytes = <usize>o << 2;
  memory.fill(out, 0, <usize>n * outBytes);
  let events = 0;
  for (let b = 0; b < n; b++) {
    const img = x + (<usize>(b * inSize) << 2), dst = out + <usize>b * outBytes;
    let e = 0;
    if (ASC_FEATURE_SIMD) { // four inputs per test: one well-predicted branch where most inputs are silent
      const vzero = f32x4.splat(0);
      for (; e + 4 <= inSize; e += 4) {
        let mask = i32x4.bitmask(f32x4.ne(v128.load(img + (<usize>e << 2)), vzero));
        while (mask != 0) { // the nonzero lanes in increasing e, as the scalar loop visits them
          const ee = e + <i32>ctz<i32>(mask);
          scatter(ee, load<f32>(img + (<usize>ee << 2)), w, c, k, s, p, ho, wo, o, wt, rowBytes, dst);
          events++;
          mask &= mask - 1;
        }
      }
    }
    for (; e < inSize; e++) {
      const v = load<f32>(img + (<usize>e << 2));
      if (v == 0) continue;
      scatter(e, v, w, c, k, s, p, ho, wo, o, wt, rowBytes, dst);
      events++;
    }
  }
  return events;
}

/** Input element e (value v) of one example: dst[(oy·wo + ox)·O + :] += v·wt[(ky·k + kx)·c + ch, :]
 *  for every window (oy, ox) that holds it. */
// @ts-ignore: decorator
@inline function scatter(e: i32, v: f32, w: i32, c: i32, k: i32, s: i32, p: i32, ho: i32, wo: i32, o: i32, wt: usize, rowBytes: usize, dst: usize): void {
  const ch = e % c, pix = e / c, y = pix / w + p, xx = pix % w + p; // padded coordinates
  // ky = y − oy·s for oy in [max(0, ⌈(y − k + 1)/s⌉), min(ho − 1, ⌊y/s⌋)]; likewise kx
  const oy1 = min(ho - 1, y / s), ox1 = min(wo - 1, xx / s);
  const oy0 = y >= k ? (y - k + s) / s : 0, ox0 = xx >= k ? (xx - k + s) / s : 0;
  for (let oy = oy0; oy <= oy1; oy++) {
    const ky = y - oy * s;
    for (let ox = ox0; ox <= ox1; ox++) {
      const kx = xx - ox * s;
      axpy(o, v, wt + <usize>((ky * k + kx) * c + ch) * rowBytes, dst + <usize>(oy * wo + ox) * rowBytes);
    }
  }
}
