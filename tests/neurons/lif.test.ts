// LIF / ALIF neuron models (src/neurons): exact spike counts of the discrete map against the count
// computed by hand from its closed form, the analytic continuous-time rate, soft-LIF → LIF as γ → 0,
// and invariants.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { neurons, neuronParams } from '../../src/neurons/index.js';
import { Workspace } from '../../src/core/workspace.js';

/** Simulates n neurons with constant currents J for `steps` steps; returns spike counts. */
async function simulate(id: string, J: number[], steps: number, dt: number, over: Record<string, unknown> = {}) {
  const lib = await backend();
  const ws = new Workspace(lib.heap), n = J.length;
  const neuron = neurons[id]!;
  const p = neuronParams(neuron, over, dt), r = neuron.resolve(p, dt);
  const st = neuron.init(ws, n), drive = ws.f32([n]), spikes = ws.f32([n]), deriv = ws.f32([n]);
  drive.set(J.map((j) => (1 - r.decay) * j)); // the network's drive (1 − λ)·J
  const counts = new Array<number>(n).fill(0);
  const vAfterSpike: number[] = [];
  for (let t = 0; t < steps; t++) {
    neuron.step(lib, r, st, drive, spikes, deriv);
    const s = spikes.data, v = st.v.data;
    for (let i = 0; i < n; i++) if (s[i]) { counts[i]!++; vAfterSpike.push(v[i]!); }
  }
  const vEnd = st.v.toArray();
  ws.dispose();
  return { counts, vAfterSpike, vEnd, r, p };
}

test('lif: spike counts equal the hand-computed period of the discrete map', async () => {
  // From v = 0 with v ← λv + (1 − λ)J: v_t = J(1 − λ^t). First crossing of vTh = 1 at
  // t* = ceil(ln(1 − 1/J) / ln λ) steps; after a spike the neuron is held refSteps steps at 0 and the
  // climb restarts, so spikes fall every t* + refSteps steps: count = floor((N + refSteps) / (t* + refSteps)).
  // (f32 rounding of v can move a crossing only when v_t* is within ~1e-6 of 1: the J values are chosen
  // so that the margin is > 1e-3, printed below if violated.)
  const dt = 1e-3, N = 1000, J = [1.08, 1.3, 2, 3.7, 10];
  const { counts, r } = await simulate('lif', J, N, dt, { tauMem: 20e-3, refractory: 2e-3, tauSyn: 0 });
  for (let i = 0; i < J.length; i++) {
    const j = J[i]!, tStar = Math.ceil(Math.log(1 - 1 / j) / Math.log(r.decay));
    const margin = Math.abs(j * (1 - r.decay ** tStar) - 1);
    assert.ok(margin > 1e-3, `J = ${j}: crossing too close to call (${margin})`);
    assert.is(counts[i], Math.floor((N + r.kernel.refSteps!) / (tStar + r.kernel.refSteps!)), `J = ${j}`);
  }
});

test('lif: simulated rate approaches the analytic LIF rate 1/(τref + τm·ln(J/(J − 1))) (long window, small dt)', async () => {
  // The discrete map is the exact solution of τm·dv/dt = −v + J between steps; detecting the crossing at
  // the next step delays each spike by < dt, and refractory rounding is 0 here (τref a multiple of dt),
  // so the simulated period lies in [P, P + dt]: |1/r_sim − 1/r| <= dt + (window quantisation P²/T).
  const dt = 1e-4, T = 2, N = Math.round(T / dt), J = [1.1, 1.5, 2, 4, 8];
  const tauMem = 20e-3, refractory = 2e-3;
  const { counts } = await simulate('lif', J, N, dt, { tauMem, refractory, tauSyn: 0 });
  for (let i = 0; i < J.length; i++) {
    const j = J[i]!, P = refractory + tauMem * Math.log(j / (j - 1));
    const Psim = T / counts[i]!;
    assert.ok(Psim >= P - P * P / T && Psim <= P + dt + P * P / T, `J = ${j}: period ${Psim} vs analytic ${P}`);
  }
  const below = await simulate('lif', [0.5, 0.99], N, dt, { tauMem, refractory, tauSyn: 0 });
  assert.equal(below.counts, [0, 0], 'no spikes below threshold');
});

