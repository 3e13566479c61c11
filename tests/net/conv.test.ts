// Convolutional networks (src/net/network.ts with arch, src/net/arch.ts) and the rules on them: bp's
// gradients against a float64 backprop written here from the definitions; fa with B := W is bp bit for
// bit; sign-symmetry's feedback kernels are s·sign(W) / |M| ⊙ sign(W); dfa's signal below a convolution
// is the input gradient of a [classes]-channel kernel fed the output error at every position; rules
// without a convolutional form refuse; bad specs are clear errors naming the option.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { loadBatch } from '../helpers/batch.js';
import { Network } from '../../src/net/network.js';
import { Trainer } from '../../src/train/trainer.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { parseArch, planArch, formatArch, ARCH_PRESETS } from '../../src/net/arch.js';
import * as ref from '../reference/conv.js';
import { rules } from '../../src/rules/index.js';
import type { FaState } from '../../src/rules/fa.js';
import type { SignState } from '../../src/rules/sign.js';
import type { DfaState } from '../../src/rules/dfa.js';

const opts = { optimizer: 'sgd' as const, lr: 0.05, momentum: 0, weightDecay: 0, schedule: 'constant' as const, epochs: 1 };
// 8×8×2 input → conv 3ch k3 p1 (8×8×3) → max pool 2 (4×4×3) → conv 4ch k3 s2 p1 (2×2×4) → avg pool 2
// (1×1×4) → dense 6 → 5 classes: padding, stride, both poolings, and a dense layer on a flattened map.
const ARCH = 'c3k3p1-p2-c4k3s2p1-a2-f6';
/** The registered rules with a convolutional form, as the refusals list them. */
const CONV_RULES = Object.values(rules).filter((r) => r.conv).map((r) => r.id).join(', ');
const SHAPE = [8, 8, 2] as const;
const mk = async (seed = 5, batch = 3) => new Network(await backend(), { sizes: [128, 5], arch: ARCH, inputShape: SHAPE, activation: 'tanh', batch, seed });

