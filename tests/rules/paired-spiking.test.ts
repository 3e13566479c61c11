// The paired spiking form of the phase rules (shared/phase-spiking.ts: chl, eqprop, generec) against the theory
// that defines it. Every later window (chl's clamped, generec's plus, eqprop's +β and −β) replays the free
// window's bottom-up spikes and feeds back only what its output changed, −c·e (c = 1 clamped, ±β nudged), so
//   - the top hidden layer's current change is exactly γ_s·(−c·e)·W_top, delayed by the synapse, and the output's
//     is −c·e, up to float32 rounding;
//   - one layer further down, the change is the synaptically filtered spike difference of the layer above, and
//     nothing else (the bottom-up input is the free window's);
//   - hence at one hidden layer the update is backprop's gradient through the free window's rates and mean
//     surrogate, times the synaptic lag factor in the hidden layer (→ 1 as the window grows), plus, for generec's
//     midpoint, an O(γ_s) term in the output layer's presynaptic side (→ 0 as the feedback shrinks).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { Rng } from '../../src/core/rng.js';
import { rules } from '../../src/rules/index.js';
import type { SpikingPhaseState } from '../../src/rules/shared/phase-spiking.js';
import { cosine, relErr } from './phase-helpers.js';

type Lib = Awaited<ReturnType<typeof backend>>;
type Id = 'chl' | 'eqprop' | 'generec';
const IDS: readonly Id[] = ['chl', 'eqprop', 'generec'];
const F = 12, C = 3, B = 4, EPS = 2 ** -24;
const f64 = (t: { data: Float32Array }) => Float64Array.from(t.data);

/** One step of `id`'s spiking form by hand (no optimiser) on a seeded batch; returns the state and net for reading. */
function step(lib: Lib, id: Id, sizes: number[], steps: number, gain: number, seed: number, watch?: (s: SpikingPhaseState, t: number) => void) {
  const rule = rules[id]!;
  const n = new SpikingNetwork(lib, { sizes, batch: B, seed: 5, init: 'xavier', activation: 'hardSigmoid', spiking: { ...rule.spiking!.sim, steps } });
  const r = new Rng(seed), u = () => r.nextU32() / 2 ** 32;
  n.input.set(Float32Array.from({ length: B * F }, u));
  n.target.set(Float32Array.from({ length: B * C }, (_, i) => (i % C === (i / C | 0) % C ? 1 : 0)));
  // biases that put every hidden unit in its firing range, so that the rate slopes are defined
  for (const L of n.layers.slice(0, -1)) L.b.set(Float32Array.from({ length: L.outSize }, () => 0.3 + 0.4 * u()));
  const p = { ...rule.defaults, spikeGain: gain };
  const s = rule.init(n, p, n.ws, new Rng(4)) as SpikingPhaseState;
  if (watch) { const inner = s.onStep; s.onStep = (t) => { inner(t); watch(s, t); }; }
  const ctx = { net: n, rows: B, rng: new Rng(5) };
  rule.forward!(ctx, s, p, true);
  n.computeLoss(B);
  rule.teach(ctx, s, p);
  rule.update(ctx, s, p);
  return { n, s, p: p as Record<string, unknown> };
}

/** Window k's output difference from the free one is −c·e. */
const shift = (s: SpikingPhaseState, k: number) => { const ph = s.phases[k - 1]!; return ph.kind === 'clamp' ? 1 : ph.sign * s.run.beta; };

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

/** float32 rounding of two windows' mean currents: each step rounds I (scale, add cur, add bias, add feedback:
 *  4 roundings of at most ε·|I|), which the synapse carries on with weight Σλs^t <= 1/(1 − λs); the mean over
 *  the counted steps adds at most T·ε·|I|; both windows: twice that (I and its bound scale alike into the
 *  drive units of J̄). */
const currentBound = (s: SpikingPhaseState, J0: Float64Array, J1: Float64Array) =>
  2 * EPS * (4 / (1 - s.sim.r.synDecay) + s.sim.steps) * Math.max(...J0.map(Math.abs), ...J1.map(Math.abs));

