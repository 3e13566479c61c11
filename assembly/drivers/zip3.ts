// The ternary loop shape: w[i] = g(x[i], y[i], z[i]) for i < n, generic over an op class with f4
// (f32x4 lanes) and f1 (scalar) taking one constant. w may alias x, y and/or z (each lane is loaded
// before it is stored). Never reads or writes past n.

// @ts-ignore: decorator
@inline export function zip3<Op>(n: i32, k0: f32, x: usize, y: usize, z: usize, w: usize): void {
  const op = changetype<Op>(0); // stateless: the methods never touch `this`
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vk0 = f32x4.splat(k0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(w + o, op.f4(v128.load(x + o), v128.load(y + o), v128.load(z + o), vk0));
    }
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    store<f32>(w + o, op.f1(load<f32>(x + o), load<f32>(y + o), load<f32>(z + o), k0));
  }
}
