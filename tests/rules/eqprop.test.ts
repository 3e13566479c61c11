// Equilibrium propagation against its theorem: as β → 0 its update tends to the gradient of the
// energy-based loss J(θ) = C(s*(θ)) (C = the net's loss at the free fixed point s*), computed here by
// central finite differences of a float64 settle (tests/reference/settle.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { eqprop } from '../../src/rules/eqprop.js';
import { Rng } from '../../src/core/rng.js';
import { loss64, type Net64 } from '../reference/settle.js';
import { ROWS, tinyNet, ruleGrad, cosine, relErr, to64 } from './phase-helpers.js';
import type { Network } from '../../src/net/network.js';

// Settle to (float32) convergence: tol a few ulps of states of order 1 (tol 0 can cycle on 1 ulp).
const TIGHT = { eps: 1, maxIter: 3000, tol: 5e-7 };

/** Central differences of J in float64, h = 1e-6: truncation O(h²) ≈ 1e-12 and rounding ≈ 1e-16/h ≈ 1e-10,
 *  against gradient entries of order 1e-3..1e-1; hard-sigmoid kinks are hit with probability ~h. */
function fdGrad(net: Network, gamma: number, loss: 'xent' | 'mse'): Float64Array {
  const n64 = to64(net), xs: Float64Array[] = [], ys: Float64Array[] = [];
  const n0 = net.sizes[0]!, C = net.classes;
  for (let r = 0; r < ROWS; r++) {
    xs.push(Float64Array.from(net.input.data.subarray(r * n0, (r + 1) * n0)));
    ys.push(Float64Array.from(net.target.data.subarray(r * C, (r + 1) * C)));
  }
  const out: number[] = [], h = 1e-6;
  const J = (m: Net64) => loss64(m, xs, ys, gamma, loss);
  for (let l = 0; l < n64.W.length; l++) {
    for (const arr of [n64.W[l]!, n64.b[l]!]) {
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i]!;
        arr[i] = v + h; const jp = J(n64);
        arr[i] = v - h; const jm = J(n64);
        arr[i] = v;
        out.push((jp - jm) / (2 * h));
      }
    }
  }
  return Float64Array.from(out);
}

for (const loss of ['xent', 'mse'] as const) {
  for (const gamma of [1, 0.5]) {
    test(`eqprop (${loss}, γ=${gamma}): one-sided estimate → true gradient as β → 0 (cosine > 0.99, error shrinking)`, async () => {
      const lib = await backend();
      const net = tinyNet(lib, [6, 5, 4, 3], 4, 0.4, loss);
      const g = fdGrad(net, gamma, loss);
      const errs: number[] = [];
      // Hard-sigmoid kinks make the bias large while a nudge moves units across 0 or 1 (β ≳ 0.1 here);
      // below that the O(β) bias shrinks linearly until float32 noise (≈ 1e-7/β) takes over near β = 1e-3.
      for (const beta of [0.1, 0.02, 0.004]) {
        const { g: ep } = ruleGrad(eqprop, net, { ...TIGHT, gamma, beta, symmetric: false });
        const c = cosine(ep, g);
        errs.push(relErr(ep, g));
        if (beta <= 0.02) assert.ok(c > 0.99, `β=${beta}: cosine ${c}`);
      }
      // one-sided bias is O(β): a 5× smaller β must give a clearly smaller error
      assert.ok(errs[1]! < 0.5 * errs[0]! && errs[2]! < 0.5 * errs[1]!, `errors ${errs.map((e) => e.toExponential(2)).join(' > ')}`);
      // the one-sided bias is ≈ k·β with k of order 1 (half the curvature of C along the nudge: 1–2.5
      // on these nets), so 5·β bounds it at β = 0.004 with room, and a wrong estimator misses it by far
      assert.ok(errs[2]! < 5 * 0.004, `relative error at β = 0.004: ${errs[2]}`);
      net.dispose();
    });
  }
}

test('eqprop: the symmetric ±β estimate (Laborieux et al.) has a smaller bias than the one-sided one', async () => {
  const lib = await backend();
  const net = tinyNet(lib, [6, 5, 4, 3], 4, 0.4);
  const g = fdGrad(net, 1, 'xent');
  // O(β²) vs O(β): once no unit crosses a kink (β = 0.004 here) the symmetric error is far smaller;
  // at β = 0.02 kink crossings still dominate both, but symmetric nudging still helps.
  for (const [beta, ratio] of [[0.02, 0.75], [0.004, 0.1]] as const) {
    const one = relErr(ruleGrad(eqprop, net, { ...TIGHT, gamma: 1, beta, symmetric: false }).g, g);
    const sym = relErr(ruleGrad(eqprop, net, { ...TIGHT, gamma: 1, beta, symmetric: true }).g, g);
    assert.ok(sym < ratio * one, `β=${beta}: symmetric ${sym} vs one-sided ${one}`);
    assert.ok(cosine(ruleGrad(eqprop, net, { ...TIGHT, gamma: 1, beta, symmetric: true }).g, g) > 0.99);
  }
  net.dispose();
});

test('eqprop: random-sign β draws both signs and each gives a gradient estimate', async () => {
  const lib = await backend();
  const net = tinyNet(lib, [6, 5, 4, 3], 5, 0.4);
  const g = fdGrad(net, 1, 'xent');
  const rng = new Rng(3);
  const signs = new Set<number>();
  let state: unknown;
  for (let i = 0; i < 12; i++) {
    const r = ruleGrad(eqprop, net, { ...TIGHT, gamma: 1, beta: 0.02, symmetric: false, randomSign: true }, state, rng);
    state = r.state;
    signs.add(Math.sign((state as { beta: number }).beta));
    assert.ok(cosine(r.g, g) > 0.99, `draw ${i}: cosine ${cosine(r.g, g)}`);
  }
  assert.equal([...signs].sort(), [-1, 1]);
  net.dispose();
});

test('eqprop: the trainer scores the free phase (output restored after nudging) and bad params throw clearly', async () => {
  const lib = await backend();
  const net = tinyNet(lib, [6, 5, 4, 3], 6, 0.4);
  const p = { ...eqprop.defaults, ...TIGHT };
  const s = eqprop.init(net, p, net.ws, new Rng(1));
  const ctx = { net, rows: ROWS, rng: new Rng(2) };
  eqprop.forward!(ctx, s, p, true);
  const free = net.output.post.toArray();
  net.computeLoss(ROWS);
  eqprop.teach(ctx, s, p);
  assert.equal(net.output.post.toArray(), free);
  assert.throws(() => eqprop.init(net, { ...p, beta: 0 }, net.ws, new Rng(1)), /eqprop: beta must be in \(0, 2\)/);
  assert.throws(() => eqprop.init(net, { ...p, symmetric: 'yes' as never }, net.ws, new Rng(1)), /eqprop: symmetric must be true or false/);
  assert.throws(() => eqprop.init(net, { ...p, eps: 2 }, net.ws, new Rng(1)), /eqprop: eps must be in \(0, 1\], got 2/);
  net.dispose();
});

test.run();
