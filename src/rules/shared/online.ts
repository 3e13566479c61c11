// Shared pieces of the online spiking rules (superspike, erbp): the per-step output error
//   e(t) = softmax(m(t)) − y      m(t): the output readout's membrane at step t (error neurons, graded)
// and the window's bookkeeping (error steps, zeroed gradients, the readout they need).
import type { Network } from '../../net/network.js';
import type { SpikingSim } from '../../net/spiking.js';
import type { Tensor } from '../../core/tensor.js';
import type { IntBuffer } from '../../core/intbuf.js';

/** e(t) into `e` for the first rows rows (probs: scratch). Requires the membrane readout. */
export function stepError(net: Network, sim: SpikingSim, rows: number, probs: Tensor, e: Tensor): void {
  const L = net.layers.length - 1;
  net.lib.softmaxXent(probs.head(rows), e.head(rows), sim.sl[L]!.spikes.head(rows), net.target.head(rows));
}

/** Steps whose error is read: [readoutStart, steps) (the readout has integrated readoutStart steps by then). */
export function errorSteps(sim: SpikingSim): number {
  return sim.steps - sim.readoutStart;
}

/** Zeroes every layer's dW and db (start of a window). */
export function zeroGrads(net: Network): void {
  for (const l of net.layers) {
    net.lib.fill(l.dW, 0);
    net.lib.fill(l.db, 0);
  }
}

/** Throws unless the simulator decodes with the membrane readout (the per-step error needs it). */
export function needMembrane(rule: string, sim: SpikingSim): void {
  if (sim.readout !== 'membrane') throw new Error(`${rule}: needs the 'membrane' readout (per-step error), got '${sim.readout}'`);
}

/**
 * This step's input spikes of layer l as lists (rows of layer l's inputs) into idx from idxAt, their
 * counts into counts from countsAt; returns the number of spikes. The simulator's own lists are packed
 * when it keeps them (the encoder's for layer 0, the fused step's of layer l − 1: no pass over the 0/1
 * matrix); otherwise the 0/1 spikes are listed.
 */
export function listInputSpikes(sim: SpikingSim, l: number, rows: number, idx: IntBuffer<'i32'>, idxAt: number, counts: IntBuffer<'i32'>, countsAt: number): number {
  const lib = sim.lib, lists = l === 0 ? sim.inLists : sim.sl[l - 1]!.out;
  return lists
    ? lib.packSpikes(lists, rows, sim.net.layers[l]!.inSize, idx, idxAt, counts, countsAt)
    : lib.spikeRows((l === 0 ? sim.inSpikes : sim.sl[l - 1]!.spikes).head(rows), idx, idxAt, counts, countsAt);
}
