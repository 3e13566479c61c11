// chl's paired spiking form (shared/phase-spiking.ts) against the theory that defines it. The clamped window
// replays the free window's bottom-up spikes and feeds back only what the clamp changed, so
//   - the top hidden layer's current change is exactly γ_s·(−e)·W_top, delayed by the synapse: the update of a
//     one-hidden-layer net is backprop's gradient through the free window's rates and mean surrogate, times the
//     synaptic lag factor, up to float32 rounding;
//   - one layer further down, the change is the synaptically filtered spike difference of the layer above, and
//     nothing else (the bottom-up input is the free window's).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { Rng } from '../../src/core/rng.js';
import { rules } from '../../src/rules/index.js';
import type { SpikingPhaseState } from '../../src/rules/shared/phase-spiking.js';

type Lib = Awaited<ReturnType<typeof backend>>;
const F = 12, C = 3, B = 4, EPS = 2 ** -24;
const f64 = (t: { data: Float32Array }) => Float64Array.from(t.data);

/** One chl step of the spiking form by hand (no optimiser) on a seeded batch; returns the state and net for reading. */
function step(lib: Lib, sizes: number[], steps: number, gain: number, seed: number, dt = rules.chl!.spiking!.sim!.dt!, watch?: (s: SpikingPhaseState, t: number) => void) {
  const n = new SpikingNetwork(lib, { sizes, batch: B, seed: 5, init: 'xavier', activation: 'hardSigmoid', spiking: { ...rules.chl!.spiking!.sim, steps, dt } });
  const r = new Rng(seed), u = () => r.nextU32() / 2 ** 32;
  n.input.set(Float32Array.from({ length: B * F }, u));
  n.target.set(Float32Array.from({ length: B * C }, (_, i) => (i % C === (i / C | 0) % C ? 1 : 0)));
  // biases that put every hidden unit in its firing range, so that the rate slopes are defined
  for (const L of n.layers.slice(0, -1)) L.b.set(Float32Array.from({ length: L.outSize }, () => 0.3 + 0.4 * u()));
  const rule = rules.chl!, p = { ...rule.defaults, spikeGain: gain };
  const s = rule.init(n, p, n.ws, new Rng(4)) as SpikingPhaseState;
  if (watch) { const inner = s.onStep; s.onStep = (t) => { inner(t); watch(s, t); }; }
  const ctx = { net: n, rows: B, rng: new Rng(5) };
  rule.forward!(ctx, s, p, true);
  n.computeLoss(B);
  rule.teach(ctx, s, p);
  rule.update(ctx, s, p);
  return { n, s };
}

/** The fraction of a constant feedback's steady-state current the counted steps see on average: the feedback
 *  enters I after every step from the first, so its share at step t is 1 − λs^t; mean over [skip, T). */
function lag(s: SpikingPhaseState): number {
  const ls = s.sim.r.synDecay, T = s.sim.steps, k = s.skip;
  return 1 - (ls ** k * (1 - ls ** (T - k))) / ((T - k) * (1 - ls));
}

/** x·W for x [B, m] and W [m, n] (row-major, float64). */
function times(x: Float64Array, W: Float64Array, m: number, nOut: number): Float64Array {
  const y = new Float64Array(B * nOut);
  for (let b = 0; b < B; b++) for (let i = 0; i < m; i++) { const v = x[b * m + i]!; if (v !== 0) for (let j = 0; j < nOut; j++) y[b * nOut + j] = y[b * nOut + j]! + v * W[i * nOut + j]!; }
  return y;
}

