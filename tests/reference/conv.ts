// Slow, obviously-correct twins of assembly/kernels/conv.ts and of the convolution the backend builds
// on it (src/backend/conv.ts), written from the definitions: direct loops over the (y, x, channel)
// indices, channels last. The convolutions accumulate in float64 and return, per element, the magnitude
// Σ|terms| that rounding bounds scale with; the data-movement twins round like the kernel (Math.fround
// in the kernel's order) so that they match bit for bit.

export interface Geom { n: number; h: number; w: number; c: number; k: number; s: number; p: number }

export function outDims(g: Geom): [number, number] {
  return [Math.floor((g.h + 2 * g.p - g.k) / g.s) + 1, Math.floor((g.w + 2 * g.p - g.k) / g.s) + 1];
}

/** x[b, y, x, ch], or 0 in the padding. */
function pixel(x: ArrayLike<number>, g: Geom, b: number, y: number, xx: number, ch: number): number {
  return y < 0 || y >= g.h || xx < 0 || xx >= g.w ? 0 : x[((b * g.h + y) * g.w + xx) * g.c + ch]!;
}

export function im2col(x: ArrayLike<number>, g: Geom): Float32Array {
  const [ho, wo] = outDims(g), K = g.k * g.k * g.c;
  const out = new Float32Array(g.n * ho * wo * K);
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
    const row = ((b * ho + oy) * wo + ox) * K;
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) for (let ch = 0; ch < g.c; ch++) {
      out[row + (ky * g.k + kx) * g.c + ch] = pixel(x, g, b, oy * g.s - g.p + ky, ox * g.s - g.p + kx, ch);
    }
  }
  return out;
}

/** Adds every patch entry back onto its pixel, in the kernel's order, rounding each sum to f32. */
export function col2im(cols: ArrayLike<number>, g: Geom): Float32Array {
  const [ho, wo] = outDims(g), K = g.k * g.k * g.c;
  const x = new Float32Array(g.n * g.h * g.w * g.c);
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
    const row = ((b * ho + oy) * wo + ox) * K;
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) {
      const y = oy * g.s - g.p + ky, xx = ox * g.s - g.p + kx;
      if (y < 0 || y >= g.h || xx < 0 || xx >= g.w) continue;
      for (let ch = 0; ch < g.c; ch++) {
        const i = ((b * g.h + y) * g.w + xx) * g.c + ch;
        x[i] = Math.fround(x[i]! + cols[row + (ky * g.k + kx) * g.c + ch]!);
      }
    }
  }
  return x;
}

export interface Ref { want: Float64Array; mag: Float64Array }

/** out[b, oy, ox, o] = Σ_{ky, kx, ch} x[b, oy·s − p + ky, ox·s − p + kx, ch]·W[o, ky, kx, ch] + bias[o]. */
export function conv2d(x: ArrayLike<number>, W: ArrayLike<number>, bias: ArrayLike<number> | null, O: number, g: Geom): Ref {
  const [ho, wo] = outDims(g);
  const want = new Float64Array(g.n * ho * wo * O), mag = new Float64Array(want.length);
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) for (let o = 0; o < O; o++) {
    let s = bias ? bias[o]! : 0, m = Math.abs(s);
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) for (let ch = 0; ch < g.c; ch++) {
      const t = pixel(x, g, b, oy * g.s - g.p + ky, ox * g.s - g.p + kx, ch) * W[o * g.k * g.k * g.c + (ky * g.k + kx) * g.c + ch]!;
      s += t;
      m += Math.abs(t);
    }
    const i = ((b * ho + oy) * wo + ox) * O + o;
    want[i] = s;
    mag[i] = m;
  }
  return { want, mag };
}

