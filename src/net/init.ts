// Weight initialisation schemes used by the rules' papers. Draws come from the WASM generator, so a
// seed gives the same weights in Node and in browsers.
import type { Tensor } from '../core/tensor.js';
import type { WasmRng } from '../wasm/rng.js';

export type InitScheme = 'xavier' | 'he' | 'lecun' | 'uniform' | 'normal';
export const INIT_SCHEMES: readonly InitScheme[] = ['xavier', 'he', 'lecun', 'uniform', 'normal'];

/**
 * Fills W [out, in]:
 * - xavier: Glorot & Bengio 2010 uniform, U(±sqrt(6 / (in + out)))
 * - he:     He et al. 2015 normal, N(0, 2 / in)
 * - lecun:  LeCun 1998 uniform, U(±sqrt(3 / in))
 * - uniform: U(±scale)        (Lillicrap et al. 2016 use this with a hand-picked scale)
 * - normal:  N(0, scale²)
 */
export function initWeights(rng: WasmRng, W: Tensor, scheme: InitScheme, scale = 0.05): void {
  const [out, inp] = [W.shape[0]!, W.shape[1]!];
  switch (scheme) {
    case 'xavier': {
      const c = Math.sqrt(6 / (inp + out));
      rng.uniform(W, -c, c);
      return;
    }
    case 'he':
      rng.normal(W, 0, Math.sqrt(2 / inp));
      return;
    case 'lecun': {
      const c = Math.sqrt(3 / inp);
      rng.uniform(W, -c, c);
      return;
    }
    case 'uniform':
      rng.uniform(W, -scale, scale);
      return;
    case 'normal':
      rng.normal(W, 0, scale);
      return;
    default:
      throw new Error(`init: unknown scheme '${String(scheme)}' (expected one of ${INIT_SCHEMES.join(', ')})`);
  }
}
