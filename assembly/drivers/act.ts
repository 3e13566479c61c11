// The activation loop shape: post = f(a) and, when deriv != 0, deriv = f'(a), in one pass over a.
// Generic over an op class with f4/df4 (f32x4 lanes) and f1/df1 (scalars) taking up to four constants
// k0..k3 that the exported kernel derives once per call. An op whose f and f' share work (an exp, a log)
// defines fd4/fd1 instead of df4/df1: they store both values, so the shared part runs once (binaryen
// does not merge the two exp evaluations of separate f4 and df4 calls). Rate nonlinearities and spike surrogates share
// it. post may alias a (each lane is loaded before it is stored); deriv must be a third buffer.
// Never reads or writes past n.

// @ts-ignore: decorator
@inline export function act<Op>(n: i32, k0: f32, k1: f32, k2: f32, k3: f32, a: usize, post: usize, deriv: usize): void {
  const op = changetype<Op>(0); // stateless: the methods never touch `this`
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vk0 = f32x4.splat(k0), vk1 = f32x4.splat(k1), vk2 = f32x4.splat(k2), vk3 = f32x4.splat(k3);
    if (deriv != 0) {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        const va = v128.load(a + o);
        if (isDefined(op.fd4)) {
          op.fd4(va, vk0, vk1, vk2, vk3, post + o, deriv + o);
        } else {
          v128.store(post + o, op.f4(va, vk0, vk1, vk2, vk3));
          v128.store(deriv + o, op.df4(va, vk0, vk1, vk2, vk3));
        }
      }
    } else {
      for (; i + 4 <= n; i += 4) {
        const o = <usize>i << 2;
        v128.store(post + o, op.f4(v128.load(a + o), vk0, vk1, vk2, vk3));
      }
    }
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    const x = load<f32>(a + o);
    if (deriv == 0) {
      store<f32>(post + o, op.f1(x, k0, k1, k2, k3));
    } else if (isDefined(op.fd1)) {
      op.fd1(x, k0, k1, k2, k3, post + o, deriv + o);
    } else {
      store<f32>(post + o, op.f1(x, k0, k1, k2, k3));
      store<f32>(deriv + o, op.df1(x, k0, k1, k2, k3));
    }
  }
}
