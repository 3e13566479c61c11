/** Synthetic gradients (decoupled neural interfaces): each hidden layer updates from a gradient predicted
 *  by a small learned module from its own output, which is trained towards the gradient bootstrapped from
 *  the layer above.
 *    ĝ_l = h_l · M_lᵀ + c_l (+ y · U_lᵀ when conditioned on the label: cDNI),  M_l, U_l, c_l zero at init
 *    δ_L = e ⊙ f'(a_L),  δ_l = ĝ_l ⊙ f'(a_l),  dW_l = δ_lᵀ · pre_l / batch        (layer updates)
 *    g_l = δ_{l+1} · W_{l+1}  (the true ∂L/∂h_l for the top hidden layer; bootstrapped below it)
 *    L_SG = ½ Σ‖ĝ_l − g_l‖² / batch:  dM_l = κ (ĝ_l − g_l)ᵀ h_l / batch, dc_l, dU_l alike (κ = sgScale)
 *  The modules are rule params, stepped by the shared optimiser (their learning rate is κ·lr for SGD).
 *  Jaderberg et al. 2016, arXiv:1608.05343 (ICML 2017), §3 (synthetic gradients) and the MLP experiments.
 *  Objections:
 *  - weightTransport: kept. Training M_l needs g_l = δ_{l+1}·W_{l+1}, one step of backprop through W.
 *  - derivativeTransport: kept. g_l carries f'(a_{l+1}) of the layer above.
 *  - linearFeedback: kept. The signed gradient is regressed and fed back.
 *  - spiking: kept as a rule (it is defined on rates), but it runs on spiking networks (--spiking: the
 *    modules regress on LIF firing rates, δ_l reads the mean surrogate derivative, as for fa).
 *  - timing: removed. A layer updates as soon as its own forward pass is done (update unlocking); the SG's
 *    regression target may arrive later, from one layer up only.
 *  - target: kept. The top module regresses onto the labelled output error. */
import type { Tensor } from '../core/tensor.js';
import { defineRule, type StepContext } from './types.js';
import type { Param } from '../net/network.js';
import { localGrads, outputDelta } from './shared/common.js';
import { rateRuleParts, RATE_RULE_WINDOW } from './shared/spiking.js';

export interface SynthgradParams {
  /** cDNI: the module also sees the one-hot label (ĝ += y·Uᵀ). */
  conditioned: boolean;
  /** κ: the modules' gradients are scaled by κ (with SGD their learning rate is κ·lr; Adam is invariant to it). */
  sgScale: number;
}

export interface SgModule {
  M: Tensor; // [n_l, n_l]
  c: Tensor; // [n_l]
  U: Tensor | null; // [n_l, classes] when conditioned
  dM: Tensor;
  dc: Tensor;
  dU: Tensor | null;
  /** ĝ_l [batch, n_l]: the synthetic gradient ∂L/∂h_l. */
  g: Tensor;
  /** g_l [batch, n_l]: the bootstrapped target, then the residual ĝ_l − g_l. */
  target: Tensor;
}

export interface SynthgradState {
  /** One module per hidden layer. */
  sg: SgModule[];
  conditioned: boolean;
}

/** Writes every hidden layer's synthetic gradient ĝ_l from its output h_l (and the label when conditioned). */
export function predictSynthetic(ctx: StepContext, s: SynthgradState): void {
  const { net, rows } = ctx;
  const lib = net.lib;
  for (let l = 0; l < s.sg.length; l++) {
    const L = net.layers[l]!, m = s.sg[l]!;
    lib.gemm(m.g.head(rows), L.post.head(rows), m.M, 'nt');
    lib.addRow(m.g.head(rows), m.c);
    if (m.U) lib.gemm(m.g.head(rows), net.target.head(rows), m.U, 'nt', 1, 1);
  }
}

/** δ_L from the output error, δ_l = ĝ_l ⊙ f'(a_l) below it: what each layer learns from. */
export function applySynthetic(ctx: StepContext, s: SynthgradState): void {
  const { net, rows } = ctx;
  outputDelta(ctx);
  for (let l = 0; l < s.sg.length; l++) {
    const L = net.layers[l]!;
    net.lib.mul(L.delta.head(rows), s.sg[l]!.g.head(rows), L.deriv.head(rows));
  }
}

