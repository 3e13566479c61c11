// Gradient-alignment diagnostics (Lillicrap et al. 2016's defining measurement, usable by every rule):
// per layer, on the batch just taught,
//   updateAngleDeg: ∠(dW_rule, dW_bp), dW_bp from a scratch backprop teach on the same forward state
//   weightAngleDeg: ∠(feedback path, what backprop uses there): B_{l+1} vs W_{l+1} for chain rules (FA, sign),
//                   B_l vs the linearised product W_L···W_{l+1} for direct rules (DFA); null when the rule
//                   exposes no feedback matrix (Rule.alignment.feedback) and for the output layer
//   normRatio:      lr·‖dW_rule‖ / ‖W‖, the relative size of the step the rule asks for (before momentum)
// Angles are between flattened tensors, in degrees. All scratch buffers (backprop δ and dW, the direct
// products) are allocated once, at construction, in the network's workspace: measuring never writes to
// the rule's own buffers (delta, dW, db, its state) and allocates nothing in WASM memory. Backprop is taken
// on the signals the rule's forward pass left (pre, deriv, error): for a rule with its own forward (a
// settling loop, a spiking time loop) that is backprop through those signals, surrogate derivatives included.
// A rule that keeps those signals in its own state hands them over with Rule.alignment.signals.
import type { Tensor } from '../core/tensor.js';
import type { Network } from '../net/network.js';
import type { AnyRule, StepContext, BackpropSignals } from '../rules/types.js';
import type { Backend } from '../backend.js';
import { angleDeg, normRatio } from '../metrics/alignment.js';

export interface AlignmentRecord {
  layer: number;
  updateAngleDeg: number | null;
  weightAngleDeg: number | null;
  normRatio: number | null;
}

/** Per-layer running sums of the three measures over the measured batches of an epoch. */
export class Alignment {
  private readonly delta: Tensor[]; // backprop δ_l [batch, n_l]
  private readonly dW: Tensor[]; // backprop dW_l
  /** For 'output' feedback: P_l = W_L···W_{l+1} [classes, n_l], built top-down (index by layer). */
  private readonly prod: (Tensor | null)[];
  private readonly sum: { u: number; w: number; r: number; nu: number; nw: number; nr: number }[];
  private measured = 0;
  /** The rule's own forward signals (Rule.alignment.signals), asked for once; null: the layers' own. */
  private readonly own: BackpropSignals | null;

  constructor(readonly net: Network, readonly rule: AnyRule, readonly state: unknown) {
    const ws = net.ws, L = net.layers.length;
    this.delta = net.layers.map((l) => ws.f32([net.batch, l.outSize]));
    this.dW = net.layers.map((l) => ws.f32([l.outSize, l.inSize]));
    const direct = net.layers.slice(0, -1).some((_, l) => rule.alignment?.feedback?.(state, l)?.from === 'output');
    this.prod = net.layers.map((l, i) => (direct && i < L - 1 ? ws.f32([net.classes, l.outSize]) : null));
    this.sum = net.layers.map(() => ({ u: 0, w: 0, r: 0, nu: 0, nw: 0, nr: 0 }));
    this.own = rule.alignment?.signals?.(state, net) ?? null;
  }

  /** Batches measured since the last take(). */
  get count(): number {
    return this.measured;
  }

  /**
   * Measures the batch whose forward pass, teach and update just ran (call before the optimiser step):
   * backprop's δ and dW into scratch, then the angles and ratios, added to the running sums.
   */
  measure(ctx: StepContext, lr: number): void {
    const { net, rows } = ctx;
    const lib = net.lib, layers = net.layers, L = layers.length;
    // Backprop on the current forward state (the same signals the rule just read): the layers' pre and
    // deriv and the network's error, or the rule's own (Rule.alignment.signals).
    const out = layers[L - 1]!, own = this.own;
    if (own) lib.copy(this.delta[L - 1]!.head(rows), own.outputDelta.head(rows));
    else lib.mul(this.delta[L - 1]!.head(rows), net.error.head(rows), out.deriv.head(rows));
    for (let l = L - 2; l >= 0; l--) {
      const cur = layers[l]!, up = layers[l + 1]!, d = this.delta[l]!;
      lib.gemm(d.head(rows), this.delta[l + 1]!.head(rows), up.W, 'nn');
      lib.mul(d.head(rows), d.head(rows), (own ? own.deriv[l]! : cur.deriv).head(rows));
    }
    for (let l = 0; l < L; l++) {
      const cur = layers[l]!, pre = own ? own.pre[l]! : cur.pre;
      lib.gemm(this.dW[l]!, this.delta[l]!.head(rows), pre.head(rows), 'tn', 1 / rows, 0);
    }
    // Linearised backprop paths for direct feedback: P_{L−2} = W_L, P_l = P_{l+1} · W_{l+1}.
    for (let l = L - 2; l >= 0; l--) {
      const P = this.prod[l];
      if (!P) continue;
      const W = layers[l + 1]!.W;
      if (l === L - 2) lib.copy(P, W);
      else lib.gemm(P, this.prod[l + 1]!, W, 'nn');
    }
    for (let l = 0; l < L; l++) {
      const cur = layers[l]!, s = this.sum[l]!;
      const u = angleDeg(lib, cur.dW, this.dW[l]!);
      if (Number.isFinite(u)) { s.u += u; s.nu++; }
      const r = lr * normRatio(lib, cur.dW, cur.W);
      if (Number.isFinite(r)) { s.r += r; s.nr++; }
      const fb = l < L - 1 ? this.rule.alignment?.feedback?.(this.state, l) : null;
      if (fb) {
        const ref = fb.from === 'above' ? layers[l + 1]!.W : this.prod[l]!;
        const w = angleDeg(lib, fb.matrix, ref);
        if (Number.isFinite(w)) { s.w += w; s.nw++; }
      }
    }
    this.measured++;
  }

  /** Per-layer means over the batches measured since the last take() (null where undefined), then resets. */
  take(): AlignmentRecord[] {
    const recs = this.sum.map((s, layer) => ({
      layer,
      updateAngleDeg: s.nu ? s.u / s.nu : null,
      weightAngleDeg: s.nw ? s.w / s.nw : null,
      normRatio: s.nr ? s.r / s.nr : null,
    }));
    for (const s of this.sum) Object.assign(s, { u: 0, w: 0, r: 0, nu: 0, nw: 0, nr: 0 });
    this.measured = 0;
    return recs;
  }
}
