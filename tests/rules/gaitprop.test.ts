// GAIT-prop against its theory (Ahmad, van Gerven & Ambrogioni 2020): with orthogonal weights its
// update approaches backprop's as γ → 0.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import { throwsClearly } from '../helpers/close.js';
import { solve, cosine, relErr } from '../helpers/linalg.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import { rules } from '../../src/rules/index.js';
import { chain, localGrads } from '../../src/rules/shared/common.js';
import { gaitTeach, orthonormalRows, solveRows, type GaitState, type GaitParams } from '../../src/rules/gaitprop.js';

const B = 8, n = 8;

async function squareNet(activation: string, seed: number) {
  const lib = await backend();
  const net = new Network(lib, { sizes: [n, n, n, n, n], activation, batch: B, seed });
  const tr = new Trainer(lib, net, rules.gaitprop!, { ruleParams: { orthoGain: 1 } });
  // every inverted layer orthogonal (the rule's init did it; check rather than trust)
  for (let l = 1; l < net.layers.length; l++) {
    const W = net.layers[l]!.W.toArray();
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let d = 0;
      for (let c = 0; c < n; c++) d += W[i * n + c]! * W[j * n + c]!;
      assert.ok(Math.abs(d - (i === j ? 1 : 0)) < 1e-5, `W${l} rows ${i},${j}: ${d}`);
    }
  }
  net.input.set(seeded(B * n, seed + 1, -2, 2));
  const y = new Float32Array(B * n);
  for (let r = 0; r < B; r++) y[r * n + (r % n)] = 1;
  net.target.set(y);
  net.forward(B);
  net.computeLoss(B);
  return { net, tr };
}

function grads(net: Network): number[][] {
  return net.layers.map((l) => Array.from(l.dW.data));
}

for (const activation of ['tanh', 'leakyRelu']) {
  test(`gaitprop (${activation}, orthogonal W): the update approaches backprop's as γ shrinks`, async () => {
    const { net, tr } = await squareNet(activation, 11);
    chain(tr.ctx, (l) => net.layers[l]!.W);
    localGrads(tr.ctx);
    const bp = grads(net);
    const errs: number[] = [];
    for (const gamma of [0.3, 0.03, 0.003]) {
      const p = { ...(tr.ruleParams as unknown as GaitParams), gamma };
      gaitTeach(tr.ctx, tr.state as GaitState, p);
      localGrads(tr.ctx);
      const g = grads(net);
      let worst = 0, minCos = 1;
      for (let l = 0; l < g.length; l++) {
        worst = Math.max(worst, relErr(g[l]!, bp[l]!));
        minCos = Math.min(minCos, cosine(g[l]!, bp[l]!));
      }
      errs.push(worst);
      if (gamma === 0.003) assert.ok(minCos > 0.999, `cosine at γ = ${gamma}: ${minCos}`);
    }
    // first-order equivalence: the gap is O(γ) (tanh: curvature of f⁻¹; leaky ReLU: units whose target
    // crosses the kink). Each 10x smaller γ must shrink it, at least 3x (f32 noise is ~1e-6 here).
    assert.ok(errs[1]! < errs[0]! / 3 || errs[1]! < 1e-5, `gaps ${errs.join(', ')}`);
    assert.ok(errs[2]! < errs[1]! / 3 || errs[2]! < 1e-5, `gaps ${errs.join(', ')}`);
    assert.ok(errs[2]! < 0.01, `gap at γ = 0.003: ${errs[2]}`);
    net.dispose();
  });
}

test('gaitprop: with W⁺ ≠ Wᵀ (non-orthogonal W) the update differs from backprop', async () => {
  const { net, tr } = await squareNet('tanh', 12);
  // orthogonal plus a 0.15 perturbation: W⁺ ≠ Wᵀ, yet close enough for the Jacobi iteration to converge
  for (let l = 1; l < net.layers.length; l++) {
    const W = net.layers[l]!.W;
    W.set(Float32Array.from(W.data, (v, i) => v + 0.15 * Math.sin(3 * i + l)));
  }
  net.forward(B); net.computeLoss(B);
  chain(tr.ctx, (l) => net.layers[l]!.W); localGrads(tr.ctx);
  const bp = grads(net);
  gaitTeach(tr.ctx, tr.state as GaitState, { ...(tr.ruleParams as unknown as GaitParams), gamma: 1e-3, solveIters: 200 });
  localGrads(tr.ctx);
  const gap = relErr(grads(net)[0]!, bp[0]!);
  assert.ok(gap > 0.05, `the equivalence needs orthogonal weights: gap ${gap}`);
  net.dispose();
});

test('gaitprop: the preconditioned Richardson solve converges to W⁻¹q (square) and to W⁺q (wide)', async () => {
  const lib = await backend();
  for (const [out, inp] of [[9, 9], [4, 9]] as const) {
    const net = new Network(lib, { sizes: [inp, out], batch: 3, seed: 1 });
    const W = net.layers[0]!.W;
    orthonormalRows(W);
    // perturb: near-orthogonal, as the penalty keeps it, but not orthogonal
    W.set(Float32Array.from(W.data, (v, i) => v + 0.08 * Math.sin(7 * i + 1)));
    const Ws = net.ws.f32([out, inp]), q = net.ws.f32([3, out]), x = net.ws.f32([3, inp]), res = net.ws.f32([3, out]);
    q.set(seeded(3 * out, 4));
    // Ws = D⁻¹W (as the rule builds it)
    const w = W.toArray(), ws = new Float32Array(out * inp);
    for (let i = 0; i < out; i++) {
      let d = 0;
      for (let c = 0; c < inp; c++) d += w[i * inp + c]! ** 2;
      for (let c = 0; c < inp; c++) ws[i * inp + c] = w[i * inp + c]! / d;
    }
    Ws.set(ws);
    solveRows(net, 3, W, Ws, q, x, res, 60);
    // reference in float64: x = Wᵀ (W Wᵀ)⁻¹ q per row (the minimum-norm solution; W⁻¹q when square)
    const G = new Float64Array(out * out);
    for (let i = 0; i < out; i++) for (let j = 0; j < out; j++) {
      let d = 0;
      for (let c = 0; c < inp; c++) d += w[i * inp + c]! * w[j * inp + c]!;
      G[i * out + j] = d;
    }
    const qd = q.toArray(), want = new Float64Array(3 * inp);
    for (let r = 0; r < 3; r++) {
      const yv = solve(G, qd.subarray(r * out, (r + 1) * out), out);
      for (let c = 0; c < inp; c++) { let s = 0; for (let i = 0; i < out; i++) s += w[i * inp + c]! * yv[i]!; want[r * inp + c] = s; }
    }
    // converged iteration: f32 rounding of a few GEMMs, |err| ~ 1e-6 relative
    assert.ok(relErr(x.toArray(), want) < 1e-4, `${out}x${inp}: ${relErr(x.toArray(), want)}`);
    net.dispose();
  }
});

test('gaitprop: networks it cannot invert give clear errors', async () => {
  const lib = await backend();
  const relu = new Network(lib, { sizes: [6, 6, 3], activation: 'relu', batch: 2, seed: 1 });
  throwsClearly(() => new Trainer(lib, relu, rules.gaitprop!), /gaitprop: layer 0 uses 'relu', which has no inverse/);
  relu.dispose();
  const wide = new Network(lib, { sizes: [6, 4, 8, 3], activation: 'leakyRelu', batch: 2, seed: 1 });
  throwsClearly(() => new Trainer(lib, wide, rules.gaitprop!), /gaitprop: layer 1 widens 4 → 8/);
  wide.dispose();
});

test.run();
