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
  const subtract = resetMode != 0;
  let count = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vdecay = f32x4.splat(decay), vth0 = f32x4.splat(vTh), vreset = f32x4.splat(vReset);
    const vrefSteps = f32x4.splat(refSteps), vk = f32x4.splat(surrogateK), vrho = f32x4.splat(rho), vbeta = f32x4.splat(beta);
    let vcount = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vs = lifLanes<Op>(adaptive, subtract, v128.load(input + o), o, v, refrac, adapt, spikes, deriv, 0, vdecay, vth0, vreset, vrefSteps, vk, vrho, vbeta);
      vcount = i32x4.sub(vcount, vs); // a set mask lane is -1
    }
    count = i32x4.extract_lane(vcount, 0) + i32x4.extract_lane(vcount, 1)
      + i32x4.extract_lane(vcount, 2) + i32x4.extract_lane(vcount, 3);
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    count += lifOne<Op>(adaptive, subtract, load<f32>(input + o), o, v, refrac, adapt, spikes, deriv, 0, decay, vTh, vReset, refSteps, surrogateK, rho, beta);
  }
  return count;
}

/**
 * Four neurons of the (adaptive) LIF step on input vi, at byte offset o of every state buffer: v,
 * refrac (and adapt) updated; the spikes (0/1) stored when spikes != 0, the surrogate (0 in held
 * lanes) stored when dstep != 0 and added to the running sum at deriv when deriv != 0. Returns the
 * spike mask (all-ones lanes spiked). The one lane update of lif() and of the fused layer step
 * (assembly/drivers/layer.ts); the splats are the caller's, made once per loop.
 */
// @ts-ignore: decorator
@inline export function lifLanes<Op>(
  adaptive: bool, subtract: bool, vi: v128, o: usize,
  v: usize, refrac: usize, adapt: usize, spikes: usize, dstep: usize, deriv: usize,
  vdecay: v128, vth0: v128, vreset: v128, vrefSteps: v128, vk: v128, vrho: v128, vbeta: v128,
): v128 {
  const op = changetype<Op>(0);
  const vzero = f32x4.splat(0), vone = f32x4.splat(1);
  const vr = v128.load(refrac + o);
  const va = adaptive ? v128.load(adapt + o) : vzero;
  const vth = adaptive ? f32x4.add(vth0, f32x4.mul(vbeta, va)) : vth0;
  const vheld = f32x4.gt(vr, vzero); // all-ones lanes are held
  const vm = v128.bitselect(vreset, f32x4.add(f32x4.mul(vdecay, v128.load(v + o)), vi), vheld);
  const vs = v128.andnot(f32x4.ge(vm, vth), vheld); // spike mask
  if (dstep != 0 || deriv != 0) {
    const vd = v128.andnot(op.df4(vm, vk, vth, vzero, vzero), vheld);
    if (dstep != 0) v128.store(dstep + o, vd);
    if (deriv != 0) v128.store(deriv + o, f32x4.add(v128.load(deriv + o), vd));
  }
  const vafter = subtract ? f32x4.sub(vm, vth) : vreset;
  const vspike = v128.and(vs, vone);
  v128.store(v + o, v128.bitselect(vafter, vm, vs));
  v128.store(refrac + o, v128.bitselect(vrefSteps, v128.bitselect(f32x4.sub(vr, vone), vr, vheld), vs));
  if (adaptive) v128.store(adapt + o, f32x4.add(f32x4.mul(vrho, va), vspike));
  if (spikes != 0) v128.store(spikes + o, vspike);
  return vs;
}

/** One neuron of lifLanes (the SIMD tail and the scalar build), the same operations in the same order;
 *  returns its spike (0 or 1). */
// @ts-ignore: decorator
@inline export function lifOne<Op>(
  adaptive: bool, subtract: bool, x: f32, o: usize,
  v: usize, refrac: usize, adapt: usize, spikes: usize, dstep: usize, deriv: usize,
  decay: f32, vTh: f32, vReset: f32, refSteps: f32, surrogateK: f32, rho: f32, beta: f32,
): i32 {
  const op = changetype<Op>(0);
  const rf = load<f32>(refrac + o);
  const a: f32 = adaptive ? load<f32>(adapt + o) : 0;
  let s = 0, d: f32 = 0;
  if (rf > 0) {
    store<f32>(refrac + o, rf - 1);
    store<f32>(v + o, vReset);
  } else {
    const th = adaptive ? vTh + beta * a : vTh;
    const m = decay * load<f32>(v + o) + x;
    d = op.df1(m, surrogateK, th, 0, 0);
    if (m >= th) {
      s = 1;
      store<f32>(v + o, subtract ? m - th : vReset);
      store<f32>(refrac + o, refSteps);
    } else {
      store<f32>(v + o, m);
      store<f32>(refrac + o, rf);
    }
  }
  if (adaptive) store<f32>(adapt + o, rho * a + <f32>s);
  if (dstep != 0) store<f32>(dstep + o, d);
  if (deriv != 0) store<f32>(deriv + o, load<f32>(deriv + o) + d);
  if (spikes != 0) store<f32>(spikes + o, <f32>s);
  return s;
}
