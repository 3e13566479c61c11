// Exponential traces of spike trains (pre/post traces, eligibility): x <- lambda * x + s, with
// lambda = exp(-dt / tau) computed in TypeScript.

/** x[i] = lambda * x[i] + s[i] for i < n (product first, then the sum). s may alias x. */
export function f32_trace_step(n: i32, lambda: f32, s: usize, x: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vlambda = f32x4.splat(lambda);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(x + o, f32x4.add(f32x4.mul(vlambda, v128.load(x + o)), v128.load(s + o)));
    }
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    store<f32>(x + o, lambda * load<f32>(x + o) + load<f32>(s + o));
  }
}
