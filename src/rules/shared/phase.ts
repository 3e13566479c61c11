// Pieces shared by the phase-based rules (chl, eqprop, generec): the settling options every one of
// them takes, the per-network state (a Settler plus contrast buffers), and the contrastive update
//   dW_l = −c_l/rows · [ Δ_lᵀ·P_{l−1} + Q_lᵀ·Δ_{l−1} ],   db_l = −c_l/rows · Σ_rows Δ_l,   Δ = s⁺ − s⁻
// (loss-gradient sign: the optimiser does W ← W − lr·dW). With P = s⁻ and Q = s⁺ this is the
// difference of Hebbian products s⁺_l s⁺_{l−1}ᵀ − s⁻_l s⁻_{l−1}ᵀ written without cancellation (in float32
// the difference of two nearly equal products loses the signal): CHL and EqProp. GeneRec's variants pick other P, Q.
import type { Network } from '../../net/network.js';
import type { Workspace } from '../../core/workspace.js';
import type { Tensor } from '../../core/tensor.js';
import { Settler, checkSettleOptions, type SettleOptions } from '../../net/settle.js';
import type { StepContext } from '../types.js';

/** The sending side P: the minus-phase activity, or the midpoint ½(s⁺ + s⁻). */
export type PreForm = 'minus' | 'mid';
/** The receiving side Q of the Δx term: none (basic GeneRec), s⁻ (symmetric), s⁺ (CHL/EP form), ½(s⁺ + s⁻). */
export type PostForm = 'none' | 'minus' | 'plus' | 'mid';

/** The scratch of contrast(): Δ_l = s⁺_l − s⁻_l and ½(s⁺_l + s⁻_l), one [batch, n_l] per layer each. */
export interface ContrastBuffers {
  diff: Tensor[];
  mid: Tensor[];
}

export interface PhaseState extends ContrastBuffers {
  settler: Settler;
  /** The clamp target of the output (chl, generec): [batch, classes]. */
  target: Tensor;
}

/** PhaseState plus the per-layer gain scale of the Xie & Seung energy (chl, generec). */
export interface ScaledPhaseState extends PhaseState {
  scale: (l: number) => number;
}

export function settleOptions(who: string, p: SettleOptions): SettleOptions {
  checkSettleOptions(who, p);
  return p;
}

export function phaseState(net: Network, ws: Workspace, slots: readonly string[], difference = false): PhaseState {
  return {
    settler: new Settler(net, ws, slots, difference),
    diff: net.layers.map((l) => ws.f32([net.batch, l.outSize])),
    mid: net.layers.map((l) => ws.f32([net.batch, l.outSize])),
    target: ws.f32([net.batch, net.classes]),
  };
}

/** Free phase from a feedforward warm start; leaves the prediction in net.output.post. */
export function freePhase(ctx: StepContext, s: PhaseState, o: SettleOptions, label: string): void {
  s.settler.feedforward(ctx.rows);
  s.settler.settle(ctx.rows, { kind: 'free' }, o, label);
}

/**
 * The outcome the output is clamped to: t = s⁻_L − e, e = dLoss/d(output) at the free phase (the
 * trainer's net.error). For an MSE net this is the one-hot target itself (Movellan, O'Reilly, Xie &
 * Seung); for softmax cross-entropy on a linear output it is the output moved by the loss gradient, so
 * the output difference t − s⁻_L = −e is the output error backprop would send down.
 */
export function clampTarget(ctx: StepContext, s: PhaseState): Tensor {
  const { net, rows } = ctx;
  net.lib.sub(s.target.head(rows), net.output.post.head(rows), net.error.head(rows));
  return s.target;
}

/** How the clamped phase is formed against the free one (clampedPhaseHooks). */
export type ClampedForm = 'plain' | 'hold' | 'difference';

/**
 * The hooks of the free-vs-clamped rules (CHL: 'free'/'clamped', GeneRec: 'minus'/'plus'): the free
 * phase settles and is snapshotted as `first`; teach clamps the output to clampTarget(), settles,
 * snapshots `second`, and restores the free state so the trainer's view of the prediction is unchanged.
 *
 * `hold` pairs the two phases: before the clamped phase, the hidden layers settle once more with the
 * output held at its free value s⁻_L, and that state is the one snapshotted as `first`. Both snapshots
 * are then the same hidden-only relaxation from the same start, differing only in the output they see
 * (s⁻_L or t), so whatever the free phase left unconverged is common to both and cancels in s⁺ − s⁻
 * instead of being amplified by γ^{l−top} (a free phase that stops at maxIter leaves a drift of the order
 * of its last sweep's change; with one hidden layer the held and clamped relaxations are exact).
 *
 * `difference` settles Δ = s⁺ − s⁻ itself (Settler.settleDifference, stopping on Δ_l·scale(l)) into the
 * state's diff buffers and stores s⁻ + Δ as `second`: the drift of the free phase cancels exactly, and
 * a Δ_l of size γ^{top−l}·δ_l keeps float32's relative precision, where the difference of two settled
 * states has an absolute floor of the states' rounding unit that scale(l) = γ^{l−top} then amplifies.
 * The update must then read the diff buffers as they are (contrast(…, diffReady = true)).
 */
