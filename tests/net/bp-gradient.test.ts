// Backprop's gradients: the float64 reference against central finite differences, then the WASM
// network + bp rule (float32) against the float64 reference, for every activation and depth 1..4.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { seeded, mulberry32 } from '../helpers/fill.js';
import { Network } from '../../src/net/network.js';
import { bp } from '../../src/rules/bp.js';
import { Rng } from '../../src/core/rng.js';
import * as ref from '../reference/mlp.js';

import { ACT_NAMES } from '../../src/activations.js';

const SMOOTH = ['linear', 'sigmoid', 'tanh', 'softplus', 'softlif'];
const ALL = ACT_NAMES; // every registered activation

function oneHot(rows: number, C: number, seed: number): Float64Array {
  const r = mulberry32(seed), t = new Float64Array(rows * C);
  for (let i = 0; i < rows; i++) t[i * C + Math.floor(r() * C)] = 1;
  return t;
}

function toRef(net: Network, act: string, loss: 'xent' | 'mse'): ref.Mlp64 {
  return {
    sizes: [...net.sizes], loss,
    W: net.layers.map((l) => Float64Array.from(l.W.data)),
    b: net.layers.map((l) => Float64Array.from(l.b.data)),
    acts: net.layers.map((_, i) => ref.act64(i === net.layers.length - 1 ? net.outputActivation : act)),
  };
}

test('float64 reference backprop matches central finite differences (smooth activations, both losses)', () => {
  // Central differences have truncation error O(h²·f''') ≈ 1e-10 and rounding error ≈ ε·|L|/h ≈ 1e-10
  // at h = 1e-5 in float64, so 1e-7 (relative to 1 + |g|) leaves a wide margin yet fails on any real bug.
  for (const act of SMOOTH) {
    for (const loss of ['xent', 'mse'] as const) {
      const sizes = [5, 4, 3, 3];
      const rnd = mulberry32(11);
      const net: ref.Mlp64 = {
        sizes, loss,
        W: sizes.slice(1).map((o, l) => Float64Array.from({ length: o * sizes[l]! }, () => rnd() - 0.5)),
        b: sizes.slice(1).map((o) => Float64Array.from({ length: o }, () => 0.2 * (rnd() - 0.5))),
        acts: sizes.slice(1).map((_, l) => ref.act64(l === sizes.length - 2 ? (loss === 'xent' ? 'linear' : 'sigmoid') : act)),
      };
      const rows = 3, x = Float64Array.from(seeded(rows * 5, 3)), t = oneHot(rows, 3, 4);
      const g = ref.backprop(net, x, t, rows);
      const h = 1e-5;
      for (let l = 0; l < net.W.length; l++) {
        for (const [P, G] of [[net.W[l]!, g.dW[l]!], [net.b[l]!, g.db[l]!]] as const) {
          for (let i = 0; i < P.length; i++) {
            const p0 = P[i]!;
            P[i] = p0 + h;
            const lp = ref.meanLoss(net, x, t, rows);
            P[i] = p0 - h;
            const lm = ref.meanLoss(net, x, t, rows);
            P[i] = p0;
            const fd = (lp - lm) / (2 * h);
            assert.ok(Math.abs(fd - G[i]!) <= 1e-7 * (1 + Math.abs(G[i]!)), `${act}/${loss} layer ${l} param ${i}: fd ${fd} vs analytic ${G[i]}`);
          }
        }
      }
    }
  }
});

for (const act of ALL) {
  for (let depth = 1; depth <= 4; depth++) {
    for (const loss of ['xent', 'mse'] as const) {
      test(`bp rule on the WASM net = float64 backprop: ${act}, ${depth} hidden, ${loss}`, async () => {
        const lib = await backend();
        const sizes = [13, ...Array.from({ length: depth }, (_, i) => 7 + 2 * i), 5];
        const rows = 6;
        const net = new Network(lib, {
          sizes, activation: act, loss, outputActivation: loss === 'mse' ? 'sigmoid' : undefined,
          init: 'xavier', batch: 8, seed: 100 + depth,
        });
        for (const l of net.layers) l.b.set(seeded(l.outSize, 7 + l.index, -0.1, 0.1));
        const x = seeded(rows * 13, 5 + depth);
        const t = oneHot(rows, 5, 9 + depth);
        net.input.data.set(x);
        net.target.data.set(Float32Array.from(t));
        const ctx = { net, rows, rng: new Rng(1) };
        net.forward(rows);
        const L = net.computeLoss(rows) / rows;
        bp.teach(ctx, null, {});
        bp.update(ctx, null, {});
        const g = ref.backprop(toRef(net, act, loss), Float64Array.from(x.subarray(0, rows * 13)), t, rows);
        // float32 forward/backward: every value is a sum of ≤ 13 products through ≤ 5 layers, plus the
        // activations' approximation error (documented ≤ a few float32 ulps); the accumulated error is
        // bounded by ~(fan-in + depth)·(ε + approx) ≈ 20·1e-6 of the magnitude of the summed terms.
        // The layer's largest gradient stands in for that magnitude: tolerance 1e-4 of it.
        assert.ok(Math.abs(L - g.loss) <= 1e-5 * (1 + Math.abs(g.loss)), `loss ${L} vs ${g.loss}`);
        net.layers.forEach((l, i) => {
          for (const [got, want, name] of [[l.dW.data, g.dW[i]!, 'dW'], [l.db.data, g.db[i]!, 'db']] as const) {
            const scale = Math.max(...Array.from(want, Math.abs), 1e-3);
            for (let j = 0; j < want.length; j++) {
              assert.ok(Math.abs(got[j]! - want[j]!) <= 1e-4 * scale, `${name}${i}[${j}]: ${got[j]} vs ${want[j]} (scale ${scale})`);
            }
          }
        });
        net.dispose();
      });
    }
  }
}

test.run();
