/** Current-based leaky integrate-and-fire with an exponential current synapse (snnTorch's Synaptic,
 *  norse's LIF): with λ = exp(−dt/tauMem), per step
 *    v ← λ·v + (1 − λ)·J   (J: the synaptic current, normalised so a constant J settles at v = J)
 *    s = [v >= vTh],  v ← vReset (reset 'zero') or v − vTh ('subtract'),  held refractory/dt steps.
 *  The network applies the (1 − λ) and the synapse I ← λ_syn·I + (1 − λ_syn)·W·s before calling step
 *  (src/net/spiking.ts), so step() receives (1 − λ)·J as `drive`. Analytic rate for constant J > vTh
 *  (continuous time, reset to 0): r = 1 / (refractory + tauMem·log(J / (J − vTh))). */
import { defineNeuron, type NeuronParams } from './types.js';
import type { LayerStepBuffers } from '../backend/spike.js';

export const lif = defineNeuron<NeuronParams>({
  id: 'lif',
  description: 'leaky integrate-and-fire, exponential current synapse, refractory hold',
  defaults: { tauMem: 20e-3, tauSyn: 5e-3, vTh: 1, vReset: 0, refractory: 2e-3, reset: 'zero', surrogate: 'super', surrogateK: 10 },
  state: [],
  resolve: (p, dt) => {
    const decay = Math.exp(-dt / p.tauMem);
    return {
      decay, synDecay: p.tauSyn > 0 ? Math.exp(-dt / p.tauSyn) : 0,
      kernel: { decay, vTh: p.vTh, vReset: p.vReset, reset: p.reset, refSteps: Math.round(p.refractory / dt), surrogate: p.surrogateK, surrogateShape: p.surrogate },
    };
  },
  init: (ws, size) => ({ v: ws.f32([size]), refrac: ws.f32([size]) }),
  step: (lib, r, st, drive, spikes, deriv) => lib.lifStep(drive, st.v.head(drive.size), st.refrac.head(drive.size), spikes, deriv, r.kernel),
  layerStep(lib, r, st, b, alpha, synDecay) {
    const n = b.I.size, s = b as LayerStepBuffers;
    s.v = st.v.head(n); s.refrac = st.refrac.head(n); s.adapt = null;
    return lib.layerStep(s, alpha, synDecay, r.kernel);
  },
  reset(lib, st, n) {
    lib.fill(st.v.head(n), 0);
    lib.fill(st.refrac.head(n), 0);
  },
});
