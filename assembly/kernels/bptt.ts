// Backpropagation through time of a LIF layer with an exponential current synapse (the forward map of
// f32_lif_step, driven by I_t = synDecay·I_{t−1} + input_t), one time step of the adjoint, walked from
// the last step to the first. The reset is detached (no gradient through the spike that resets), and a
// neuron held refractory at step t neither reads its current nor keeps its membrane, so it passes no
// gradient there. Per element, with s_t the spikes and d_t the surrogate recorded by the forward pass:
//   held  = any s_{t−k} for k = 1..min(refSteps, t)       (the forward pass's refractory counter)
//   gm    = held ? 0 : g_t·d_t + keep_t·gv                 keep_t = 1 − s_t (reset to vReset) or 1 (subtract)
//   gv    = decay·gm                                       adjoint of the membrane after step t−1
//   gI    = gm + synDecay·gI                               adjoint of the current I_t
//   g_t   = gI                                             (in place: the input of step t's adjoint)
// where g_t = ∂L/∂s_t from the layer above at step t on entry.

/**
 * One adjoint step over n elements (see above). g: f32[n] (in: ∂L/∂s_t, out: ∂L/∂I_t); deriv: f32[n]
 * the surrogate of step t; spikes: f32[n] the spikes of step t, with those of step t − k at
 * spikes − k·n (a stacked [steps, n] record; t = the number of earlier steps in it); gv, gI: f32[n]
 * carried from step t + 1 (zero before the last step). resetMode: 0 = to vReset, 1 = subtract.
 * g may not overlap gv, gI, deriv or spikes. SIMD body and scalar tail run the same operations in the
 * same order (no fused multiply-add), so both builds give the same bits.
 */
export function f32_lif_adjoint_step(
  n: i32, decay: f32, synDecay: f32, resetMode: i32, refSteps: i32, t: i32,
  deriv: usize, spikes: usize, g: usize, gv: usize, gI: usize,
): void {
  const hist = min(refSteps, t);
  const stride = <usize>n << 2;
  const subtract = resetMode != 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const vdecay = f32x4.splat(decay), vsyn = f32x4.splat(synDecay), vzero = f32x4.splat(0), vone = f32x4.splat(1);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      let vheld = vzero;
      for (let k = 1; k <= hist; k++) vheld = v128.or(vheld, f32x4.gt(v128.load(spikes + o - <usize>k * stride), vzero));
      const vs = v128.load(spikes + o);
      const vkeep = subtract ? vone : f32x4.sub(vone, vs);
      const vgm = v128.andnot(f32x4.add(f32x4.mul(v128.load(g + o), v128.load(deriv + o)), f32x4.mul(vkeep, v128.load(gv + o))), vheld);
      v128.store(gv + o, f32x4.mul(vdecay, vgm));
      const vgI = f32x4.add(vgm, f32x4.mul(vsyn, v128.load(gI + o)));
      v128.store(gI + o, vgI);
      v128.store(g + o, vgI);
    }
  }
  for (; i < n; i++) { // the tail, and the whole loop in the scalar build
    const o = <usize>i << 2;
    let held = false;
    for (let k = 1; k <= hist; k++) if (load<f32>(spikes + o - <usize>k * stride) > 0) held = true;
    const s = load<f32>(spikes + o);
    const keep: f32 = subtract ? 1 : 1 - s;
    const gm: f32 = held ? 0 : load<f32>(g + o) * load<f32>(deriv + o) + keep * load<f32>(gv + o);
    store<f32>(gv + o, decay * gm);
    const gIn = gm + synDecay * load<f32>(gI + o);
    store<f32>(gI + o, gIn);
    store<f32>(g + o, gIn);
  }
}
