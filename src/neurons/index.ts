// THE neuron registry: one line per model.
import type { Neuron, NeuronParams } from './types.js';
import { lif } from './lif.js';
import { alif } from './alif.js';

export const neurons: Record<string, Neuron<any>> = { lif, alif };

export function getNeuron(id: string): Neuron<NeuronParams> {
  const n = Object.hasOwn(neurons, id) ? neurons[id] : undefined;
  if (!n) throw new Error(`unknown neuron '${id}' (registered: ${Object.keys(neurons).join(', ')})`);
  return n;
}
export { defineNeuron, neuronParams, type Neuron, type NeuronParams, type NeuronState, type Resolved } from './types.js';
