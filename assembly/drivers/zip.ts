// The binary loop shape: z[i] = g(x[i], y[i]) for i < n, generic over an op class with f4 (f32x4
// lanes) and f1 (scalar) taking two constants. z may alias x and/or y. Never reads or writes past n.

// @ts-ignore: decorator
@inline export function zip<Op>(n: i32, k0: f32, k1: f32, x: usize, y: usize, z: usize): void {
  const op = changetype<Op>(0); // stateless: the methods never touch `this`
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vk0 = f32x4.splat(k0), vk1 = f32x4.splat(k1);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(z + o, op.f4(v128.load(x + o), v128.load(y + o), vk0, vk1));
    }
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    store<f32>(z + o, op.f1(load<f32>(x + o), load<f32>(y + o), k0, k1));
  }
}
