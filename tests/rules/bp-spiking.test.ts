// bp --spiking: the BPTT gradient of every layer equals an independent float64 backpropagation through
// time written here — the LIF window of src/net/spiking.ts re-simulated in float64 on a scalar tape
// (reverse-mode autodiff, one node per operation), with the spike's derivative replaced by the neuron's
// surrogate and the reset detached — on tiny networks; the float64 forward must reproduce the float32
// spike trains first. The tolerance is derived from float32 arithmetic (see `bound`).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { mulberry32 } from '../helpers/fill.js';
import { SpikingNetwork, type SpikingOptions } from '../../src/net/spiking.js';
import { rules } from '../../src/rules/index.js';
import { Rng } from '../../src/core/rng.js';
import { Trainer } from '../../src/train/trainer.js';
import { ruleForm } from '../../src/rules/form.js';
import { blobs } from '../helpers/synthetic.js';
import type { Bptt } from '../../src/rules/shared/bptt.js';

/** A scalar tape: node i has value val[i]; its parents and the local derivatives to them. */
class Tape {
  val: number[] = [];
  par: number[][] = [];
  loc: number[][] = [];
  leaf(v: number): number { return this.node(v, [], []); }
  node(v: number, p: number[], l: number[]): number { this.val.push(v); this.par.push(p); this.loc.push(l); return this.val.length - 1; }
  /** Σ c_k·x_k + c0 (x_k nodes). */
  lin(xs: number[], cs: number[], c0 = 0): number {
    let v = c0;
    xs.forEach((x, k) => { v += cs[k]! * this.val[x]!; });
    return this.node(v, xs, cs);
  }
  /** Δ[i]: a bound on the error of node i's local derivative (the surrogates, at float32 membranes). */
  err: number[] = [];
  /**
   * Reverse sweep from `out`. `abs`: sums |local derivative| (+ its error bound Δ with `withErr`)
   * instead, the magnitude of every path.
   */
  grad(out: number, abs = false, withErr = false): Float64Array {
    const g = new Float64Array(this.val.length);
    g[out] = 1;
    for (let i = out; i >= 0; i--) {
      const gi = g[i]!;
      if (gi === 0) continue;
      const p = this.par[i]!, l = this.loc[i]!, e = withErr ? this.err[i] ?? 0 : 0;
      for (let k = 0; k < p.length; k++) g[p[k]!] = g[p[k]!]! + gi * (abs ? Math.abs(l[k]!) + e : l[k]!);
    }
    return g;
  }
}

const U = 2 ** -24;
/** γ_K = K·u/(1 − K·u): the relative error bound of K float32 roundings (Higham 2002, section 3.1). */
const gammaOf = (K: number) => (K * U) / (1 - K * U);

/**
 * The largest change of the surrogate when the membrane moves by at most dm from threshold distance
 * au = |m − ϑ|: dm times the surrogate's steepest slope within dm of au (super 2k/(1 + k·x)³, exp
 * k·e^(−k·x), triangle k inside its support).
 */
function surrogateErr(shape: string, k: number, au: number, dm: number): number {
  const x = Math.max(0, au - dm);
  const slope = shape === 'super' ? (2 * k) / (1 + k * x) ** 3 : shape === 'exp' ? k * Math.exp(-k * x) : x <= 1 / k ? k : 0;
  return slope * dm;
}

interface Recorded { inSpikes: Float32Array[]; spikes: Float32Array[][] } // [t], [t][layer]

/**
 * The window in float64 on the tape, for rows 0..rows−1, from the recorded input spikes; returns the
 * nodes of W, b, the mean loss, every step's spikes per layer, and the largest drive |J| bound.
 */
