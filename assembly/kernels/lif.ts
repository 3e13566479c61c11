// Leaky integrate-and-fire, one time step for every neuron of a (batch x neurons) array, fused:
// refractory hold -> integrate -> threshold -> surrogate derivative -> reset.
// Discrete map (decay = exp(-dt / tauMem), computed in TypeScript):
//   held (refrac > 0):  refrac -= 1, v = vReset, spike = 0, deriv = 0
//   otherwise:          v = decay * v + input;  spike = (v >= vTh);  deriv = 1 / (1 + k|v - vTh|)^2
//                       where spike: v = vReset (resetMode 0) or v = v - vTh (resetMode 1); refrac = refSteps
// The input is added unscaled: whether a model multiplies it by (1 - decay) (so a constant input I
// settles at v = I) or by dt / C is the neuron model's choice (src/neurons), made before this call.
// NOTE: deriv comes from the membrane before the reset. A held neuron cannot respond to its input, so
// its surrogate is 0.
import { SpikeSuper } from "../ops/spike_super";

/**
 * One LIF step over n = batch * neurons elements (the map above); returns the number of spikes.
 * input, v, refrac, spikes, deriv: f32[n]; deriv == 0 (null) skips the surrogate. refrac counts the
 * remaining held steps (f32, integral in practice). resetMode: 0 = to vReset, 1 = subtract vTh.
 * input may alias spikes or deriv (each element is read before it is written); v, refrac, spikes and
 * deriv must not overlap each other. SIMD body and scalar tail use the same operations in the same
 * order (no fused multiply-add), so both builds give the same bits.
 */
export function f32_lif_step(
  n: i32, decay: f32, vTh: f32, vReset: f32, resetMode: i32, refSteps: f32, surrogateK: f32,
  input: usize, v: usize, refrac: usize, spikes: usize, deriv: usize,
): i32 {
  const op = changetype<SpikeSuper>(0);
  const subtract = resetMode != 0;
  let count = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vdecay = f32x4.splat(decay), vth = f32x4.splat(vTh), vreset = f32x4.splat(vReset);
    const vrefSteps = f32x4.splat(refSteps), vk = f32x4.splat(surrogateK);
    const vzero = f32x4.splat(0), vone = f32x4.splat(1);
    let vcount = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const vr = v128.load(refrac + o);
      const vheld = f32x4.gt(vr, vzero); // all-ones lanes are held
      const vm = v128.bitselect(vreset, f32x4.add(f32x4.mul(vdecay, v128.load(v + o)), v128.load(input + o)), vheld);
      const vs = v128.andnot(f32x4.ge(vm, vth), vheld); // spike mask
      if (deriv != 0) v128.store(deriv + o, v128.andnot(op.df4(f32x4.sub(vm, vth), vk), vheld));
      const vafter = subtract ? f32x4.sub(vm, vth) : vreset;
      v128.store(v + o, v128.bitselect(vafter, vm, vs));
      v128.store(refrac + o, v128.bitselect(vrefSteps, v128.bitselect(f32x4.sub(vr, vone), vr, vheld), vs));
      v128.store(spikes + o, v128.and(vs, vone));
      vcount = i32x4.sub(vcount, vs); // a set mask lane is -1
    }
    count = i32x4.extract_lane(vcount, 0) + i32x4.extract_lane(vcount, 1)
      + i32x4.extract_lane(vcount, 2) + i32x4.extract_lane(vcount, 3);
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    const r = load<f32>(refrac + o);
    if (r > 0) {
      store<f32>(refrac + o, r - 1);
      store<f32>(v + o, vReset);
      store<f32>(spikes + o, 0);
      if (deriv != 0) store<f32>(deriv + o, 0);
      continue;
    }
    const m = decay * load<f32>(v + o) + load<f32>(input + o);
    const s = m >= vTh;
    if (deriv != 0) store<f32>(deriv + o, op.df1(m - vTh, surrogateK));
    if (s) {
      store<f32>(v + o, subtract ? m - vTh : vReset);
      store<f32>(refrac + o, refSteps);
      store<f32>(spikes + o, 1);
      count++;
    } else {
      store<f32>(v + o, m);
      store<f32>(refrac + o, r);
      store<f32>(spikes + o, 0);
    }
  }
  return count;
}
