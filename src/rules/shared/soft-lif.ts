// A layer's soft-LIF rate (Hunsberger & Eliasmith 2015, arXiv:1510.08829): the smoothed rate curve of a LIF
// neuron, which nef trains through and dtp's spiking decoders model their layers with. Its input current
// is normalised so that reset is 0 and threshold 1 (the form f32_softlif_fwd takes), and the rate is in the
// units the simulator's `post` holds:
//   post = scale·softlif(shift + slope·a),   deriv = scale·slope·softlif'(shift + slope·a)
import type { Backend } from '../../backend.js';
import type { Tensor } from '../../core/tensor.js';
import type { ResolvedAct } from '../../activations.js';
import type { WasmRng } from '../../wasm/rng.js';

/** The curve's constants (made once per network: a step builds nothing). */
export interface SoftLifCurve {
  act: ResolvedAct;
  scale: number;
  shift: number;
  slope: number;
}

/** Gaussian noise on the rate before scaling, clipped at 0 (nef's stand-in for spike-train variability). */
export interface RateNoise {
  rng: WasmRng;
  /** Scratch of at least a's size. */
  z: Tensor;
  sigma: number;
}

/** The curve of `a` into post and its derivative into d; J is a scratch matrix of a's shape. */
export function softLifRate(lib: Backend, c: SoftLifCurve, J: Tensor, a: Tensor, post: Tensor, d: Tensor, noise: RateNoise | null = null): void {
  lib.axpy(lib.fill(J, c.shift), c.slope, a);
  lib.activate(c.act, post, J, d);
  if (noise && noise.sigma > 0) {
    const z = noise.rng.normal(noise.z.matrix(a.shape[0]!, a.shape[1]!), 0, noise.sigma);
    lib.clip(post, lib.add(post, post, z), 0, Infinity);
  }
  lib.scal(post, c.scale);
  lib.scal(d, c.scale * c.slope);
}
