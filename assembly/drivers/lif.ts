// The LIF loop, generic over a spike op class (assembly/ops/spike_*.ts: f4/df4, f1/df1 with
// k0 = surrogate steepness, k1 = threshold) and over `adaptive`. The exported kernels
// (assembly/kernels/lif.ts) pick the surrogate by instantiating it with SpikeSuper, SpikeTriangle or
// SpikeExp, and pass `adaptive` as a literal: false is the plain LIF step (rho, beta and adapt unused;
// the adaptation code folds away), true adds the threshold adaptation of f32_alif_step. The map itself
// is documented there. SIMD body and scalar tail run the same operations in the same order (no fused
// multiply-add), so both builds give the same bits for finite inputs (only a NaN output's sign may
// differ). Never reads or writes past n.

/**
 * One LIF step (see f32_lif_step), or with `adaptive` one adaptive-LIF step (see f32_alif_step);
 * returns the spike count. `adaptive` must be a constant.
 */
// @ts-ignore: decorator
@inline export function lif<Op>(
  adaptive: bool,
  n: i32, decay: f32, vTh: f32, vReset: f32, resetMode: i32, refSteps: f32, surrogateK: f32, rho: f32, beta: f32,
  input: usize, v: usize, refrac: usize, adapt: usize, spikes: usize, deriv: usize,
): i32 {
  const op = changetype<Op>(0);
  const subtract = resetMode != 0;
  let count = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vdecay = f32x4.splat(decay), vth0 = f32x4.splat(vTh), vreset = f32x4.splat(vReset);
    const vrefSteps = f32x4.splat(refSteps), vk = f32x4.splat(surrogateK), vrho = f32x4.splat(rho), vbeta = f32x4.splat(beta);
    const vzero = f32x4.splat(0), vone = f32x4.splat(1);
    let vcount = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vr = v128.load(refrac + o);
      const va = adaptive ? v128.load(adapt + o) : vzero;
      const vth = adaptive ? f32x4.add(vth0, f32x4.mul(vbeta, va)) : vth0;
      const vheld = f32x4.gt(vr, vzero); // all-ones lanes are held
      const vm = v128.bitselect(vreset, f32x4.add(f32x4.mul(vdecay, v128.load(v + o)), v128.load(input + o)), vheld);
      const vs = v128.andnot(f32x4.ge(vm, vth), vheld); // spike mask
      if (deriv != 0) v128.store(deriv + o, v128.andnot(op.df4(vm, vk, vth, vzero, vzero), vheld));
      const vafter = subtract ? f32x4.sub(vm, vth) : vreset;
      const vspike = v128.and(vs, vone);
      v128.store(v + o, v128.bitselect(vafter, vm, vs));
      v128.store(refrac + o, v128.bitselect(vrefSteps, v128.bitselect(f32x4.sub(vr, vone), vr, vheld), vs));
      if (adaptive) v128.store(adapt + o, f32x4.add(f32x4.mul(vrho, va), vspike));
      v128.store(spikes + o, vspike);
      vcount = i32x4.sub(vcount, vs); // a set mask lane is -1
    }
    count = i32x4.extract_lane(vcount, 0) + i32x4.extract_lane(vcount, 1)
      + i32x4.extract_lane(vcount, 2) + i32x4.extract_lane(vcount, 3);
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    const r = load<f32>(refrac + o);
    const a: f32 = adaptive ? load<f32>(adapt + o) : 0;
    if (r > 0) {
      store<f32>(refrac + o, r - 1);
      store<f32>(v + o, vReset);
      if (adaptive) store<f32>(adapt + o, rho * a + 0);
      store<f32>(spikes + o, 0);
      if (deriv != 0) store<f32>(deriv + o, 0);
      continue;
    }
    const th = adaptive ? vTh + beta * a : vTh;
    const m = decay * load<f32>(v + o) + load<f32>(input + o);
    const s = m >= th;
    if (deriv != 0) store<f32>(deriv + o, op.df1(m, surrogateK, th, 0, 0));
    if (s) {
      store<f32>(v + o, subtract ? m - th : vReset);
      store<f32>(refrac + o, refSteps);
      if (adaptive) store<f32>(adapt + o, rho * a + 1);
      store<f32>(spikes + o, 1);
      count++;
    } else {
      store<f32>(v + o, m);
      store<f32>(refrac + o, r);
      if (adaptive) store<f32>(adapt + o, rho * a + 0);
      store<f32>(spikes + o, 0);
    }
  }
  return count;
}
