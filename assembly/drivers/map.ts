// The unary loop shape: y[i] = f(x[i]) for i < n, generic over an op class with f4 (f32x4 lanes) and
// f1 (scalar) taking two constants. y may alias x. Never reads or writes past n.

// @ts-ignore: decorator
@inline export function map<Op>(n: i32, k0: f32, k1: f32, x: usize, y: usize): void {
  const op = changetype<Op>(0); // stateless: the methods never touch `this`
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vk0 = f32x4.splat(k0), vk1 = f32x4.splat(k1);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(y + o, op.f4(v128.load(x + o), vk0, vk1));
    }
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    store<f32>(y + o, op.f1(load<f32>(x + o), k0, k1));
  }
}
