/** The three-compartment pyramidal neuron of Guerguiev, Lillicrap & Richards 2017 (eLife 6:e22901,
 *  Methods, "Neuronal dynamics"): a basal dendrite B (feedforward input), an apical dendrite A (feedback,
 *  electrically segregated from the soma: g_A = 0) and a soma C driven by the basal compartment alone,
 *    Ċ = −g_L C + g_B (B − C),   rate φ = λmax σ(C),
 *  and the output neuron's soma U with dendrite V and, in the target phase, teaching conductances g_E, g_I,
 *    U̇ = −g_L U + g_D (V − U) + g_E (E_E − U) + g_I (E_I − U).
 *  Spike trains reach the next compartment through the PSP kernel κ(s) = (e^{−s/τL} − e^{−s/τS})/(τL − τS).
 *  Times in ms, rates in spikes/ms. The simulator is src/net/dendritic.ts. */
import type { Rng } from '../core/rng.js';
import { resolveAct } from '../activations.js';

export const LAMBDA_MAX = 0.2; // maximum rate, spikes per ms
export const G_L = 0.1, G_B = 0.6, G_D = 0.6, E_E = 8, E_I = -8;
/** Steady-state gains of soma over basal (k_B) and output soma over dendrite (k_D) potential. */
export const K_B = G_B / (G_L + G_B), K_D = G_D / (G_L + G_D);
/** The PSP kernel's long and short time constants (ms). */
export const TAU_L = 10, TAU_S = 3;
/** σ, the rate nonlinearity (and its derivative for the learning rule). */
export const SIGMOID = resolveAct('dendrites', 'sigmoid');

/** A draw from the Wald (inverse Gaussian) distribution, mean mu, shape lam (Michael, Schucany & Haas 1976). */
export function wald(rng: Rng, mu: number, lam: number): number {
  const u1 = 1 - rng.uniform(), u2 = rng.uniform();
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  const y = z * z;
  const x = mu + (mu * mu * y) / (2 * lam) - (mu / (2 * lam)) * Math.sqrt(4 * mu * lam * y + mu * mu * y * y);
  return rng.uniform() <= mu / (mu + x) ? x : (mu * mu) / x;
}