export function clampedPhaseHooks(first: string, second: string, form: ClampedForm = 'plain') {
  return {
    forward(ctx: StepContext, s: PhaseState, p: SettleOptions, training: boolean): void {
      freePhase(ctx, s, p, first);
      if (training) s.settler.snapshot(first, ctx.rows);
    },
    teach(ctx: StepContext, s: ScaledPhaseState, p: SettleOptions): void {
      const target = clampTarget(ctx, s), st = s.settler;
      if (form === 'difference') {
        st.settleDifference(ctx.rows, target, p, s.diff, s.scale, second);
        const lib = ctx.net.lib, plus = st.slot(second), minus = st.slot(first);
        for (let l = 0; l < plus.length; l++) lib.add(plus[l]!.head(ctx.rows), minus[l]!.head(ctx.rows), s.diff[l]!.head(ctx.rows));
        return;
      }
      if (form === 'hold') {
        const free = st.slot(first);
        st.settle(ctx.rows, { kind: 'clamp', target: free[free.length - 1]! }, p, 'hold');
        st.snapshot(first, ctx.rows);
      }
      st.settle(ctx.rows, { kind: 'clamp', target }, p, second);
      st.snapshot(second, ctx.rows);
      st.restore(first, ctx.rows);
    },
  };
}

/**
 * Writes every layer's dW, db from the snapshots `plus` and `minus` (see the file header); diffReady:
 * s.diff already holds Δ = s⁺ − s⁻ (settled in difference coordinates), which is used as it is.
 */
export function contrast(
  ctx: StepContext, s: ContrastBuffers, plus: Tensor[], minus: Tensor[], scale: (l: number) => number, pre: PreForm, post: PostForm,
  diffReady = false,
): void {
  const { net, rows } = ctx;
  const lib = net.lib, layers = net.layers;
  for (let l = 0; l < layers.length; l++) {
    if (!diffReady) lib.sub(s.diff[l]!.head(rows), plus[l]!.head(rows), minus[l]!.head(rows));
    if (pre === 'mid' || post === 'mid') lib.scaleAdd(s.mid[l]!.head(rows), 0.5, plus[l]!.head(rows), 0.5, minus[l]!.head(rows));
  }
  for (let l = 0; l < layers.length; l++) {
    const L = layers[l]!, alpha = -scale(l) / rows;
    const P = l === 0 ? net.input : pre === 'mid' ? s.mid[l - 1]! : minus[l - 1]!;
    lib.gemm(L.dW, s.diff[l]!.head(rows), P.head(rows), 'tn', alpha, 0);
    if (l > 0 && post !== 'none') {
      const Q = post === 'plus' ? plus[l]! : post === 'minus' ? minus[l]! : s.mid[l]!;
      lib.gemm(L.dW, Q.head(rows), s.diff[l - 1]!.head(rows), 'tn', alpha, 1);
    }
    if (net.bias) lib.sumRows(L.db, s.diff[l]!.head(rows), alpha, 0);
  }
}

/**
 * The feedback gain to settle with: γ, lowered so that every feedback loop's gain stays <= `loopGain`.
 * The loop between layers l−1 and l (a unit's drive reaches the layer above through W_l and comes back
 * through γ·W_lᵀ, slopes <= 1) has gain γ·‖W_l‖₂² <= γ·‖W_l‖_F²; layer-wise settling is a contraction only
 * while that is below 1, and converges in few sweeps only well below it. Weights grow in training
 * (cross-entropy pushes the logits up), so a fixed γ ends above 1: the free phase stops converging and its
 * drift, amplified by γ^{l−top}, swamps the learning signal. Xie & Seung's equivalence to backprop needs
 * weak feedback relative to the weights, which the bound keeps. loopGain = Infinity: γ as given.
 */
export function boundedGain(net: Network, gamma: number, loopGain: number): number {
  let m = 0;
  for (let l = 1; l < net.layers.length; l++) m = Math.max(m, net.lib.sumsq(net.layers[l]!.W));
  return gamma * m > loopGain ? loopGain / m : gamma;
}

/** Xie & Seung's per-layer factor γ^{l−top}: every layer gets a backprop-sized step. */
export function gammaScale(net: Network, gamma: number): (l: number) => number {
  const top = net.layers.length - 1;
  return (l) => gamma ** (l - top);
}

/** The Settler's sweep counters (behind settleMetrics), saved with a training run's state. */
export const settleState = {
  save: (s: PhaseState): unknown => s.settler.counters(),
  load: (s: PhaseState, v: unknown): void => s.settler.setCounters(v),
};

/** Mean settling sweeps per example, per phase (for the run record). */
export function settleMetrics(s: PhaseState): Record<string, number> {
  const r: Record<string, number> = {};
  for (const [phase, st] of Object.entries(s.settler.stats())) r[`sweeps_${phase}`] = st.meanSweeps;
  return r;
}