/** dx[b, y, x, ch] = Σ over every output position whose window covers (y, x): delta[b, oy, ox, o]·F[o, ky, kx, ch]. */
export function conv2dInputGrad(delta: ArrayLike<number>, F: ArrayLike<number>, O: number, g: Geom): Ref {
  const [ho, wo] = outDims(g);
  const want = new Float64Array(g.n * g.h * g.w * g.c), mag = new Float64Array(want.length);
  for (let b = 0; b < g.n; b++) for (let y = 0; y < g.h; y++) for (let xx = 0; xx < g.w; xx++) for (let ch = 0; ch < g.c; ch++) {
    let s = 0, m = 0;
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) {
      const ty = y + g.p - ky, tx = xx + g.p - kx;
      if (ty < 0 || tx < 0 || ty % g.s || tx % g.s) continue;
      const oy = ty / g.s, ox = tx / g.s;
      if (oy >= ho || ox >= wo) continue;
      for (let o = 0; o < O; o++) {
        const t = delta[((b * ho + oy) * wo + ox) * O + o]! * F[o * g.k * g.k * g.c + (ky * g.k + kx) * g.c + ch]!;
        s += t;
        m += Math.abs(t);
      }
    }
    const i = ((b * g.h + y) * g.w + xx) * g.c + ch;
    want[i] = s;
    mag[i] = m;
  }
  return { want, mag };
}

/** dW[o, ky, kx, ch] = α·Σ_{b, oy, ox} delta[b, oy, ox, o]·x[b, oy·s − p + ky, ox·s − p + kx, ch] + β·dW0; db likewise. */
export function conv2dWeightGrad(delta: ArrayLike<number>, x: ArrayLike<number>, O: number, g: Geom, alpha: number, beta: number,
  dW0: ArrayLike<number>, db0: ArrayLike<number>): { dW: Ref; db: Ref } {
  const [ho, wo] = outDims(g), K = g.k * g.k * g.c;
  const dW = { want: new Float64Array(O * K), mag: new Float64Array(O * K) };
  const db = { want: new Float64Array(O), mag: new Float64Array(O) };
  for (let o = 0; o < O; o++) {
    let bs = 0, bm = 0;
    for (let b = 0; b < g.n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
      const d = delta[((b * ho + oy) * wo + ox) * O + o]!;
      bs += d;
      bm += Math.abs(d);
    }
    db.want[o] = alpha * bs + (beta === 0 ? 0 : beta * db0[o]!);
    db.mag[o] = Math.abs(alpha) * bm + (beta === 0 ? 0 : Math.abs(beta * db0[o]!));
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) for (let ch = 0; ch < g.c; ch++) {
      let s = 0, m = 0;
      for (let b = 0; b < g.n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
        const t = delta[((b * ho + oy) * wo + ox) * O + o]! * pixel(x, g, b, oy * g.s - g.p + ky, ox * g.s - g.p + kx, ch);
        s += t;
        m += Math.abs(t);
      }
      const i = o * K + (ky * g.k + kx) * g.c + ch;
      dW.want[i] = alpha * s + (beta === 0 ? 0 : beta * dW0[i]!);
      dW.mag[i] = Math.abs(alpha) * m + (beta === 0 ? 0 : Math.abs(beta * dW0[i]!));
    }
  }
  return { dW, db };
}

export interface PoolGeom { n: number; h: number; w: number; c: number; k: number; s: number }

export function poolDims(g: PoolGeom): [number, number] {
  return [Math.floor((g.h - g.k) / g.s) + 1, Math.floor((g.w - g.k) / g.s) + 1];
}

/** Max of each window, the first in (ky, kx) order on ties; arg = its element index in the example's row. */
export function maxPool(x: ArrayLike<number>, g: PoolGeom): { out: Float32Array; arg: Int32Array } {
  const [ho, wo] = poolDims(g);
  const out = new Float32Array(g.n * ho * wo * g.c), arg = new Int32Array(out.length);
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) for (let ch = 0; ch < g.c; ch++) {
    let best = -1, m = -Infinity;
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) {
      const e = ((oy * g.s + ky) * g.w + ox * g.s + kx) * g.c + ch, v = x[b * g.h * g.w * g.c + e]!;
      if (best < 0 || v > m) { m = v; best = e; }
    }
    const i = ((b * ho + oy) * wo + ox) * g.c + ch;
    out[i] = m;
    arg[i] = best;
  }
  return { out, arg };
}