for (const id of IDS) {
  test(`${id} spiking, paired: the top hidden layer's current change is γ_s·(−c·e)·W_top times the synaptic lag and the output's is −c·e, to float32 rounding, at one and three hidden layers`, async () => {
    const lib = await backend();
    for (const sizes of [[F, 10, C], [F, 10, 10, 10, C]]) {
      for (const gain of [0.5, 3]) {
        const { n, s } = step(lib, id, sizes, 40, gain, 3);
        const top = sizes.length - 2, H = sizes[top]!;
        const e = f64(s.err), Wt = f64(n.layers[top]!.W), eW = times(e, Wt, C, H), J0 = f64(s.J[0]![top - 1]!), yF = f64(s.states[0]![top]!);
        for (let k = 1; k <= s.phases.length; k++) {
          const c = shift(s, k), want = eW.map((v) => -gain * c * lag(s) * v), J1 = f64(s.J[k]![top - 1]!);
          // the feedback product itself: (C + 2) roundings of Σ|c·e||W|
          const absJ = currentBound(s, J0, J1), absE = times(e.map(Math.abs), Wt.map(Math.abs), C, H).map((v) => (C + 2) * EPS * gain * Math.abs(c) * v);
          for (let i = 0; i < want.length; i++) {
            const got = J1[i]! - J0[i]!;
            assert.ok(Math.abs(got - want[i]!) <= absJ + absE[i]!, `${sizes.join('-')} γ_s ${gain} window ${k} unit ${i}: ΔJ̄ ${got} vs ${want[i]} (bound ${absJ + absE[i]!})`);
          }
          const yC = f64(s.states[k]![top]!);
          for (let i = 0; i < yF.length; i++) {
            const d = yC[i]! - yF[i]!, ce = c * e[i]!;
            assert.ok(Math.abs(d + ce) <= 2 * EPS * (Math.abs(yF[i]!) + Math.abs(ce)), `${sizes.join('-')} window ${k} output ${i}: ${d} vs ${-ce}`);
          }
        }
        n.dispose();
      }
    }
  });

  // One layer further down (m = top − 2, below l = top − 1), a later window adds to m's current, after every
  // step τ, x_τ = inject·γ_s·amp·Δs_l(τ)·W_l: the spike difference of layer l between that window and the free
  // one at that step (amp = rateScale/dt per spike, inject = (1 − λs)/λs·(1 − λm)·gain, the scale that makes a
  // constant feedback add γ_s·ΔA·W_l to the drive). m's bottom-up input is the free window's, replayed, so
  // nothing else differs: its current at step t differs by ΔI_t = Σ_{τ<t} λs^{t−τ}·x_τ, and the mean over the
  // counted steps, in drive units, is ΔJ̄_m = Σ_{t>=skip} ΔI_t / (n_c·(1 − λm)·gain). The whole phase difference
  // below the top hidden layer is this spike-driven quantity; the test rebuilds it in float64 from the windows'
  // spike trains of layer l.
  test(`${id} spiking, paired, three hidden layers: the second hidden layer's current change is the synaptically filtered spike difference of the layer above, to float32 rounding`, async () => {
    const lib = await backend();
    const sizes = [F, 10, 10, 10, C], l = 2, m = 1, H = 10;
    let flipped = 0;
    for (const gain of [0.5, 3]) {
      for (let k = 0; k < 4; k++) {
        const steps = 40, raster = [0, 1, 2].map(() => Array.from({ length: steps }, () => new Float64Array(B * H)));
        const { n, s } = step(lib, id, sizes, steps, gain, 3 + k, (s, t) => raster[s.run.phase]![t]!.set(s.sim.sl[l]!.spikes.data.subarray(0, B * H)));
        const sim = s.sim, ls = sim.r.synDecay, nc = steps - s.skip, amp = sim.rateScale / sim.dt;
        const Wl = f64(n.layers[l]!.W), c = gain * amp * ((1 - ls) / ls) / nc, J0 = f64(s.J[0]![m]!);
        for (let w = 1; w <= s.phases.length; w++) {
          const want = new Float64Array(B * H), I = new Float64Array(B * H);
          for (let t = 0; t < steps; t++) {
            if (t >= s.skip) for (let i = 0; i < B * H; i++) want[i] = want[i]! + c * I[i]!;
            const x = times(raster[w]![t]!.map((v, i) => v - raster[0]![t]![i]!), Wl, H, H);
            for (let i = 0; i < B * H; i++) I[i] = ls * (I[i]! + x[i]!);
          }
          for (let t = 0; t < steps; t++) for (let i = 0; i < B * H; i++) if (raster[w]![t]![i] !== raster[0]![t]![i]) flipped++;
          const J1 = f64(s.J[w]![m]!);
          // rounding as in the first test, plus the injection's own product: H + 2 roundings of Σ|Δs||W| per step
          const absJ = currentBound(s, J0, J1), absX = steps * (H + 2) * EPS * c * Math.max(...Wl.map(Math.abs)) * H / (1 - ls);
          for (let i = 0; i < B * H; i++) {
            const got = J1[i]! - J0[i]!;
            assert.ok(Math.abs(got - want[i]!) <= absJ + absX, `γ_s ${gain} batch ${k} window ${w} unit ${i}: ΔJ̄ ${got} vs ${want[i]} (bound ${absJ + absX})`);
          }
        }
        n.dispose();
      }
    }
    assert.ok(flipped > 0, 'the feedback moved some spikes of the layer above (else the test compares zeros)');
  });
}