test('chl spiking, paired: the top hidden layer\'s current change is γ_s·(−e)·W_top times the synaptic lag and the output\'s is −e, to float32 rounding, at one and three hidden layers', async () => {
  const lib = await backend();
  for (const sizes of [[F, 10, C], [F, 10, 10, 10, C]]) {
    for (const gain of [0.5, 3]) {
      const { n, s } = step(lib, sizes, 40, gain, 3);
      const top = sizes.length - 2, H = sizes[top]!;
      const e = f64(s.err), Wt = f64(n.layers[top]!.W), want = times(e, Wt, C, H).map((v) => -gain * lag(s) * v);
      const J0 = f64(s.J[0]![top - 1]!), J1 = f64(s.J[1]![top - 1]!);
      // float32 rounding of the two windows' currents: each step rounds I (scale, add cur, add bias, add feedback:
      // 4 roundings of at most ε·|I|), which the synapse carries on with weight Σλs^t <= 1/(1 − λs); the mean over
      // the counted steps adds at most T·ε·|I|; both windows: twice that (I and its bound scale alike into the
      // drive units of J̄). The feedback product itself: (C + 2) roundings of Σ|e||W|.
      const sim = s.sim, maxI = Math.max(...J0.map(Math.abs), ...J1.map(Math.abs));
      const absJ = 2 * EPS * (4 / (1 - sim.r.synDecay) + sim.steps) * maxI;
      const absE = times(e.map(Math.abs), Wt.map(Math.abs), C, H).map((v) => (C + 2) * EPS * gain * v);
      for (let i = 0; i < want.length; i++) {
        const got = J1[i]! - J0[i]!;
        assert.ok(Math.abs(got - want[i]!) <= absJ + absE[i]!, `${sizes.join('-')} γ_s ${gain} unit ${i}: ΔJ̄ ${got} vs ${want[i]} (bound ${absJ + absE[i]!})`);
      }
      const yF = f64(s.states[0]![top]!), yC = f64(s.states[1]![top]!);
      for (let i = 0; i < yF.length; i++) {
        assert.ok(Math.abs(yC[i]! - yF[i]! + e[i]!) <= 2 * EPS * (Math.abs(yF[i]!) + Math.abs(e[i]!)), `${sizes.join('-')} output ${i}: ${yC[i]! - yF[i]!} vs ${-e[i]!}`);
      }
      n.dispose();
    }
  }
});

// One layer further down (m = top − 2, below l = top − 1), the clamped window adds to m's current, after every
// step τ, x_τ = inject·γ_s·amp·Δs_l(τ)·W_l: the spike difference of layer l between the two windows at that step
// (amp = rateScale/dt per spike, inject = (1 − λs)/λs·(1 − λm)·gain, the scale that makes a constant feedback add
// γ_s·ΔA·W_l to the drive). m's bottom-up input is the free window's, replayed, so nothing else differs: its
// current at step t differs by ΔI_t = Σ_{τ<t} λs^{t−τ}·x_τ, and the mean over the counted steps, in drive units,
// is ΔJ̄_m = Σ_{t>=skip} ΔI_t / (n_c·(1 − λm)·gain). The whole phase difference below the top hidden layer is this
// spike-driven quantity; the test rebuilds it in float64 from the two windows' spike trains of layer l.
test('chl spiking, paired, three hidden layers: the second hidden layer\'s current change is the synaptically filtered spike difference of the layer above, to float32 rounding', async () => {
  const lib = await backend();
  const sizes = [F, 10, 10, 10, C], l = 2, m = 1, H = 10;
  let flipped = 0;
  for (const gain of [0.5, 3]) {
    for (let k = 0; k < 4; k++) {
      const steps = 40, raster = [0, 1].map(() => Array.from({ length: steps }, () => new Float64Array(B * H)));
      const { n, s } = step(lib, sizes, steps, gain, 3 + k, undefined, (s, t) => raster[s.run.phase]![t]!.set(s.sim.sl[l]!.spikes.data.subarray(0, B * H)));
      const sim = s.sim, ls = sim.r.synDecay, nc = steps - s.skip, amp = sim.rateScale / sim.dt;
      const Wl = f64(n.layers[l]!.W), c = gain * amp * ((1 - ls) / ls) / nc;
      const want = new Float64Array(B * H), I = new Float64Array(B * H);
      for (let t = 0; t < steps; t++) {
        if (t >= s.skip) for (let i = 0; i < B * H; i++) want[i] = want[i]! + c * I[i]!;
        const x = times(raster[1]![t]!.map((v, i) => v - raster[0]![t]![i]!), Wl, H, H);
        for (let i = 0; i < B * H; i++) I[i] = ls * (I[i]! + x[i]!);
      }
      for (let t = 0; t < steps; t++) for (let i = 0; i < B * H; i++) if (raster[1]![t]![i] !== raster[0]![t]![i]) flipped++;
      const J0 = f64(s.J[0]![m]!), J1 = f64(s.J[1]![m]!);
      // rounding as in the first test, plus the injection's own product: H + 2 roundings of Σ|Δs||W| per step
      const maxI = Math.max(...J0.map(Math.abs), ...J1.map(Math.abs)), absJ = 2 * EPS * (4 / (1 - ls) + steps) * maxI;
      const absX = steps * (H + 2) * EPS * c * Math.max(...Wl.map(Math.abs)) * H / (1 - ls);
      for (let i = 0; i < B * H; i++) {
        const got = J1[i]! - J0[i]!;
        assert.ok(Math.abs(got - want[i]!) <= absJ + absX, `γ_s ${gain} batch ${k} unit ${i}: ΔJ̄ ${got} vs ${want[i]} (bound ${absJ + absX})`);
      }
      n.dispose();
    }
  }
  assert.ok(flipped > 0, 'the feedback moved some spikes of the layer above (else the test compares zeros)');
});

test.run();
