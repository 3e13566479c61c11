/** Weight mirroring: feedback alignment whose feedback weights B learn to mirror the forward weights from
 *  noise, without weight transport. Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019, NeurIPS ("Deep
 *  learning without weight transport"), §4 (the weight mirror) and eq. 7.
 *  Engaged mode (every training step): fa's sweep through B,
 *    δ_L = e ⊙ f'(a_L),  δ_l = (δ_{l+1} · B_{l+1}) ⊙ f'(a_l),  dW_l = δ_lᵀ · pre_l / batch.
 *  Mirror mode (after each step, and `warmup` times before training): the units below layer l fire white
 *  noise x ~ N(0, σ²I), the forward synapses carry it, y = W_l x, and every feedback synapse makes the
 *  Hebbian product of the two ends it links, with decay:
 *    B_l ← (1 − λ)·B_l + (η / M)·Σ_m y_m x_mᵀ    (M noise samples per mirror step).
 *  E[y xᵀ] = W_l E[x xᵀ] = σ²·W_l, so B_l's mean settles at (η σ² / λ)·W_l: with mirrorRate 'auto'
 *  (η = λ/σ²) B comes to equal W in expectation, the noise leaving an angle of about
 *  atan √((n + 1)·λ / (M·(2 − λ))) for fan-in n (tests/rules/mirror.test.ts derives it).
 *  The mirror response is taken linear (y = W x, no bias or f): the paper's analysis; a nonlinearity with
 *  f'(0) > 0 adds a constant the zero-mean noise averages out and scales the rest by f'(0).
 *  On a convolution B is a kernel shaped like W and the noise drives one receptive field at a time: white
 *  noise over the kernel's k·k·c inputs, the response of its channels. One kernel serves every position,
 *  so this is the same mirror in expectation as noise over a whole feature map without padding.
 *  Objections:
 *  - weightTransport: removed. No weight is copied: B learns from the activity at both ends of its own
 *    synapses while the forward synapses carry noise.
 *  - derivativeTransport: kept. δ_{l+1} holds f'(a_{l+1}) when it is sent down.
 *  - linearFeedback: kept. Signed linear error feedback through B.
 *  - spiking: kept as a rule (defined on rates), but it runs on spiking networks like fa (--spiking); the
 *    mirror phase stays a graded, rate-level computation.
 *  - timing: kept. A backward sweep after the forward pass, and separate mirror phases.
 *  - target: kept. Needs the labelled output error. */
import type { Tensor } from '../core/tensor.js';
import type { Network } from '../net/network.js';
import type { WasmRng } from '../wasm/rng.js';
import { defineRule } from './types.js';
import { chain, localGrads } from './shared/common.js';
import { FEEDBACK_DISTS, oneOfParam, scaleParam, type FeedbackDist } from './shared/feedback.js';
import { rateRuleParts, RATE_RULE_WINDOW } from './shared/spiking.js';
import { fa } from './fa.js';
import { angleDeg } from '../metrics/alignment.js';

export interface MirrorParams {
  /** The initial B, drawn as fa draws it ('uniform' or 'normal'). */
  feedback: FeedbackDist;
  /** Its scale ('auto': W's RMS), as fa's. */
  feedbackScale: number | 'auto';
  /** σ, the standard deviation of the mirror noise. */
  noise: number;
  /** λ, B's decay per mirror step, in [0, 1): 1/λ steps is the memory of the mirror. */
  mirrorDecay: number;
  /** η, or 'auto' (λ/σ², so that B's mean settles at W). */
  mirrorRate: number | 'auto';
  /** M, noise samples per mirror step. */
  mirrorBatch: number;
  /** Mirror steps after every training step (0: B stays where warmup left it). */
  mirrorSteps: number;
  /** Mirror steps before the first training step (the paper's initial mirror). */
  warmup: number;
}

export interface MirrorState {
  /** B[l] has W_l's shape ([n_l, n_{l−1}], or a kernel's); B[0] is never used (nothing below the first layer). */
  B: Tensor[];
  /** The noise x [M, fan-in] and the response y [M, n_l] of each mirrored layer (null for layer 0). */
  x: (Tensor | null)[];
  y: (Tensor | null)[];
  /** The noise generator (its state in the workspace, so a resumed run draws on). */
  rng: WasmRng;
  net: Network;
  decay: number;
  rate: number;
  sigma: number;
  steps: number;
}