// At one hidden layer the two results above fix the whole update. Write d = σ̄' ⊙ (e·W_1) (backprop's hidden
// error through the free window's mean surrogate σ̄') and λ = lag(T). The hidden state difference over the
// contrast's divisor is σ̄' ⊙ ΔJ̄ / c = −γ_s·λ·d, scaled by γ_s^{−1}: dW_0 = λ·dᵀx/B, db_0 = λ·mean(d), i.e.
// backprop's hidden-layer gradient G_0 times λ, relative error 1 − λ = λs^k(1 − λs^{T−k})/((T − k)(1 − λs)) → 0
// as T grows. The output layer: Δ_1 = −e exactly, so with the free rates r⁻ as presynaptic side dW_1 = eᵀr⁻/B
// = G_1 (chl; eqprop, whose ±β midpoint is r⁻); generec's midpoint takes ½(r⁻ + r⁺) = r⁻ − ½γ_s·λ·d, adding
// −½γ_s·λ·eᵀd/B, which vanishes as the feedback shrinks. The measured update must equal that prediction to float32 rounding, and its
// distance to backprop's gradient then is the stated relative error, falling along the refinements.
const REFINE = [[20, 3], [40, 1], [80, 0.3]] as const;
for (const id of IDS) {
  test(`${id} spiking, paired, one hidden layer: as the window grows and the feedback shrinks, the update approaches backprop's gradient through the free window (the rate rule's limit), with the derived error`, async () => {
    const lib = await backend();
    const H = 10, msg: string[] = [], errs: number[][] = [], preds: number[][] = [];
    for (const [steps, gain] of REFINE) {
      const { n, s, p } = step(lib, id, [F, H, C], steps, gain, 7);
      const lam = lag(s), e = f64(s.err), W1 = f64(n.layers[1]!.W), sg = f64(s.sigma[0]!), x = f64(n.input), r0 = f64(s.states[0]![0]!);
      const d = times(e, W1, C, H).map((v, i) => v * sg[i]!);
      // the presynaptic side: generec's midpoint ½(r⁻ + r⁺); symmetric eqprop's midpoint of its ±β states and
      // symmetric chl's of its ∓e windows, which is r⁻ (their hidden changes are opposite); else the free rates r⁻
      const mid = (id === 'generec' && p.midpoint === true) || (id !== 'generec' && p.symmetric === true), shifted = id === 'generec' && mid;
      // backprop's gradient G_l through the free window and the predicted update P_l, [dW_l; db_l]
      const G0 = new Float64Array(H * F + H), G1 = new Float64Array(C * H + C), P1 = new Float64Array(C * H + C);
      for (let h = 0; h < H; h++) for (let b = 0; b < B; b++) {
        for (let i = 0; i < F; i++) G0[h * F + i] = G0[h * F + i]! + d[b * H + h]! * x[b * F + i]! / B;
        G0[H * F + h] = G0[H * F + h]! + d[b * H + h]! / B;
      }
      for (let c = 0; c < C; c++) for (let b = 0; b < B; b++) {
        const ec = e[b * C + c]! / B;
        for (let h = 0; h < H; h++) {
          G1[c * H + h] = G1[c * H + h]! + ec * r0[b * H + h]!;
          P1[c * H + h] = P1[c * H + h]! + ec * (r0[b * H + h]! - (shifted ? 0.5 * gain * lam * d[b * H + h]! : 0));
        }
        G1[C * H + c] = G1[C * H + c]! + ec; P1[C * H + c] = P1[C * H + c]! + ec;
      }
      const P0 = G0.map((v) => lam * v), got = [0, 1].map((l) => Float64Array.from([...n.layers[l]!.dW.data, ...n.layers[l]!.db.data]));
      // The bound: the hidden current change is off by at most the first test's bound per unit, which reaches the
      // update through σ̄'·|x|/(γ_s·|c|·B) per term (the contrast divides by c and by γ_s); plus the contrast's own
      // float32 arithmetic: each later state r⁻ + σ̄'⊙(J̄ − J̄⁻) (3 roundings of at most |r⁻| + |σ̄'ΔJ̄|, two windows for
      // eqprop) and the contrast's difference of two states (1 more), then the gemm over B rows (B + 2 roundings
      // of the sum of |terms|).
      const J0 = f64(s.J[0]![0]!), cs = s.phases.map((_, k) => Math.abs(shift(s, k + 1))), cMin = Math.min(...cs), cMax = Math.max(...cs), div = s.phases.length === 2 ? 2 * cMin : cMin;
      let dJ = 0;
      for (let k = 1; k <= s.phases.length; k++) dJ = Math.max(dJ, currentBound(s, J0, f64(s.J[k]![0]!)) + (C + 2) * EPS * gain * cs[k - 1]! * Math.max(...times(e.map(Math.abs), W1.map(Math.abs), C, H)));
      const dState = (b: number, h: number) => (s.phases.length * dJ * sg[b * H + h]! + (3 * s.phases.length + 1) * EPS * (r0[b * H + h]! + gain * cMax * Math.abs(d[b * H + h]!))) / (gain * div);
      const bound0 = new Float64Array(H * F + H), bound1 = new Float64Array(C * H + C);
      for (let h = 0; h < H; h++) for (let b = 0; b < B; b++) {
        const u = dState(b, h) + (B + 2) * EPS * Math.abs(d[b * H + h]!);
        for (let i = 0; i < F; i++) bound0[h * F + i] = bound0[h * F + i]! + u * x[b * F + i]! / B;
        bound0[H * F + h] = bound0[H * F + h]! + u / B;
      }
      for (let c = 0; c < C; c++) for (let b = 0; b < B; b++) {
        const ec = Math.abs(e[b * C + c]!) / B;
        for (let h = 0; h < H; h++) bound1[c * H + h] = bound1[c * H + h]! + ec * ((mid ? gain * div * dState(b, h) : 0) + (B + 4) * EPS * (r0[b * H + h]! + gain * Math.abs(d[b * H + h]!)));
        bound1[C * H + c] = bound1[C * H + c]! + (B + 2) * EPS * ec;
      }
      [[P0, bound0], [P1, bound1]].forEach(([P, bnd], l) => {
        for (let i = 0; i < P!.length; i++) assert.ok(Math.abs(got[l]![i]! - P![i]!) <= bnd![i]!, `T=${steps} γ_s ${gain} layer ${l} entry ${i}: ${got[l]![i]} vs predicted ${P![i]} (bound ${bnd![i]})`);
      });
      const pred = [relErr(P0, G0), relErr(P1, G1)], err = [relErr(got[0]!, G0), relErr(got[1]!, G1)], cos = [cosine(got[0]!, G0), cosine(got[1]!, G1)];
      errs.push(err); preds.push(pred);
      msg.push(`T=${steps} γ_s=${gain}: rel. error to backprop ${err.map((v) => v.toFixed(5))} (derived ${pred.map((v) => v.toFixed(5))}), cosine ${cos.map((v) => v.toFixed(6))}`);
      n.dispose();
    }
    // where the derived error is zero (the output layer but for generec's midpoint) the bound above is all there is
    for (let i = 1; i < errs.length; i++) for (const l of [0, 1]) {
      if (preds[i - 1]![l]! > 0) assert.ok(errs[i]![l]! < errs[i - 1]![l]!, `layer ${l}: the error falls at every refinement: ${msg.join(' | ')}`);
    }
    console.log(`  ${id}: ${msg.join(' | ')}`);
  });
}

test.run();