test('soft-LIF approaches the LIF rate as γ → 0', async () => {
  const lib = await backend();
  const J = [1.02, 1.05, 1.1, 1.5, 3], tauRef = 2e-3, tauRC = 20e-3; // near threshold, where γ matters
  const lifRate = (j: number) => 1 / (tauRef + tauRC * Math.log(1 + 1 / (j - 1)));
  let prev = Infinity;
  for (const gamma of [0.1, 0.03, 0.01, 0.003]) {
    const a = lib.tensor([J.length], J), post = lib.tensor([J.length]);
    lib.act('softlif', post, a, null, { tauRef, tauRC, gamma });
    const err = Math.max(...J.map((j, i) => Math.abs(post.data[i]! - lifRate(j)) / lifRate(j)));
    assert.ok(err < prev, `γ = ${gamma}: error ${err} did not shrink (previous ${prev})`);
    prev = err;
    a.dispose(); post.dispose();
  }
  assert.ok(prev < 1e-3, `at γ = 0.003 the relative error is ${prev}`);
});

test('lif invariants: no input decays to rest; after a spike v = vReset; count monotone in J', async () => {
  const lib = await backend();
  const ws = new Workspace(lib.heap), lif = neurons.lif!;
  const p = neuronParams(lif, {}, 1e-3), r = lif.resolve(p, 1e-3);
  const st = lif.init(ws, 3), drive = ws.f32([3]), s = ws.f32([3]), d = ws.f32([3]);
  st.v.set([0.9, 0.5, -0.5]);
  for (let t = 0; t < 300; t++) lif.step(lib, r, st, drive, s, d);
  assert.ok(st.v.toArray().every((v) => Math.abs(v) < 1e-6), 'decayed to rest');
  ws.dispose();
  const J = [1.1, 1.2, 1.5, 2, 3, 5, 9];
  const { counts, vAfterSpike } = await simulate('lif', J, 500, 1e-3);
  for (let i = 1; i < J.length; i++) assert.ok(counts[i]! >= counts[i - 1]!, 'monotone in J');
  assert.ok(vAfterSpike.length > 0 && vAfterSpike.every((v) => v === 0), 'v = vReset after every spike');
});

test('alif: adaptation lowers the rate below LIF for the same current; beta = 0 is LIF exactly', async () => {
  const J = [1.5, 3, 6];
  const a = await simulate('alif', J, 1000, 1e-3, { beta: 0.2, tauAdapt: 0.2 });
  const l = await simulate('lif', J, 1000, 1e-3);
  for (let i = 0; i < J.length; i++) assert.ok(a.counts[i]! < l.counts[i]!, `J = ${J[i]}: ${a.counts[i]} vs ${l.counts[i]}`);
  const a0 = await simulate('alif', J, 1000, 1e-3, { beta: 0 });
  assert.equal(a0.counts, l.counts);
  assert.equal(Array.from(a0.vEnd), Array.from(l.vEnd));
});

test('neuron parameters: clear errors', async () => {
  assert.throws(() => neuronParams(neurons.lif!, { tauMem: -1 }), /neuron 'lif': tauMem must be/);
  assert.throws(() => neuronParams(neurons.lif!, { vTh: 0, vReset: 0.5 }), /neuron 'lif': need finite vReset < vTh/);
  assert.throws(() => neuronParams(neurons.lif!, { foo: 1 }), /neuron 'lif': no parameter 'foo'/);
  assert.throws(() => neuronParams(neurons.lif!, { surrogate: 'relu' }), /surrogate must be super, triangle, exp, got relu/);
});

test.run();