export function maxPoolBackward(grad: ArrayLike<number>, arg: ArrayLike<number>, g: PoolGeom): Float32Array {
  const [ho, wo] = poolDims(g), inSize = g.h * g.w * g.c, outSize = ho * wo * g.c;
  const dx = new Float32Array(g.n * inSize);
  for (let b = 0; b < g.n; b++) for (let j = 0; j < outSize; j++) {
    const i = b * inSize + arg[b * outSize + j]!;
    dx[i] = Math.fround(dx[i]! + grad[b * outSize + j]!);
  }
  return dx;
}

export function avgPool(x: ArrayLike<number>, g: PoolGeom): Float32Array {
  const [ho, wo] = poolDims(g), inv = Math.fround(1 / (g.k * g.k));
  const out = new Float32Array(g.n * ho * wo * g.c);
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) for (let ch = 0; ch < g.c; ch++) {
    let s = 0;
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) {
      s = Math.fround(s + x[((b * g.h + oy * g.s + ky) * g.w + ox * g.s + kx) * g.c + ch]!);
    }
    out[((b * ho + oy) * wo + ox) * g.c + ch] = Math.fround(s * inv);
  }
  return out;
}

export function avgPoolBackward(grad: ArrayLike<number>, g: PoolGeom): Float32Array {
  const [ho, wo] = poolDims(g), inv = Math.fround(1 / (g.k * g.k));
  const dx = new Float32Array(g.n * g.h * g.w * g.c);
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) {
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) for (let ch = 0; ch < g.c; ch++) {
      const i = ((b * g.h + oy * g.s + ky) * g.w + ox * g.s + kx) * g.c + ch;
      dx[i] = Math.fround(dx[i]! + Math.fround(grad[((b * ho + oy) * wo + ox) * g.c + ch]! * inv));
    }
  }
  return dx;
}

export function repeatCols(x: ArrayLike<number>, n: number, cols: number, times: number): Float32Array {
  const out = new Float32Array(n * times * cols);
  for (let b = 0; b < n; b++) for (let t = 0; t < times; t++) for (let j = 0; j < cols; j++) out[(b * times + t) * cols + j] = x[b * cols + j]!;
  return out;
}

/**
 * f32_event_conv: out[b, oy, ox, o] = Σ x·W over the window, without bias, from wt = Wᵀ [k·k·c, O],
 * rounded as the kernel rounds: per output element, from 0, the nonzero inputs of its window in
 * increasing (ky, kx, ch), each product rounded and then added (zeros and the padding skipped).
 */
export function eventConv(x: ArrayLike<number>, wt: ArrayLike<number>, O: number, g: Geom): Float32Array {
  const [ho, wo] = outDims(g), f = Math.fround;
  const out = new Float32Array(g.n * ho * wo * O);
  for (let b = 0; b < g.n; b++) for (let oy = 0; oy < ho; oy++) for (let ox = 0; ox < wo; ox++) for (let o = 0; o < O; o++) {
    let acc = 0;
    for (let ky = 0; ky < g.k; ky++) for (let kx = 0; kx < g.k; kx++) for (let ch = 0; ch < g.c; ch++) {
      const v = pixel(x, g, b, oy * g.s - g.p + ky, ox * g.s - g.p + kx, ch);
      if (v !== 0) acc = f(acc + f(v * wt[((ky * g.k + kx) * g.c + ch) * O + o]!));
    }
    out[((b * ho + oy) * wo + ox) * O + o] = acc;
  }
  return out;
}
