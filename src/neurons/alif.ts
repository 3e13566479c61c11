/** Adaptive LIF (Bellec et al. 2018, "Long short-term memory and learning-to-learn in networks of
 *  spiking neurons"): LIF whose threshold rises by beta with every spike and relaxes with tauAdapt:
 *    θ = vTh + beta·A,   A ← ρ·A + s,   ρ = exp(−dt/tauAdapt);   otherwise as 'lif' (src/neurons/lif.ts). */
import { defineNeuron, type NeuronParams } from './types.js';
import { lif } from './lif.js';

export interface AlifParams extends NeuronParams {
  /** Adaptation time constant (s). */
  tauAdapt: number;
  /** Threshold increase per unit of adaptation (normalised units). */
  beta: number;
}

export const alif = defineNeuron<AlifParams>({
  id: 'alif',
  description: 'adaptive-threshold LIF (threshold vTh + beta·A, A decays with tauAdapt)',
  defaults: { ...lif.defaults, tauAdapt: 200e-3, beta: 0.07 },
  state: ['adapt'],
  resolve: (p, dt) => ({ ...lif.resolve(p, dt), rho: Math.exp(-dt / p.tauAdapt) }),
  init: (ws, size) => ({ v: ws.f32([size]), refrac: ws.f32([size]), adapt: ws.f32([size]) }),
  step(k, n, p, r, st, drive, spikes, deriv) {
    return k.f32_alif_step(n, r.decay, p.vTh, p.vReset, r.resetMode, r.refSteps, p.surrogateK, r.rho!, p.beta, r.surrogate,
      drive, st.v.ptr, st.refrac.ptr, st.adapt!.ptr, spikes, deriv);
  },
  reset(k, n, st) {
    lif.reset(k, n, st);
    k.f32_fill(n, 0, st.adapt!.ptr);
  },
});