function float64Bptt(net: SpikingNetwork, rec: Recorded, rows: number, labels: number[]) {
  const sim = net.sim, np = sim.np, T = sim.steps, L = net.layers.length, tape = new Tape();
  const lm = sim.r.decay, ls = sim.r.synDecay, lo = sim.tauOut > 0 ? Math.exp(-sim.dt / sim.tauOut) : 0, t0c = sim.readoutStart;
  const R = Math.round(np.refractory / sim.dt), k = np.surrogateK;
  const sur = (u: number) => (np.surrogate === 'super' ? 1 / (1 + k * Math.abs(u)) ** 2 : np.surrogate === 'triangle' ? Math.max(0, 1 - k * Math.abs(u)) : Math.exp(-k * Math.abs(u)));
  const W = net.layers.map((l) => Array.from(l.W.data, (v) => tape.leaf(v)));
  const b = net.layers.map((l) => Array.from(l.b.data, (v) => tape.leaf(v)));
  const spikes: number[][][] = Array.from({ length: T }, () => net.layers.map(() => []));
  let loss = -1;
  const losses: number[] = [];
  for (let r = 0; r < rows; r++) {
    const I = net.layers.map((l) => new Array<number>(l.outSize).fill(tape.leaf(0)));
    // |terms| of each current and membrane as realised (the scale of their float32 rounding errors)
    const Iabs = net.layers.map((l) => new Array<number>(l.outSize).fill(0));
    const vAbs = net.layers.map((l) => new Array<number>(l.outSize).fill(Math.abs(np.vReset)));
    const v = net.layers.map((l) => new Array<number>(l.outSize).fill(tape.leaf(np.vReset)));
    const refrac = net.layers.map((l) => new Array<number>(l.outSize).fill(0));
    const m = new Array<number>(net.classes).fill(tape.leaf(0));
    const acc: number[][] = Array.from({ length: net.classes }, () => []);
    for (let t = 0; t < T; t++) {
      // this layer's input: spike values, and their nodes (null: the input layer, not differentiated)
      let inVal = Array.from(rec.inSpikes[t]!.subarray(r * net.sizes[0]!, (r + 1) * net.sizes[0]!));
      let inNode: (number | null)[] = inVal.map(() => null);
      for (let l = 0; l < L; l++) {
        const layer = net.layers[l]!, amp = sim.sl[l]!.ampIn, spiking = sim.sl[l]!.spiking;
        const outVal: number[] = [], outNode: (number | null)[] = [];
        const cX = spiking ? (1 - ls) * (1 - lm) * sim.gain : 1 - ls;
        for (let j = 0; j < layer.outSize; j++) {
          // I ← λs·I + cX·(amp·Σ_i s_i·W_ji + b_j) + const: a node with its value and local derivatives
          let val = ls * tape.val[I[l]![j]!]! + cX * tape.val[b[l]![j]!]! + (spiking ? (1 - ls) * (1 - lm) * sim.offset : 0);
          const ps = [I[l]![j]!, b[l]![j]!], lc = [ls, cX];
          let abs = ls * Iabs[l]![j]! + cX * Math.abs(tape.val[b[l]![j]!]!) + (spiking ? (1 - ls) * (1 - lm) * Math.abs(sim.offset) : 0);
          for (let i = 0; i < layer.inSize; i++) {
            const w = W[l]![j * layer.inSize + i]!, si = inVal[i]!;
            val += cX * amp * si * tape.val[w]!;
            abs += cX * amp * si * Math.abs(tape.val[w]!);
            ps.push(w); lc.push(cX * amp * si);
            const sn = inNode[i];
            if (sn != null) { ps.push(sn); lc.push(cX * amp * tape.val[w]!); }
          }
          I[l]![j] = tape.node(val, ps, lc);
          Iabs[l]![j] = abs;
          if (!spiking) { // the leaky readout, averaged from t_c
            m[j] = tape.lin([m[j]!, I[l]![j]!], [lo, 1 - lo]);
            if (t >= t0c) acc[j]!.push(m[j]!);
            continue;
          }
          if (refrac[l]![j]! > 0) { // held: silent, clamped, no gradient
            refrac[l]![j]!--;
            v[l]![j] = tape.leaf(np.vReset); vAbs[l]![j] = Math.abs(np.vReset);
            outVal.push(0); outNode.push(tape.leaf(0));
            continue;
          }
          const mem = tape.lin([v[l]![j]!, I[l]![j]!], [lm, 1]);
          const u = tape.val[mem]! - np.vTh, s = u >= 0 ? 1 : 0;
          const sNode = tape.node(s, [mem], [sur(u)]); // Heaviside forward, surrogate backward
          const mAbs = lm * vAbs[l]![j]! + Iabs[l]![j]!;
          tape.err[sNode] = surrogateErr(np.surrogate, k, Math.abs(u), gammaOf(layer.inSize + 4 * (t + 1)) * mAbs);
          vAbs[l]![j] = np.reset === 'subtract' ? mAbs + s * Math.abs(np.vTh) : (1 - s) * mAbs + s * Math.abs(np.vReset);
          // detached reset: the spike decides the reset but passes no gradient through it
          v[l]![j] = np.reset === 'subtract' ? tape.lin([mem], [1], -np.vTh * s) : tape.lin([mem], [1 - s], s * np.vReset);
          if (s) refrac[l]![j] = R;
          outVal.push(s); outNode.push(sNode);
          if (l === L - 1 && t >= t0c) acc[j]!.push(sNode);
        }
        if (spiking) spikes[t]![l]!.push(...outVal);
        inVal = outVal; inNode = outNode;
      }
    }
    const scale = sim.sl[L - 1]!.spiking ? sim.rateScale / ((T - t0c) * sim.dt) : 1 / (T - t0c);
    const post = acc.map((xs) => tape.lin(xs, xs.map(() => scale)));
    // softmax cross-entropy of row r
    const pv = post.map((p) => tape.val[p]!), mx = Math.max(...pv), ex = pv.map((p) => Math.exp(p - mx)), Z = ex.reduce((a, c) => a + c, 0);
    const lossR = Math.log(Z) + mx - pv[labels[r]!]!;
    losses.push(tape.node(lossR, post, ex.map((e, c) => e / Z - (c === labels[r] ? 1 : 0))));
  }
  loss = tape.lin(losses, losses.map(() => 1 / rows));
  return { tape, W, b, loss, spikes };
}

