// DTP against its theory (Lee et al. 2015; Meulemans et al. 2020's analysis).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import { throwsClearly } from '../helpers/close.js';
import { solve, relErr } from '../helpers/linalg.js';
import { blobs } from '../helpers/synthetic.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import { rules } from '../../src/rules/index.js';
import { differenceTargets, topTarget, decode, type FeedbackMap } from '../../src/rules/shared/inverses.js';
import type { DtpState } from '../../src/rules/dtp.js';
import type { Tensor } from '../../src/core/tensor.js';

const B = 6;

async function setup(seed = 3) {
  const lib = await backend();
  // square hidden layers (5→5) so every layer with a decoder is invertible
  const net = new Network(lib, { sizes: [4, 5, 5, 5, 3], activation: 'tanh', init: 'xavier', batch: B, seed });
  const tr = new Trainer(lib, net, rules.dtp!, {});
  net.input.set(seeded(B * 4, seed + 10));
  const y = new Float32Array(B * 3);
  for (let r = 0; r < B; r++) y[r * 3 + (r % 3)] = 1;
  net.target.set(y);
  net.forward(B);
  net.computeLoss(B);
  return { lib, net, tr, s: tr.state as DtpState };
}

/** The exact inverse of hidden layer i: g_i(x) = W_i⁻¹(atanh(x) − b_i), in float64, stored as f32. */
function exactInverse(net: Network): FeedbackMap {
  return (i, src, dst, rows) => {
    const l = net.layers[i]!, n = l.outSize, W = l.W.toArray(), b = l.b.toArray(), x = src.toArray(), out = dst.data;
    for (let r = 0; r < rows; r++) {
      const y = Array.from({ length: n }, (_, j) => Math.atanh(x[r * n + j]!) - b[j]!);
      const v = solve(W, y, n);
      for (let j = 0; j < n; j++) out[r * l.inSize + j] = v[j]!;
    }
  };
}

/** Gauss-Newton displacement of every hidden layer: Δ_{i−1} = J_i⁻¹ Δ_i, J_i = diag(f'(a_i)) W_i (float64). */
function gaussNewton(net: Network, top: Float64Array): Float64Array[] {
  const H = net.layers.length - 1, d: Float64Array[] = [];
  d[H - 1] = top;
  for (let i = H - 1; i >= 1; i--) {
    const l = net.layers[i]!, n = l.outSize, W = l.W.toArray(), a = l.a.toArray();
    const out = new Float64Array(B * l.inSize);
    for (let r = 0; r < B; r++) {
      const y = Array.from({ length: n }, (_, j) => d[i]![r * n + j]! / (1 - Math.tanh(a[r * n + j]!) ** 2));
      out.set(solve(W, y, n), r * l.inSize);
    }
    d[i - 1] = out;
  }
  return d;
}

const minus = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (v, i) => v - b[i]!);

test('dtp with exact inverses: the propagated targets are the Gauss-Newton targets (error O(η̂))', async () => {
  const errs: number[] = [];
  for (const step of [0.1, 0.01]) {
    const { net, tr, s } = await setup();
    const ctx = tr.ctx, H = net.layers.length - 1;
    topTarget(ctx, step, s.targets[H - 1]!);
    const clean = net.layers.map((l) => net.ws.f32([B, l.inSize])) as Tensor[];
    const scratch = net.layers.map((l) => net.ws.f32([B, l.inSize])) as Tensor[];
    differenceTargets(ctx, H - 1, s.targets, exactInverse(net), clean, scratch);
    const gn = gaussNewton(net, minus(s.targets[H - 1]!.toArray(), net.layers[H - 1]!.post.toArray()));
    let worst = 0;
    for (let i = 0; i < H - 1; i++) {
      const dtpDisp = minus(s.targets[i]!.toArray(), net.layers[i]!.post.toArray());
      worst = Math.max(worst, relErr(dtpDisp, gn[i]!));
    }
    errs.push(worst);
    net.dispose();
  }
  // The exact-inverse target is f⁻¹(ĥ) (nonlinear); GN is its linearisation: the gap is second order in
  // the displacement, so relative to it O(η̂). f32 rounding adds ~1e-7/η̂ relative, far below these bounds.
  assert.ok(errs[1]! < 0.02, `relative gap at η̂ = 0.01: ${errs[1]}`);
  assert.ok(errs[1]! < errs[0]! / 4, `gap should shrink ~10x with η̂: ${errs.join(', ')}`);
});

