/** Current-based leaky integrate-and-fire with an exponential current synapse (snnTorch's Synaptic,
 *  norse's LIF): with λ = exp(−dt/tauMem), per step
 *    v ← λ·v + (1 − λ)·J   (J: the synaptic current, normalised so a constant J settles at v = J)
 *    s = [v >= vTh],  v ← vReset (reset 'zero') or v − vTh ('subtract'),  held refractory/dt steps.
 *  The network applies the (1 − λ) and the synapse I ← λ_syn·I + (1 − λ_syn)·W·s before calling step
 *  (src/net/spiking.ts), so step() receives (1 − λ)·J as `drive`. Analytic rate for constant J > vTh
 *  (continuous time, reset to 0): r = 1 / (refractory + tauMem·log(J / (J − vTh))). */
import { defineNeuron, type NeuronParams } from './types.js';
import { SURROGATES } from '../backend.js';

export const lif = defineNeuron<NeuronParams>({
  id: 'lif',
  description: 'leaky integrate-and-fire, exponential current synapse, refractory hold',
  defaults: { tauMem: 20e-3, tauSyn: 5e-3, vTh: 1, vReset: 0, refractory: 2e-3, reset: 'zero', surrogate: 'super', surrogateK: 10 },
  state: [],
  resolve: (p, dt) => ({
    decay: Math.exp(-dt / p.tauMem), synDecay: p.tauSyn > 0 ? Math.exp(-dt / p.tauSyn) : 0,
    refSteps: Math.round(p.refractory / dt), resetMode: p.reset === 'subtract' ? 1 : 0, surrogate: SURROGATES.indexOf(p.surrogate),
  }),
  init: (ws, size) => ({ v: ws.f32([size]), refrac: ws.f32([size]) }),
  step(k, n, p, r, st, drive, spikes, deriv) {
    const fn = r.surrogate === 0 ? k.f32_lif_step : r.surrogate === 1 ? k.f32_lif_step_triangle : k.f32_lif_step_exp;
    return fn(n, r.decay, p.vTh, p.vReset, r.resetMode, r.refSteps, p.surrogateK, drive, st.v.ptr, st.refrac.ptr, spikes, deriv);
  },
  reset(k, n, st) {
    k.f32_fill(n, 0, st.v.ptr);
    k.f32_fill(n, 0, st.refrac.ptr);
  },
});