/**
 * The float32 error bound of each gradient entry, derived: every term of a gradient is a product along
 * one path of the tape, and the float32 code forms it with at most K roundings of relative size
 * u = 2⁻²⁴ (the softmax and readout: 4 per step over T steps; per layer the adjoint step, 4 per step
 * over T steps, and a GEMM over its n inputs; the weight GEMM over T·batch terms), so the computed sum
 * is within γ_K·A of the exact one, A = Σ_paths |product| (the tape swept with |local derivatives|).
 * The surrogates are evaluated at float32 membranes, each off by at most γ·(|terms| of the membrane);
 * with the surrogate's slope that bounds each surrogate's error Δ (surrogateErr), and the sweep with
 * |local| + Δ gives A_Δ ≥ A: the bound is (A_Δ − A) + γ_K·A_Δ, to first order in u.
 */
function bound(net: SpikingNetwork, batch: number, A: Float64Array, AErr: Float64Array, nodes: number[]): Float64Array {
  const T = net.sim.steps;
  const K = 4 * T + net.layers.reduce((a, l) => a + 4 * T + l.inSize, 0) + T * batch;
  const gK = gammaOf(K);
  return Float64Array.from(nodes, (n) => AErr[n]! - A[n]! + gK * AErr[n]!);
}

interface Case { name: string; spiking: SpikingOptions; sizes: number[]; rows: number; batch: number }
const CASES: Case[] = [
  { // the defaults' shape: membrane readout, reset to zero, 2 refractory steps, Poisson input; dense
    // weight gradients (eventDensity 0) here, event-driven ones (eventDensity 1) in the next case
    name: 'membrane readout, reset to zero, refractory', sizes: [7, 6, 5, 3], rows: 3, batch: 3,
    spiking: { steps: 14, encoder: 'poisson', maxRate: 300, vInit: 'zero', eventDensity: 0, neuronParams: { refractory: 2e-3 } },
  },
  { // spiking output read as a count from t_c, subtractive reset, no refractory hold, no synaptic filter
    // for the readout's own membrane (tauOut 0), a partial batch (2 of 4 rows)
    name: 'count readout from t_c, subtract reset, partial batch', sizes: [6, 5, 4, 3], rows: 2, batch: 4,
    spiking: { steps: 12, encoder: 'rate', maxRate: 400, vInit: 'zero', readout: 'count', readoutStart: 3, gain: 2, eventDensity: 1,
      neuronParams: { refractory: 0, reset: 'subtract', tauSyn: 3e-3 } },
  },
  { // the readout filter (tauOut) and the triangle surrogate
    name: 'membrane readout with tauOut, triangle surrogate', sizes: [5, 6, 4], rows: 3, batch: 3,
    spiking: { steps: 10, encoder: 'poisson', maxRate: 600, gain: 3, vInit: 'zero', tauOut: 4e-3, readoutStart: 2,
      neuronParams: { refractory: 1e-3, surrogate: 'triangle', surrogateK: 1 } },
  },
];

