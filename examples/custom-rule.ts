// A learning rule written outside the package, as docs/custom-rule.md builds it step by step: direct
// random target projection (DRTP; Frenkel, Lefebvre & Bol 2021, Front. Neurosci. 15:629892). Each hidden
// layer l learns from the one-hot target y* sent through its own fixed random matrix B_l:
//   δ_L = e ⊙ f'(a_L)                     the output layer: its own error, as in backprop
//   δ_l = (y* · B_l) ⊙ f'(a_l),  l < L      hidden layers: no error and no forward weight needed
//   dW_l = δ_lᵀ · pre_l / rows,  db_l = Σ δ_l / rows
// B_l [classes, n_l] ~ U(−β_l, β_l), drawn once, never learned. As y* is known before the forward pass
// ends, hidden layers need not wait for the output (no update locking).
//
// Build it and train with it from a checkout (tests/examples/custom-rule.test.ts runs it so):
//   npm run build
//   node bin/bioprop.js train --plugin dist/examples/custom-rule.js --rule drtp --epochs 1 --limit 5000
import { defineRule, getRule, localGrads, outputDelta, type Tensor } from 'bioprop';

export interface DrtpParams {
  /** β_l, or 'auto': 1/√n_l for the hidden layer of width n_l. */
  feedbackScale: number | 'auto';
}

export interface DrtpState {
  /** B[l] is [classes, n_l] for hidden layer l. */
  B: Tensor[];
}

export const drtp = defineRule<DrtpParams, DrtpState>({
  id: 'drtp',
  title: 'Direct random target projection',
  cite: 'Frenkel, Lefebvre & Bol 2021, Front. Neurosci. 15:629892',
  objections: { removes: ['weightTransport', 'timing'], partly: ['derivativeTransport'] },
  defaults: { feedbackScale: 'auto' },
  // DFA's recipe (Adam, tanh, cosine schedule) on one hidden layer of 256, at half its learning rate: the
  // target signal never shrinks as the network learns, and a larger step saturates the tanh units.
  train: { ...getRule('dfa').train, hidden: [256], lr: 5e-4 },

  init(net, p, ws, rng) {
    const B = net.layers.slice(0, -1).map((layer) => {
      const beta = p.feedbackScale === 'auto' ? 1 / Math.sqrt(layer.outSize) : p.feedbackScale;
      if (!(beta > 0)) throw new Error(`drtp: feedbackScale must be 'auto' or a positive number, got ${p.feedbackScale}`);
      const b = ws.f32([net.classes, layer.outSize]); // freed with the network
      const stream = net.lib.rng(rng.nextU32() | 0); // seeded from the trainer: same seed, same B
      stream.uniform(b, -beta, beta);
      stream.dispose();
      return b;
    });
    return { B };
  },

  teach(ctx, s) {
    const { net, rows } = ctx;
    const lib = net.lib;
    outputDelta(ctx); // δ_L = e ⊙ f'(a_L)
    for (let l = 0; l < net.layers.length - 1; l++) {
      const layer = net.layers[l]!;
      // δ_l = (y* · B_l) ⊙ f'(a_l) on the batch's first `rows` rows (a partly filled last batch): one
      // GEMM and one elementwise product, in WASM. head(rows) is a cached view: no allocation per step.
      const delta = layer.delta.head(rows);
      lib.gemm(delta, net.target.head(rows), s.B[l]!, 'nn');
      lib.mul(delta, delta, layer.deriv.head(rows));
    }
  },

  update: (ctx) => localGrads(ctx), // dW_l = δ_lᵀ · pre_l / rows, db_l = Σ δ_l / rows

  // For `--align-every`: the matrix standing where backprop's path from the output stands.
  alignment: { feedback: (s, l) => (l < s.B.length ? { matrix: s.B[l]!, from: 'output' } : null) },
});

export default drtp;