test('dtp: the difference correction cancels the decoders\' reconstruction error g(f(h)) − h', async () => {
  const { net, tr, s } = await setup(7);
  const ctx = tr.ctx, H = net.layers.length - 1;
  // untrained decoders: g_i(h_i) is far from h_{i−1}
  const g = s.inv.layers[1]!;
  decode(net, g, B, net.layers[1]!.post, g.ga, g.gh, g.gd);
  const recon = relErr(g.gh.toArray(), net.layers[0]!.post.toArray());
  assert.ok(recon > 0.3, `decoder should be a poor inverse at init: ${recon}`);
  // no error at the top: targets equal the activities exactly (h + g(h) − g(h) = h bit for bit)
  net.lib.copy(s.targets[H - 1]!, net.layers[H - 1]!.post);
  differenceTargets(ctx, H - 1, s.targets, s.fb, s.clean, s.scratch);
  for (let i = 0; i < H; i++) assert.equal(Array.from(s.targets[i]!.data), Array.from(net.layers[i]!.post.data), `layer ${i}`);
  // a small top error gives target displacements that shrink with it (plain TP, ĥ = g(ĥ_above), would
  // keep the O(1) reconstruction error however small the top error)
  const disp: number[] = [];
  for (const step of [1e-2, 1e-3]) {
    topTarget(ctx, step, s.targets[H - 1]!);
    differenceTargets(ctx, H - 1, s.targets, s.fb, s.clean, s.scratch);
    const d = minus(s.targets[0]!.toArray(), net.layers[0]!.post.toArray());
    disp.push(Math.sqrt(d.reduce((a, v) => a + v * v, 0) / d.length));
  }
  assert.ok(disp[0]! > 0 && disp[1]! < disp[0]! / 5, `displacements ${disp.join(', ')}`);
  assert.ok(disp[0]! < 0.1 * recon, `displacement ${disp[0]} vs reconstruction error ${recon}`);
  net.dispose();
});

for (const feedback of ['dae', 'drl'] as const) {
  test(`dtp (${feedback}): training reduces the decoders' own loss`, async () => {
    const lib = await backend();
    const train = blobs(lib, 300, 2, 20, 4);
    const net = new Network(lib, { sizes: [20, 16, 16, 16, 4], activation: 'tanh', init: 'xavier', batch: 30, seed: 4 });
    const tr = new Trainer(lib, net, rules.dtp!, { ruleParams: { feedback, sigma: 0.1 }, lr: 0.01, schedule: 'constant' });
    const s = tr.state as DtpState;
    const x = new Float32Array(30 * 20), nu = seeded(30 * 16, 5, -0.05, 0.05);
    x.set(train.images.data.subarray(0, 30 * 20)); // first 30 training examples
    // decoder 2's own objective on training data: 'dae' the reconstruction ‖g(f(h)) − h‖ / ‖h‖, 'drl'
    // the difference reconstruction ‖g(f(h + ν)) − g(f(h)) − ν‖ / ‖ν‖
    const diffRecon = () => {
      net.input.set(x);
      net.forward(30);
      const g = s.inv.layers[2]!, h1 = net.layers[1]!, up = net.layers[2]!;
      decode(net, g, 30, up.post, g.g0a, g.g0h, g.g0d);
      const base = g.g0h.toArray();
      if (feedback === 'dae') return relErr(base, h1.post.toArray()); // its own loss: ‖g(f(h)) − h‖ / ‖h‖
      const hn = Float32Array.from(h1.post.data, (v, i) => v + nu[i]!);
      g.zin.set(hn);
      const za = g.za.head(30);
      net.lib.addRow(net.lib.gemm(za, g.zin.head(30), up.W, 'nt'), up.b);
      net.lib.act('tanh', g.zh.head(30), za, g.zd.head(30));
      decode(net, g, 30, g.zh, g.ga, g.gh, g.gd);
      const out = g.gh.toArray();
      return relErr(Float64Array.from(out, (v, i) => v - base[i]!), nu);
    };
    const before = diffRecon();
    tr.fit(train, { epochs: 10 });
    const after = diffRecon();
    assert.ok(after < 0.7 * before, `difference reconstruction error ${before} → ${after}`);
    net.dispose();
    train.dispose();
  });
}

test('dtp: bad parameters give clear errors', async () => {
  const lib = await backend();
  const net = new Network(lib, { sizes: [4, 5, 3], batch: 2, seed: 1 });
  throwsClearly(() => new Trainer(lib, net, rules.dtp!, { ruleParams: { feedback: 'xyz' } }), /dtp: feedback must be 'dae' or 'drl', got 'xyz'/);
  throwsClearly(() => new Trainer(lib, net, rules.dtp!, { ruleParams: { sigma: -1 } }), /dtp: sigma/);
  net.dispose();
});

test.run();
