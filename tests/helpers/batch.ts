// A seeded batch written straight into a network's input and target (no Dataset), for rule tests that
// step a Trainer by hand.
import type { Network } from '../../src/net/network.js';
import { fillSeeded, mulberry32 } from './fill.js';

/** Input U(−1, 1) and one-hot targets of seeded random classes, into the first `rows` rows. */
export function loadBatch(net: Network, seed: number, rows = net.batch): void {
  const nin = net.sizes[0]!, C = net.classes;
  net.input.data.set(fillSeeded(new Float32Array(rows * nin), seed));
  const r = mulberry32(seed + 7919), t = new Float32Array(rows * C);
  for (let i = 0; i < rows; i++) t[i * C + Math.floor(r() * C)] = 1;
  net.target.data.set(t);
}

/** Every layer's W (or another per-layer tensor) copied out. */
export const weights = (net: Network) => net.layers.map((l) => Array.from(l.W.data));