const integerParam = (key: string, v: unknown, min: number): number => {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`mirror: parameter ${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
};

export const mirror = defineRule<MirrorParams, MirrorState>({
  id: 'mirror',
  title: 'Weight mirroring (feedback learned from noise)',
  cite: 'Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019, NeurIPS (arXiv:1904.05391)',
  objections: { removes: ['weightTransport'] },
  spiking: {
    // fa's spiking recipe: the engaged mode is fa's, and the mirror phase does not read the spikes.
    train: { ...fa.spiking!.train },
    sim: RATE_RULE_WINDOW,
    parts: rateRuleParts('Rate-coded: the error travels down through B as a graded signal; B learns in mirror phases from graded noise carried by W, not from spikes.'),
  },
  defaults: { feedback: 'uniform', feedbackScale: 'auto', noise: 1, mirrorDecay: 0.02, mirrorRate: 'auto', mirrorBatch: 100, mirrorSteps: 1, warmup: 150 },
  // B is a kernel shaped like W, mirrored on white noise over one receptive field (see above).
  conv: true,
  // fa's recipe: the engaged mode is fa's, and B only gets closer to backprop's W.
  train: { ...fa.train },
  init(net, p, ws, rng) {
    if (typeof p.noise !== 'number' || !Number.isFinite(p.noise) || p.noise <= 0) throw new Error(`mirror: parameter noise must be a positive number, got ${JSON.stringify(p.noise)}`);
    const sigma = p.noise;
    if (typeof p.mirrorDecay !== 'number' || !(p.mirrorDecay >= 0 && p.mirrorDecay < 1)) {
      throw new Error(`mirror: parameter mirrorDecay must be a number in [0, 1), got ${JSON.stringify(p.mirrorDecay)}`);
    }
    const rate = p.mirrorRate === 'auto' && p.mirrorDecay === 0 ? NaN : scaleParam('mirror', 'mirrorRate', p.mirrorRate, p.mirrorDecay / (sigma * sigma));
    if (Number.isNaN(rate)) throw new Error(`mirror: parameter mirrorRate 'auto' is mirrorDecay/noise², which needs mirrorDecay > 0; give mirrorRate a number`);
    const M = integerParam('mirrorBatch', p.mirrorBatch, 1);
    const steps = integerParam('mirrorSteps', p.mirrorSteps, 0);
    const warmup = integerParam('warmup', p.warmup, 0);
    // fa draws the initial B; its parameters are checked here first so that an error names this rule.
    oneOfParam('mirror', 'feedback', p.feedback, FEEDBACK_DISTS);
    scaleParam('mirror', 'feedbackScale', p.feedbackScale, 1);
    const { B } = fa.init(net, { feedback: p.feedback, feedbackScale: p.feedbackScale }, ws, rng);
    const x = net.layers.map((l) => (l.index === 0 ? null : ws.f32([M, l.W.shape[1]!])));
    const y = net.layers.map((l) => (l.index === 0 ? null : ws.f32([M, l.W.shape[0]!])));
    const s: MirrorState = { B, x, y, rng: net.lib.rngIn(ws.f32([4]), rng.nextU32() | 0), net, decay: p.mirrorDecay, rate, sigma, steps };
    for (let i = 0; i < warmup; i++) mirrorStep(s);
    return s;
  },
  teach: (ctx, s) => chain(ctx, (l) => s.B[l]!),
  update(ctx, s) {
    localGrads(ctx);
    for (let i = 0; i < s.steps; i++) mirrorStep(s);
  },
  record: { metrics: (s) => mirrorAngles(s) },
  alignment: { feedback: (s, l) => (l + 1 < s.B.length ? { matrix: s.B[l + 1]!, from: 'above' } : null) },
});

/** One mirror step on every layer above the first: B_l ← (1 − λ)·B_l + (η/M)·yᵀx with y = x·W_lᵀ, x white noise. */
export function mirrorStep(s: MirrorState): void {
  const lib = s.net.lib;
  for (const l of s.net.layers) {
    const x = s.x[l.index], y = s.y[l.index];
    if (!x || !y) continue;
    s.rng.normal(x, 0, s.sigma);
    lib.gemm(y, x, l.W, 'nt');
    lib.gemm(s.B[l.index]!, y, x, 'tn', s.rate / x.shape[0]!, 1 - s.decay);
  }
}

/** The angle between B_l and W_l in degrees, per mirrored layer, as `mirrorAngleDeg<l>` (the run record's rule metrics). */
export function mirrorAngles(s: MirrorState): Record<string, number> {
  const lib = s.net.lib, out: Record<string, number> = {};
  for (const l of s.net.layers) {
    if (l.index === 0) continue;
    const a = angleDeg(lib, s.B[l.index]!, l.W);
    out[`mirrorAngleDeg${l.index}`] = Number.isFinite(a) ? a : 90; // an all-zero B or W: orthogonal to everything
  }
  return out;
}