test('arch: specs, presets and the shape plan', () => {
  assert.equal(formatArch(parseArch('lenet5')), ARCH_PRESETS.lenet5);
  const plan = planArch(parseArch('lenet5'), [28, 28, 1]);
  assert.equal(plan.map((p) => [p.inSize, p.outSize, p.postSize]), [[784, 4704, 1176], [1176, 1600, 400], [400, 120, 120], [120, 84, 84]]);
  assert.equal(formatArch(parseArch('c8k3s2p1-a3s2-f10')), 'c8k3s2p1-a3s2-f10');
  throwsClearly(() => parseArch('c6k5-p2-x3'), /--arch: layer 3 'x3' is not a layer/, /c<channels>k<kernel>/);
  throwsClearly(() => parseArch('p2-c6k5'), /--arch: pooling 'p2' \(layer 1\) must follow a convolution, got nothing/);
  throwsClearly(() => parseArch('f10-c6k5'), /--arch: convolution 'c6k5' \(layer 2\) follows a dense layer/);
  throwsClearly(() => parseArch('c6k5-p2-p2'), /one pooling per convolution/);
  throwsClearly(() => parseArch('c0k5'), /layer 'c0k5' has channels 0, expected an integer in \[1, /);
  throwsClearly(() => parseArch(''), /--arch: expected a layer spec such as/);
  throwsClearly(() => planArch(parseArch('c6k5-p2-c16k5-p2-c32k5'), [28, 28, 1]), /--arch: layer 3 \(c32k5\) has a 5×5 kernel but its input is 4×4×16 with padding 0 \(expected a kernel of at most 4\)/);
  throwsClearly(() => planArch(parseArch('c6k5-p8'), [10, 10, 1]), /the pooling after layer 1 has a 8×8 window but the convolution's output is 6×6×6 \(expected a window of at most 6\)/);
});

test('network: arch sizes, and clear errors before any buffer is made', async () => {
  const lib = await backend();
  const net = await mk();
  assert.equal(net.sizes, [128, 48, 4, 6, 5]);
  assert.equal(net.layers.map((l) => l.W.shape), [[3, 18], [4, 27], [6, 4], [5, 6]]);
  assert.ok(net.convolutional);
  assert.is(net.arch, ARCH);
  net.dispose();
  const live = lib.heap.live;
  throwsClearly(() => new Network(lib, { sizes: [128, 5], arch: ARCH, batch: 2, seed: 1 }), /network: arch: convolutional layers need inputShape/);
  throwsClearly(() => new Network(lib, { sizes: [128, 5], arch: ARCH, inputShape: [8, 8, 3], batch: 2, seed: 1 }), /inputShape \[8,8,3\] holds 192 values, but the input has 128 features/);
  throwsClearly(() => new Network(lib, { sizes: [128, 16, 5], arch: ARCH, inputShape: SHAPE, batch: 2, seed: 1 }), /with arch, sizes must be \[input features, classes\]/);
  throwsClearly(() => new Network(lib, { sizes: [128, 5], arch: 'c3k9', inputShape: SHAPE, batch: 2, seed: 1 }), /network: arch: layer 1 \(c3k9\) has a 9×9 kernel but its input is 8×8×2/);
  assert.is(lib.heap.live, live, 'nothing allocated by the refused networks');
  // A dense-only arch builds the same network as sizes.
  const a = new Network(lib, { sizes: [20, 4], arch: 'f12-f8', batch: 5, seed: 3 }), b = new Network(lib, { sizes: [20, 12, 8, 4], batch: 5, seed: 3 });
  a.layers.forEach((l, i) => close(l.W.data, b.layers[i]!.W.data, { ulps: 0 }));
  a.dispose(); b.dispose();
});

/** backprop in float64 on the ARCH network, from its weights: the mean-over-rows gradients of the xent loss. */
function float64Backprop(net: Network, rows: number): { dW: Float64Array[]; db: Float64Array[] } {
  const [L1, L2, L3, L4] = net.layers as [typeof net.layers[0], typeof net.layers[0], typeof net.layers[0], typeof net.layers[0]];
  const n = rows, x = Array.from(net.input.data.subarray(0, n * 128));
  const g1: ref.Geom = { n, h: 8, w: 8, c: 2, k: 3, s: 1, p: 1 }, p1: ref.PoolGeom = { n, h: 8, w: 8, c: 3, k: 2, s: 2 };
  const g2: ref.Geom = { n, h: 4, w: 4, c: 3, k: 3, s: 2, p: 1 }, p2: ref.PoolGeom = { n, h: 2, w: 2, c: 4, k: 2, s: 2 };
  const tanh = (v: Float64Array) => v.map(Math.tanh);
  const dtanh = (g: ArrayLike<number>, h: Float64Array) => h.map((y, i) => g[i]! * (1 - y * y));
  // forward
  const h1 = tanh(ref.conv2d(x, L1.W.data, L1.b.data, 3, g1).want);
  const arg1 = new Int32Array(n * 48), q1 = new Float64Array(n * 48);
  for (let b = 0; b < n; b++) for (let oy = 0; oy < 4; oy++) for (let ox = 0; ox < 4; ox++) for (let c = 0; c < 3; c++) {
    let best = -1, m = -Infinity;
    for (let ky = 0; ky < 2; ky++) for (let kx = 0; kx < 2; kx++) {
      const e = ((oy * 2 + ky) * 8 + ox * 2 + kx) * 3 + c;
      if (h1[b * 192 + e]! > m) { m = h1[b * 192 + e]!; best = e; }
    }
    q1[b * 48 + (oy * 4 + ox) * 3 + c] = m;
    arg1[b * 48 + (oy * 4 + ox) * 3 + c] = best;
  }
  const h2 = tanh(ref.conv2d(q1, L2.W.data, L2.b.data, 4, g2).want);
  const q2 = new Float64Array(n * 4);
  for (let b = 0; b < n; b++) for (let c = 0; c < 4; c++) q2[b * 4 + c] = (h2[b * 16 + c]! + h2[b * 16 + 4 + c]! + h2[b * 16 + 8 + c]! + h2[b * 16 + 12 + c]!) / 4;
  const dense = (inp: ArrayLike<number>, W: ArrayLike<number>, bias: ArrayLike<number>, nin: number, nout: number) => {
    const out = new Float64Array(n * nout);
    for (let r = 0; r < n; r++) for (let j = 0; j < nout; j++) {
      let s = bias[j]!;
      for (let i = 0; i < nin; i++) s += inp[r * nin + i]! * W[j * nin + i]!;
      out[r * nout + j] = s;
    }
    return out;
  };
  const h3 = tanh(dense(q2, L3.W.data, L3.b.data, 4, 6));
  const a4 = dense(h3, L4.W.data, L4.b.data, 6, 5);
  const e = new Float64Array(n * 5);
  for (let r = 0; r < n; r++) {
    const row = Array.from(a4.subarray(r * 5, r * 5 + 5)), mx = Math.max(...row), z = row.reduce((s, v) => s + Math.exp(v - mx), 0);
    for (let j = 0; j < 5; j++) e[r * 5 + j] = Math.exp(row[j]! - mx) / z - net.target.data[r * 5 + j]!;
  }
  // backward (means over rows)
  const outer = (d: Float64Array, inp: ArrayLike<number>, nin: number, nout: number) => {
    const dW = new Float64Array(nout * nin), db = new Float64Array(nout);
    for (let r = 0; r < n; r++) for (let j = 0; j < nout; j++) {
      db[j]! += d[r * nout + j]! / n;
      for (let i = 0; i < nin; i++) dW[j * nin + i]! += d[r * nout + j]! * inp[r * nin + i]! / n;
    }
    return { dW, db };
  };
  const back = (d: Float64Array, W: ArrayLike<number>, nin: number, nout: number) => {
    const g = new Float64Array(n * nin);
    for (let r = 0; r < n; r++) for (let i = 0; i < nin; i++) for (let j = 0; j < nout; j++) g[r * nin + i]! += d[r * nout + j]! * W[j * nin + i]!;
    return g;
  };
  const G4 = outer(e, h3, 6, 5);
  const d3 = dtanh(back(e, L4.W.data, 6, 5), h3);
  const G3 = outer(d3, q2, 4, 6);
  const gq2 = back(d3, L3.W.data, 4, 6);
  const gh2 = new Float64Array(n * 16);
  for (let b = 0; b < n; b++) for (let pix = 0; pix < 4; pix++) for (let c = 0; c < 4; c++) gh2[b * 16 + pix * 4 + c] = gq2[b * 4 + c]! / 4;
  const d2 = dtanh(gh2, h2);
  const w2 = ref.conv2dWeightGrad(d2, q1, 4, g2, 1 / n, 0, [], []);
  const gq1 = ref.conv2dInputGrad(d2, L2.W.data, 4, g2).want;
  const gh1 = new Float64Array(n * 192);
  for (let b = 0; b < n; b++) for (let j = 0; j < 48; j++) gh1[b * 192 + arg1[b * 48 + j]!]! += gq1[b * 48 + j]!;
  const d1 = dtanh(gh1, h1);
  const w1 = ref.conv2dWeightGrad(d1, x, 3, g1, 1 / n, 0, [], []);
  void p1; void p2;
  return { dW: [w1.dW.want, w2.dW.want, G3.dW, G4.dW], db: [w1.db.want, w2.db.want, G3.db, G4.db] };
}

test('bp on a conv net (padding, stride, max and average pooling, dense head) gives the float64 backprop gradients', async () => {
  const net = await mk(5, 4);
  const tr = new Trainer(net.lib, net, 'bp', opts);
  for (const rows of [4, 1]) { // a full batch, and batch 1 through the head() views
    loadBatch(net, 30 + rows, rows);
    net.forward(rows);
    net.computeLoss(rows);
    tr.ctx.rows = rows;
    tr.rule.teach(tr.ctx, tr.state, tr.ruleParams);
    tr.rule.update(tr.ctx, tr.state, tr.ruleParams);
    const want = float64Backprop(net, rows);
    // Each gradient entry is an f32 computation through at most four layers of sums of fewer than 200
    // products each (the largest reduction: 8·8 positions × 3 channels of a 3×3 kernel): relative error
    // well under 4·200·2⁻²⁴ ≈ 5e-5 of the entries' magnitudes; allowed: 1e-4 of the tensor's largest entry.
    net.layers.forEach((l, i) => {
      const maxW = Math.max(...want.dW[i]!.map(Math.abs)), maxB = Math.max(...want.db[i]!.map(Math.abs));
      assert.ok(maxW > 1e-4, `layer ${i}: the reference gradient is not trivially zero`);
      close(l.dW.data, want.dW[i]!, { abs: 1e-4 * maxW }, `dW${i} (rows ${rows})`);
      close(l.db.data, want.db[i]!, { abs: 1e-4 * maxB }, `db${i} (rows ${rows})`);
    });
  }
  net.dispose();
});

test('fa on a conv net with B := W (re-copied every step) takes backprop\'s steps, bit for bit', async () => {
  const a = await mk(9, 4), b = await mk(9, 4);
  const fa = new Trainer(a.lib, a, 'fa', opts), bp = new Trainer(b.lib, b, 'bp', opts);
  const B = (fa.state as FaState).B;
  B.forEach((t, i) => assert.equal(t.shape, a.layers[i]!.W.shape, `B${i} is shaped like the kernel`));
  for (let s = 0; s < 4; s++) {
    a.layers.forEach((l, i) => B[i]!.data.set(l.W.data));
    const rows = s % 2 ? 4 : 3;
    loadBatch(a, 200 + s, rows);
    loadBatch(b, 200 + s, rows);
    fa.step(rows);
    bp.step(rows);
    a.layers.forEach((l, i) => close(l.W.data, b.layers[i]!.W.data, { ulps: 0 }, `W${i} after step ${s}`));
  }
  // And with its own random B it departs from backprop (the test above can fail).
  const c = await mk(9, 4), d = await mk(9, 4);
  const fa2 = new Trainer(c.lib, c, 'fa', opts), bp2 = new Trainer(d.lib, d, 'bp', opts);
  loadBatch(c, 300); loadBatch(d, 300);
  fa2.step(); bp2.step();
  assert.not.equal(Array.from(c.layers[0]!.W.data), Array.from(d.layers[0]!.W.data));
  [a, b, c, d].forEach((n) => n.dispose());
});

test('sign-symmetry on conv kernels: F = s·sign(W) (usf), |M| ⊙ sign(W) with M fixed (frsf) or redrawn (brsf); s from the kernel fans', async () => {
  for (const variant of ['usf', 'frsf', 'brsf'] as const) {
    const net = await mk(11, 3);
    const tr = new Trainer(net.lib, net, 'sign', { ...opts, ruleParams: { variant } });
    const st = tr.state as SignState;
    let M0: number[] = [];
    for (let s = 0; s < 2; s++) {
      loadBatch(net, 400 + s);
      tr.step();
      for (let l = 1; l < net.layers.length; l++) {
        const L = net.layers[l]!, F = st.F[l]!, W = L.W.data;
        assert.equal(F.shape, L.W.shape);
        // W changed after teach (the optimiser stepped); F was made from W before the step: recompute from dW.
        const Wbefore = W.map((w, i) => Math.fround(w + Math.fround(opts.lr * L.dW.data[i]!)));
        const fanIn = L.conv ? L.conv.geom.patch : L.inSize, fanOut = L.conv ? L.W.shape[0]! * L.conv.geom.k ** 2 : L.outSize;
        const sAuto = Math.sqrt(2 / (fanIn + fanOut));
        for (let i = 0; i < W.length; i++) {
          const sg = Math.sign(Wbefore[i]!);
          if (variant === 'usf') assert.is(F.data[i], Math.fround(sAuto) * sg || 0, `usf F[${l}][${i}]`);
          else {
            const m = st.M[l]!.data[i]!;
            assert.ok(m >= 0 && m <= Math.sqrt(3) * sAuto, `|M| within U(0, √3·s)`);
            assert.is(F.data[i], Math.fround(m * sg) || 0, `${variant} F[${l}][${i}]`);
          }
        }
      }
      const M1 = st.M.length ? Array.from(st.M[1]!.data) : [];
      if (s === 1 && variant === 'frsf') assert.equal(M1, M0, 'frsf: M is fixed');
      if (s === 1 && variant === 'brsf') assert.not.equal(M1, M0, 'brsf: M is redrawn every batch');
      M0 = M1;
    }
    net.dispose();
  }
});

test('dfa on a conv net: below a convolution, δ is the input gradient of its [classes]-channel kernel fed e at every position', async () => {
  const net = await mk(13, 3);
  const tr = new Trainer(net.lib, net, 'dfa', opts);
  const st = tr.state as DfaState;
  // B_0 feeds layer 0 through the convolution above it: a kernel [classes, 3·3·3]; B_1, B_2 feed dense layers.
  assert.equal(st.B.map((t) => t.shape), [[5, 27], [5, 4], [5, 6]]);
  loadBatch(net, 500);
  net.forward();
  net.computeLoss();
  tr.rule.teach(tr.ctx, st, tr.ruleParams);
  const n = 3, e = Array.from(net.error.data);
  const eRep = new Float64Array(n * 4 * 5);
  for (let b = 0; b < n; b++) for (let p = 0; p < 4; p++) for (let j = 0; j < 5; j++) eRep[(b * 4 + p) * 5 + j] = e[b * 5 + j]!;
  const g = ref.conv2dInputGrad(eRep, st.B[0]!.data, 5, { n, h: 4, w: 4, c: 3, k: 3, s: 2, p: 1 }).want;
  // Through the max pooling (its arg-max from the forward pass), then f'(a_0).
  const L0 = net.layers[0]!, arg = L0.pool!.arg!.data, want = new Float64Array(n * 192);
  for (let b = 0; b < n; b++) for (let j = 0; j < 48; j++) want[b * 192 + arg[b * 48 + j]!]! += g[b * 48 + j]!;
  const d0 = want.map((v, i) => v * L0.deriv.data[i]!);
  // Sums of at most 5 classes × 4 overlapping positions, then one product: within 2⁻¹⁸ of the magnitudes.
  const mx = Math.max(...d0.map(Math.abs));
  assert.ok(mx > 0);
  close(L0.delta.data, d0, { abs: 2 ** -18 * mx }, 'δ0');
  // The dense layers get e·B_l ⊙ f' (Nøkland's form): layer 1 is pooled (average), layer 2 is not.
  const L2 = net.layers[2]!;
  const d2 = new Float64Array(n * 6);
  for (let b = 0; b < n; b++) for (let j = 0; j < 6; j++) {
    let s = 0;
    for (let c = 0; c < 5; c++) s += e[b * 5 + c]! * st.B[2]!.data[c * 6 + j]!;
    d2[b * 6 + j] = s * L2.deriv.data[b * 6 + j]!;
  }
  close(L2.delta.data, d2, { abs: 2 ** -18 * Math.max(...d2.map(Math.abs)) }, 'δ2');
  net.dispose();
});

test('rules without a convolutional form refuse a conv net, saying why; the alignment diagnostic too', async () => {
  const net = await mk();
  throwsClearly(() => new Trainer(net.lib, net, 'eqprop', opts), /trainer: rule 'eqprop' has no convolutional form/, /c3k3p1-p2-c4k3s2p1-a2-f6/, /its energy and settling dynamics here are dense/, new RegExp(`: ${CONV_RULES}$`));
  throwsClearly(() => new Trainer(net.lib, net, 'bp', { ...opts, alignEvery: 5 }), /alignEvery \(--align-every\) measures dense layers only/);
  // spiking layers cannot max-pool (tests/net/spiking-conv.test.ts runs the average-pooled nets)
  throwsClearly(() => new SpikingNetwork(net.lib, { sizes: [128, 5], arch: ARCH, inputShape: SHAPE, batch: 2, seed: 1, spiking: { steps: 4 } }),
    /max-pools after layer 1/, /c3k3p1-a2-c4k3s2p1-a2-f6/);
  net.dispose();
});

test.run();