for (const c of CASES) {
  test(`bp --spiking (${c.name}): every layer's dW and db equal a float64 BPTT on a tape, within the float32 bound`, async () => {
    const lib = await backend();
    const net = new SpikingNetwork(lib, { sizes: c.sizes, batch: c.batch, seed: 3, activation: 'relu', init: 'he', spiking: c.spiking });
    const rnd = mulberry32(11);
    // weights large enough that every layer fires (He init on 5-7 inputs at these rates is too quiet)
    for (const l of net.layers) { l.W.set(Array.from(l.W.data, () => 2.5 * (rnd() - 0.3))); l.b.set(Array.from(l.b.data, () => 0.2 * (rnd() - 0.5))); }
    net.input.set(Array.from(net.input.data, () => rnd()));
    const labels = Array.from({ length: c.batch }, (_, r) => r % net.classes);
    net.target.set(Array.from(net.target.data, (_, i) => (i % net.classes === labels[Math.floor(i / net.classes)] ? 1 : 0)));
    const s = rules.bp!.init(net, {}, net.ws, new Rng(1)) as Bptt;
    const rec: Recorded = { inSpikes: [], spikes: [] };
    net.sim.run(c.rows, (t) => {
      s.record(t);
      rec.inSpikes.push(Float32Array.from(net.sim.inSpikes.data));
      rec.spikes.push(net.sim.sl.map((x) => Float32Array.from(x.spikes.data.subarray(0, c.rows * x.spikes.cols))));
    });
    net.computeLoss(c.rows);
    s.backward(c.rows);
    s.grads(c.rows);

    const ref = float64Bptt(net, rec, c.rows, labels);
    // the float64 forward reproduces the float32 spike trains (else the gradients are of different windows)
    let fired = 0;
    for (let t = 0; t < net.sim.steps; t++) {
      net.layers.forEach((l, li) => {
        if (!net.sim.sl[li]!.spiking) return;
        for (let r = 0; r < c.rows; r++) {
          for (let j = 0; j < l.outSize; j++) {
            const want = ref.spikes[t]![li]![r * l.outSize + j]!;
            assert.is(rec.spikes[t]![li]![r * l.outSize + j], want, `spike of layer ${li} neuron ${j} row ${r} at step ${t}`);
            fired += want;
          }
        }
      });
    }
    assert.ok(fired > 10, `the window has spikes to differentiate (${fired})`);
    const g = ref.tape.grad(ref.loss), A = ref.tape.grad(ref.loss, true), AErr = ref.tape.grad(ref.loss, true, true);
    net.layers.forEach((l, li) => {
      const gW = Float64Array.from(ref.W[li]!, (n) => g[n]!), gb = Float64Array.from(ref.b[li]!, (n) => g[n]!);
      assert.ok(gW.some((x) => Math.abs(x) > 1e-4), `layer ${li}: a gradient to compare (max |dW| ${Math.max(...gW.map(Math.abs))})`);
      const tolW = bound(net, c.batch, A, AErr, ref.W[li]!), tolb = bound(net, c.batch, A, AErr, ref.b[li]!);
      for (let i = 0; i < gW.length; i++) {
        const d = Math.abs(l.dW.data[i]! - gW[i]!);
        assert.ok(d <= tolW[i]!, `layer ${li} dW[${i}]: ${l.dW.data[i]} vs float64 ${gW[i]} (|diff| ${d}, bound ${tolW[i]})`);
      }
      for (let i = 0; i < gb.length; i++) {
        const d = Math.abs(l.db.data[i]! - gb[i]!);
        assert.ok(d <= tolb[i]!, `layer ${li} db[${i}]: ${l.db.data[i]} vs float64 ${gb[i]} (|diff| ${d}, bound ${tolb[i]})`);
      }
    });
    net.dispose();
  });
}

