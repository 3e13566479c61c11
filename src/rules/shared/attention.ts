// Shared machinery of the attention-gated reinforcement rules (AGREL: Roelfsema & van Ooyen 2005;
// Q-AGREL: Pozzi, Bohté & Roelfsema 2018/2020):
// the network picks ONE action per example, the environment answers with a scalar reward, and the
// credit signal is the product of three local factors:
//   (1) a global neuromodulator m (a function of the reward-prediction error, one scalar per example),
//   (2) an attentional tag c_l: feedback that starts at the SELECTED output unit only and travels down
//       through feedback weights, gated by each unit's own f'(a): c_L = e_a, c_l = (c_{l+1}·F_{l+1}) ⊙ f'_l,
//   (3) presynaptic activity h_{l-1}.
// In the loss-gradient convention of the trainer: δ_l = −m · c_l, dW_l = δ_lᵀ h_{l−1} / rows.
//
// No label vector reaches the network: the label is read only by `environmentReward`, which plays the
// environment and returns 1 when the chosen action is the correct class, else 0. (The Trainer still
// computes a softmax loss and accuracy against the labels, for reporting only; the rules never read
// net.error or net.target beyond that scalar reward.)
//
// Feedback pathway F_l (option `feedback`):
//   'own'        (default) the rule's own feedback weights B_l, drawn independently of W_l with the same
//                init scheme, and learned with the same three-factor update as the forward synapses
//                (ΔB_l = ΔW_l, the papers' assumption that feedback learns with the same rule; with
//                weight decay the initial difference B − W decays, as in Kolen-Pollack learning).
//                `learnFeedback=false` keeps B fixed (feedback-alignment-like behaviour).
//   'transpose'  the transposed forward weights, F_l = W_l (what the BrainProp reference code does via
//                autodiff): weight transport, exactly BP on the selected unit.
import type { Tensor } from '../../core/tensor.js';
import type { Network, Param } from '../../net/network.js';
import type { StepContext } from '../types.js';
import type { Rng } from '../../core/rng.js';
import { initWeights } from '../../net/init.js';

export interface AttentionParams {
  /** 'own' (separate feedback synapses, default) or 'transpose' (F = W, the reference code). */
  feedback: string;
  /** Whether own feedback weights learn with the forward update (ΔB = ΔW). */
  learnFeedback: boolean;
}

export interface AttentionState {
  /** Own feedback weights per layer (index l = the layer whose δ they carry down; [0] unused), or null. */
  B: (Tensor | null)[] | null;
  /** Selected action, reward and neuromodulator per row (JS arrays made once). */
  action: Int32Array;
  reward: Float32Array;
  mod: Float32Array;
  /** Scratch for the selection probabilities of one row. */
  probs: Float64Array;
  /** The own feedback weights as optimiser params (empty for 'transpose' or fixed feedback). */
  params: Param[];
}

export function checkAttentionParams(rule: string, p: AttentionParams): void {
  if (p.feedback !== 'own' && p.feedback !== 'transpose') {
    throw new Error(`${rule}: parameter feedback must be 'own' or 'transpose', got '${String(p.feedback)}'`);
  }
  if (typeof p.learnFeedback !== 'boolean') throw new Error(`${rule}: parameter learnFeedback must be true or false, got '${String(p.learnFeedback)}'`);
}

/**
 * The rule's state; own feedback weights are drawn from the network's init scheme times `feedbackInit`
 * (0: they start silent and grow only by learning). The draw's seed is taken from `rng` either way, so
 * the scale changes no other draw.
 */
