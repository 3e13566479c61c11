/** Adaptive LIF (Bellec et al. 2018, "Long short-term memory and learning-to-learn in networks of
 *  spiking neurons"): LIF whose threshold rises by beta with every spike and relaxes with tauAdapt:
 *    θ = vTh + beta·A,   A ← ρ·A + s,   ρ = exp(−dt/tauAdapt);   otherwise as 'lif' (src/neurons/lif.ts). */
import { defineNeuron, type NeuronParams } from './types.js';
import { lif } from './lif.js';
import type { LayerStepBuffers } from '../backend/spike.js';
import type { AlifParams as AlifKernelParams } from '../backend.js';

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
  resolve(p, dt) {
    const r = lif.resolve(p, dt);
    return { ...r, kernel: { ...r.kernel, rho: Math.exp(-dt / p.tauAdapt), beta: p.beta } };
  },
  init: (ws, size) => ({ v: ws.f32([size]), refrac: ws.f32([size]), adapt: ws.f32([size]) }),
  step(lib, r, st, drive, spikes, deriv) {
    const n = drive.size;
    return lib.alifStep(drive, st.v.head(n), st.refrac.head(n), st.adapt!.head(n), spikes, deriv, r.kernel as AlifKernelParams);
  },
  layerStep(lib, r, st, b, alpha, synDecay) {
    const n = b.I.size, s = b as LayerStepBuffers;
    s.v = st.v.head(n); s.refrac = st.refrac.head(n); s.adapt = st.adapt!.head(n);
    return lib.layerStep(s, alpha, synDecay, r.kernel as AlifKernelParams);
  },
  reset(lib, st, n) {
    lif.reset(lib, st, n);
    lib.fill(st.adapt!.head(n), 0);
  },
});