export const synthgrad = defineRule<SynthgradParams, SynthgradState>({
  id: 'synthgrad',
  title: 'Synthetic gradients (decoupled neural interfaces)',
  cite: 'Jaderberg et al. 2016, arXiv:1608.05343 (ICML 2017)',
  noConv: "its synthetic-gradient modules are dense maps of a layer's output (Jaderberg et al. 2017 predict a convolution's gradient with a convolutional module, which is not built here)",
  objections: { removes: ['timing'] },
  spiking: {
    // On a SpikingNetwork (--spiking): Adam 2e-3, not fa's 5e-3, which the modules (stepped by the same
    // optimiser) do not take: the rate form at 5e-3 falls behind as far as the spiking one, so the step, not
    // the spikes, was the limit (docs/measurements.md); 10 epochs as for superspike and erbp, since a spiking
    // epoch costs many rate epochs.
    train: { lr: 2e-3, epochs: 10 },
    sim: RATE_RULE_WINDOW,
    parts: rateRuleParts(
      "Graded: each hidden layer's synthetic gradient is a learned linear function of its own firing rates (and the label); the modules' targets come one layer down through W, not as spikes.",
      {
        update: 'Once per window, from hidden firing rates and mean surrogate derivatives (rates, not spike times); the modules regress on the same rates.',
      },
    ),
  },
  defaults: { conditioned: true, sgScale: 1 },
  // Adam: the modules regress on ReLU activations whose scale varies by layer and over training, where
  // SGD at the network's rate diverges or crawls; Adam's per-parameter steps train both at lr 1e-3.
  train: { optimizer: 'adam', lr: 0.001, momentum: 0, weightDecay: 0, schedule: 'cosine', activation: 'relu', init: 'he', epochs: 20, batch: 100, hidden: [256, 256, 256] },
  init(net, p, ws) {
    if (typeof p.conditioned !== 'boolean') throw new Error(`synthgrad: parameter conditioned must be true or false, got ${JSON.stringify(p.conditioned)}`);
    if (typeof p.sgScale !== 'number' || !Number.isFinite(p.sgScale) || p.sgScale < 0) {
      throw new Error(`synthgrad: parameter sgScale must be a non-negative number, got ${JSON.stringify(p.sgScale)}`);
    }
    const C = net.classes;
    const sg = net.layers.slice(0, -1).map((l): SgModule => {
      const n = l.outSize;
      return {
        M: ws.f32([n, n]), c: ws.f32([n]), U: p.conditioned ? ws.f32([n, C]) : null,
        dM: ws.f32([n, n]), dc: ws.f32([n]), dU: p.conditioned ? ws.f32([n, C]) : null,
        g: ws.f32([net.batch, n]), target: ws.f32([net.batch, n]),
      };
    });
    return { sg, conditioned: p.conditioned };
  },
  params(s) {
    const ps: Param[] = [];
    s.sg.forEach((m, l) => {
      ps.push({ name: `sgM${l}`, value: m.M, grad: m.dM, decay: false }, { name: `sgc${l}`, value: m.c, grad: m.dc, decay: false });
      if (m.U) ps.push({ name: `sgU${l}`, value: m.U, grad: m.dU!, decay: false });
    });
    return ps;
  },
  teach(ctx, s) {
    predictSynthetic(ctx, s);
    applySynthetic(ctx, s);
  },
  update(ctx, s, p) {
    const { net, rows } = ctx;
    const lib = net.lib, a = p.sgScale / rows;
    localGrads(ctx);
    for (let l = 0; l < s.sg.length; l++) {
      const L = net.layers[l]!, up = net.layers[l + 1]!, m = s.sg[l]!;
      // g_l = δ_{l+1} · W_{l+1}, then the residual ĝ_l − g_l in place.
      lib.gemm(m.target.head(rows), up.delta.head(rows), up.W, 'nn');
      lib.sub(m.target.head(rows), m.g.head(rows), m.target.head(rows));
      lib.gemm(m.dM, m.target.head(rows), L.post.head(rows), 'tn', a, 0);
      lib.sumRows(m.dc, m.target.head(rows), a, 0);
      if (m.dU) lib.gemm(m.dU, m.target.head(rows), net.target.head(rows), 'tn', a, 0);
    }
  },
});
