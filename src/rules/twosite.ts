/** Two sites of synaptic integration: supervised learning with basal (driving) and apical
 *  (modulating) inputs. Körding & König 2001, J. Comput. Neurosci. 11:207 (and Network 11:25, 2000).
 *  This is our reading of the supervised instance (the papers' model details are not all stated).
 *
 *  Each unit has an activity A (basal site, sent forward) and a learning signal D (burst rate, from the
 *  apical site), present at the same time — no phases:
 *    A_j = σ(Σ_i W_ji A_i + b_j)                                   basal drive → somatic activity
 *    output: D_k = (t_k − A_k) ⊙ g_k        the teacher drives the apical site (g = f', 1 for the
 *                                           softmax output of the xent loss, A(1−A) for sigmoid + mse)
 *    hidden: D_j = (Σ_k V_jk D_k) · A_j (1 − A_j)                  apical input gated by somatic activity:
 *            a burst needs both a back-propagating spike (A) and apical drive (the gating rule)
 *    basal plasticity gated by the postsynaptic burst: ΔW_ji = β D_j A_i (loss-gradient form: δ = −D)
 *  Apical weights V (stored with W's [out, in] layout, V_l carries D_l down to layer l−1): the rule's own
 *  synapses, drawn independently. By default they learn Hebbian-ly from the presynaptic burst signal
 *  and the postsynaptic activity at the apical synapse, ΔV_kj = β D_k A_j — the same product as the
 *  basal update, so V converges towards Wᵀ (with weight decay the initial mismatch decays);
 *  `learnApical=false` keeps V fixed (feedback alignment), `apical=transpose` uses W (the paper's "identical
 *  to backprop" case). With V = W this is exactly backprop.
 *
 *  Objections:
 *  - timing: removed: activity and learning signal are carried at once by separate sites (single spikes vs
 *    bursts), no separate backward phase.
 *  - weightTransport: partly: apical synapses are separate and learn locally ('transpose' does not remove it).
 *  - derivativeTransport: partly: each unit gates only its own burst by A(1−A), but that gated signal is what
 *    travels down.
 *  - linearFeedback, spiking, target: not removed here (signed, linear apical sum; labels drive the output's
 *    apical site). It runs on spiking networks (--spiking: the basal drive is LIF spikes, the gate the mean
 *    surrogate), but the burst signal stays a graded rate. */
import { defineRule } from './types.js';
import type { Tensor } from '../core/tensor.js';
import type { Param } from '../net/network.js';
import { localGrads, outputDelta } from './shared/common.js';
import { initWeights } from '../net/init.js';
import { RATE_RULE_WINDOW } from './shared/spiking.js';

export interface TwositeParams {
  /** 'own' apical weights (default) or 'transpose' (V = W: weight transport, exactly backprop). */
  apical: string;
  /** Whether own apical weights learn (ΔV = ΔW: presynaptic burst × postsynaptic activity). */
  learnApical: boolean;
}

export interface TwositeState {
  V: (Tensor | null)[] | null;
  params: Param[];
}

/** D for every layer from the output's D (in loss-gradient sign: delta = −D), through apical weights. */
export function twositeTeach(net: import('../net/network.js').Network, rows: number, V: (Tensor | null)[] | null): void {
  const lib = net.lib, layers = net.layers;
  for (let l = layers.length - 2; l >= 0; l--) {
    const cur = layers[l]!, up = layers[l + 1]!;
    const F = V ? V[l + 1]! : up.W;
    lib.gemm(cur.delta.head(rows), up.delta.head(rows), F, 'nn'); // apical input
    lib.mul(cur.delta.head(rows), cur.delta.head(rows), cur.deriv.head(rows)); // gated by A(1 − A)
  }
}

export const twosite = defineRule<TwositeParams, TwositeState>({
  id: 'twosite',
  title: 'Two-site neurons (basal drive, apical burst gating)',
  cite: 'Körding & König 2001, J. Comput. Neurosci. 11:207',
  noConv: 'its two-site units take the learning signal at a dense apical site (Körding & König 2001 define it on small dense networks)',
  objections: { removes: ['timing'], partly: ['weightTransport', 'derivativeTransport'] },
  spiking: {
    // On a SpikingNetwork (--spiking) the same teach/update run on LIF rates, the gate A(1 − A) becoming the
    // neuron's mean surrogate; the surrogate-scaled signals are smaller, so the step is larger (as for fa).
    train: { lr: 5e-3 },
    // dfa's window (src/rules/dfa.ts): 100 steps at up to 200 Hz.
    sim: RATE_RULE_WINDOW,
    parts: {
      forward: 'LIF spikes from Poisson input at the basal site; a leaky membrane readout of the last hidden layer gives the output.',
      feedback: 'Rate-coded: the apical input is the graded sum of the burst signals above through the apical weights V, not spikes (the papers carry it as bursts).',
      error: 'Graded: softmax of the readout minus the label at the output\'s apical site, once per window.',
      update: 'Once per window, from the burst signal (apical input gated by the mean surrogate, standing for the back-propagating spike) times presynaptic firing rates; V learns from the same product.',
    },
  },
  defaults: { apical: 'own', learnApical: true },
  // Adam: the A(1 − A) gate shrinks the burst signal by up to 4× per layer; per-weight step sizes keep
  // three sigmoid layers learning (plain SGD stalls at chance on 784-256x3-10 in our runs).
  train: { optimizer: 'adam', lr: 0.001, momentum: 0, weightDecay: 1e-4, schedule: 'cosine', activation: 'sigmoid', init: 'xavier', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  init(net, p, _ws, rng) {
    if (p.apical !== 'own' && p.apical !== 'transpose') throw new Error(`twosite: parameter apical must be 'own' or 'transpose', got '${String(p.apical)}'`);
    if (typeof p.learnApical !== 'boolean') throw new Error(`twosite: parameter learnApical must be true or false, got '${String(p.learnApical)}'`);
    if (p.apical === 'transpose') return { V: null, params: [] };
    const wr = net.lib.rng(rng.nextU32() | 0);
    let V: (Tensor | null)[];
    try {
      V = net.layers.map((l) => {
        if (l.index === 0) return null;
        const t = net.ws.f32([l.outSize, l.inSize]);
        initWeights(wr, t, net.init);
        return t;
      });
    } finally {
      wr.dispose();
    }
    const params: Param[] = p.learnApical
      ? V.slice(1).map((t, i) => ({ name: `V${i + 1}`, value: t!, grad: net.layers[i + 1]!.dW, decay: true }))
      : [];
    return { V, params };
  },
  params: (s) => s.params,
  teach(ctx, s) {
    outputDelta(ctx); // −D_L = (A − t) ⊙ g: the teacher at the output's apical site
    twositeTeach(ctx.net, ctx.rows, s.V);
  },
  update: (ctx) => localGrads(ctx),
});