test('bp --spiking with its defaults: the loss falls on a seeded spiking task; same seed, same weights; a step allocates nothing', async () => {
  const lib = await backend();
  const train = blobs(lib, 600, 1);
  const form = ruleForm(rules.bp!, true);
  const run = (check = false) => {
    const net = new SpikingNetwork(lib, { sizes: [20, 24, 24, 4], batch: 30, seed: 5, activation: form.train.activation, init: form.train.init, spiking: { ...form.sim, steps: 16 } });
    const tr = new Trainer(lib, net, rules.bp!, { ...form.train, epochs: 6 });
    const r = tr.fit(train, { epochs: 6 });
    const w = net.layers.map((l) => Array.from(l.W.data));
    if (check) {
      const live = lib.heap.live, mem = lib.heap.memory.buffer;
      for (let i = 0; i < 5; i++) tr.step();
      assert.is(lib.heap.live, live, 'no tensor made per step');
      assert.ok(lib.heap.memory.buffer === mem, 'memory did not grow');
    }
    net.dispose();
    return { r, w };
  };
  const a = run(), b = run(true);
  assert.ok(a.r.history[5]!.trainLoss < 0.7 * a.r.history[0]!.trainLoss, `loss ${a.r.history[0]!.trainLoss} → ${a.r.history[5]!.trainLoss}`);
  assert.equal(a.w, b.w, 'bit-identical weights');
  train.dispose();
});

test('bp --spiking refuses a neuron it cannot differentiate through, naming it', async () => {
  const lib = await backend();
  const net = new SpikingNetwork(lib, { sizes: [4, 3, 2], batch: 2, seed: 1, spiking: { neuron: 'alif', steps: 4 } });
  assert.throws(() => rules.bp!.init(net, {}, net.ws, new Rng(1)), /bp --spiking: .*'lif'.*got neuron 'alif'/);
  net.dispose();
});

test('bp --spiking refuses convolutional layers at init, before any step, naming them', async () => {
  const lib = await backend();
  const net = new SpikingNetwork(lib, { sizes: [36, 3], arch: 'c2k3-a2-f4', inputShape: [6, 6, 1], batch: 2, seed: 1, spiking: { steps: 4 } });
  assert.throws(() => rules.bp!.init(net, {}, net.ws, new Rng(1)), /bp --spiking: backpropagation through time is built for dense LIF layers; this network has convolutional layers \(c2k3-a2-f4\)/);
  net.dispose();
});

test.run();
