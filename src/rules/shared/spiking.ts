// What the rules that learn from rates and derivatives share when they run on a SpikingNetwork
// (src/net/spiking.ts): the presentation window, and the parts of learning that are the same for all of
// them (their teach/update run unchanged on LIF firing rates and mean surrogate derivatives).
import type { SpikingOptions } from '../../net/spiking.js';
import type { SpikingParts } from '../types.js';

/** 100 steps at up to 200 Hz: with the simulator's 50 steps at 100 Hz the Poisson input and the hidden
 *  spike counts are too coarse to fit MNIST (docs/measurements.md, dfa). */
export const RATE_RULE_WINDOW: SpikingOptions = { steps: 100, maxRate: 200 };

/** fa's and dfa's window: RATE_RULE_WINDOW's expected input spike count (20 for a pixel of 1) in three
 *  quarters of the steps, where their accuracy held (60 and 50 steps lost more than the seed-to-seed spread;
 *  docs/measurements.md, fa). Their rules read rates and surrogates only, never the mean drive `a`. */
export const FA_WINDOW: SpikingOptions = { steps: 75, maxRate: 800 / 3, meanDrive: false };

/** The parts of a rule run on the spiking network's rates: its own feedback sentence, and the forward
 *  pass, output error and update they share unless `o` says otherwise (in SPIKING_PARTS order). */
export function rateRuleParts(feedback: string, o: Partial<SpikingParts> = {}): SpikingParts {
  return {
    forward: o.forward ?? 'LIF spikes from Poisson input; a leaky membrane readout of the last hidden layer gives the output.',
    feedback,
    error: o.error ?? 'Graded: softmax of the readout minus the label, once per window.',
    update: o.update ?? 'Once per window, from hidden firing rates and mean surrogate derivatives (rates, not spike times).',
  };
}
