// Every registered rule in each form it trains in (rate, and spiking where it can), with short spiking
// windows, on one small network: the cases the tests that must hold for every rule iterate over.
import type { Backend } from '../../src/backend.js';
import { rules } from '../../src/rules/index.js';
import type { AnyRule } from '../../src/rules/types.js';
import { ruleForm } from '../../src/rules/form.js';
import { Network } from '../../src/net/network.js';
import { SpikingNetwork, type SpikingOptions } from '../../src/net/spiking.js';
import { Trainer, type TrainerOptions } from '../../src/train/trainer.js';

/** One configuration to train: a rule in its rate or spiking form. */
export interface RuleCase {
  name: string;
  rule: AnyRule;
  spiking: SpikingOptions | null;
  ruleParams: Record<string, unknown>;
}

/** Short presentations for rules that simulate their own neurons (their timing is rule parameters). */
const SHORT_OWN: Record<string, Record<string, unknown>> = { dendrites: { phaseTime: 6, window: 4, testTime: 8, testWindow: 6 } };

export function ruleCases(): RuleCase[] {
  const out: RuleCase[] = [];
  for (const [id, rule] of Object.entries(rules)) {
    if (!rule.spiking?.only) out.push({ name: id, rule, spiking: null, ruleParams: {} });
    if (!rule.spiking) continue;
    const form = ruleForm(rule, true);
    if (form.sim) {
      // Short windows: 8 steps, the readout from step 2.
      const spiking: SpikingOptions = { ...form.sim, steps: 8, readoutStart: Math.min(form.sim.readoutStart ?? 0, 2) };
      out.push({ name: `${id} spiking`, rule, spiking, ruleParams: {} });
    } else {
      // The rule's own spiking neurons (its random phase lengths draw from ctx.rng).
      if (!SHORT_OWN[id]) throw new Error(`tests/helpers/rule-cases.ts: give '${id}' (own spiking neurons) short presentations in SHORT_OWN`);
      out.push({ name: `${id} spiking`, rule, spiking: null, ruleParams: { ...form.ruleParams, ...SHORT_OWN[id] } });
    }
  }
  return out;
}

/** Every layer's weights and biases, copied out (for bit-identity comparisons). */
export const params = (net: Network) => net.layers.map((l) => [Array.from(l.W.data), Array.from(l.b.data)]);

/** A 20-12-8-4 network (batch 20, seed 7) and a trainer for a case. */
export function buildCase(lib: Backend, c: RuleCase, epochs: number, o: TrainerOptions = {}) {
  const base = { sizes: [20, 12, 8, 4], activation: c.rule.train.activation, init: c.rule.train.init, batch: 20, seed: 7 };
  const net = c.spiking ? new SpikingNetwork(lib, { ...base, spiking: c.spiking }) : new Network(lib, base);
  const trainer = new Trainer(lib, net, c.rule, { epochs, ruleParams: c.ruleParams, ...o });
  return { net, trainer };
}