export function initAttention(net: Network, p: AttentionParams, rng: Rng, feedbackInit = 1): AttentionState {
  let B: (Tensor | null)[] | null = null;
  if (p.feedback === 'own') {
    const wr = net.lib.rng(rng.nextU32() | 0);
    try {
      B = net.layers.map((l) => {
        if (l.index === 0) return null; // nothing below the first layer
        const t = net.ws.f32(l.W.shape); // [out, in], or a kernel's [channels, k·k·c_in]
        if (feedbackInit === 0) t.data.fill(0);
        else {
          initWeights(wr, t, net.init);
          if (feedbackInit !== 1) net.lib.scal(t, feedbackInit);
        }
        return t;
      });
    } finally {
      wr.dispose();
    }
  }
  // Own feedback weights learn with the forward update: their gradient estimate IS the layer's dW
  // (B has W's [out, in] layout, so ΔB = ΔW is the reference's "transposed update" of W′ = Bᵀ).
  const params: Param[] = [];
  if (B && p.learnFeedback) {
    for (let l = 1; l < net.layers.length; l++) params.push({ name: `B${l}`, value: B[l]!, grad: net.layers[l]!.dW, decay: true });
  }
  return {
    B, action: new Int32Array(net.batch), reward: new Float32Array(net.batch), mod: new Float32Array(net.batch),
    probs: new Float64Array(net.classes), params,
  };
}

// Action selection (argmax, softmaxRow, sample) runs in TypeScript, one row at a time: it touches
// rows × classes numbers against the layers' rows × fan-in × fan-out: a negligible share of a profile of
// qagrel's default network (docs/measurements.md), which a WASM kernel could not win back.

/** The environment: reward 1 if `action` is the labelled class of `row`, else 0. The only label read. */
export function environmentReward(net: Network, row: number, action: number): number {
  return net.target.data[row * net.classes + action]! > 0.5 ? 1 : 0;
}

/** Index of the largest of q[off .. off+n) (first on ties). */
export function argmax(q: Float32Array, off: number, n: number): number {
  let best = 0, bv = q[off]!;
  for (let i = 1; i < n; i++) if (q[off + i]! > bv) { bv = q[off + i]!; best = i; }
  return best;
}

/** probs[i] = softmax(q[off..off+n) / temperature), in f64. */
export function softmaxRow(q: Float32Array, off: number, n: number, temperature: number, probs: Float64Array): void {
  let mx = -Infinity;
  for (let i = 0; i < n; i++) mx = Math.max(mx, q[off + i]!);
  let s = 0;
  for (let i = 0; i < n; i++) { const e = Math.exp((q[off + i]! - mx) / temperature); probs[i] = e; s += e; }
  for (let i = 0; i < n; i++) probs[i]! /= s;
}

/** A draw from the categorical distribution `probs` (one uniform from rng). */
export function sample(rng: Rng, probs: Float64Array, n: number): number {
  const u = rng.uniform();
  let c = 0;
  for (let i = 0; i < n - 1; i++) { c += probs[i]!; if (u < c) return i; }
  return n - 1;
}

/**
 * Attention-gated teaching signal, given s.action and s.mod for the first `rows` rows:
 * tags from the selected unit down through the feedback pathway, then δ_l = −mod · tag (per row).
 */
export function attentionTeach(ctx: StepContext, s: AttentionState): void {
  const { net, rows } = ctx;
  const lib = net.lib, layers = net.layers, L = net.output, C = net.classes;
  // Output tag: only the selected unit is "attended" (1 there, 0 elsewhere), times its own f'.
  const d = L.delta.data;
  d.fill(0, 0, rows * C);
  for (let r = 0; r < rows; r++) d[r * C + s.action[r]!] = 1;
  lib.mul(L.delta.head(rows), L.delta.head(rows), L.deriv.head(rows));
  // Feedback from the selected unit only, gated by each layer's own derivative.
  for (let l = layers.length - 2; l >= 0; l--) {
    const cur = layers[l]!;
    const F = s.B ? s.B[l + 1]! : layers[l + 1]!.W;
    net.sendDown(l + 1, F, rows); // δ_{l+1}·F, or a convolution's input gradient through F; then l's pooling backward
    lib.mul(cur.delta.head(rows), cur.delta.head(rows), cur.deriv.head(rows));
  }
  // The global neuromodulator multiplies every tag of its example (loss-gradient sign).
  for (const l of layers) for (let r = 0; r < rows; r++) lib.scal(l.delta.row(r), -s.mod[r]!);
}
