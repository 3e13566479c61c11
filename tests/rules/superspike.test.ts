// SuperSpike's weight gradient against its definition (Zenke & Ganguli 2018, the update integral
// ẇ_ij ∝ e_i·σ'(U_i)·(ε∗S_j) summed over a window): per step t >= t_c,
//   ε_l(t)   = λm·ε_l(t − 1) + (1 − λm)·amp_l·s_{l−1}(t)            the presynaptic PSP trace, ε(−1) = 0
//   e(t)     = softmax(m(t)) − y                                     m: the readout's membrane
//   mod_l(t) = (e(t)·B_l + ρ·ε_{l+1}(t)) ⊙ σ'_l(t)   (symmetric feedback: mod_{l+1}(t)·W_{l+1} for e·B_l)
//   dW_l     = Σ_t mod_l(t)ᵀ·ε_l(t) / (rows·(T − t_c)),  db_l = Σ_t Σ_rows mod_l(t) / (rows·(T − t_c))
// computed here in f64, forwards in time, from the spikes, surrogates and readout recorded at every step,
// against the rule's f32 sum (reordered by presynaptic spike and walked back in time at the window end).
// Tolerance, from the arithmetic: every elementary term mod·λᵐ·(1 − λm)·amp·s reaches the f32 result
// through at most M roundings, each a relative u = 2⁻²⁴: the feedback product and the penalty (C + 3, and
// 2T for the penalty's own trace), the presynaptic trace or the backward filter (2 per step, 2T), the
// powers of the rounded λm (T), the sums into one
// weight (the events of the error steps and the product with ε(t_c − 1): rows·(K + 1)), the scales and
// the final transpose (16 for the constants). So |dW − exact| <= γ_M · Σ |terms|, where |terms| takes
// |e_c| as p_c + y_c (the f32 softmax is off by a few u of p, not of |p − y|). A wrong decay, a step
// off by one or a lost spike is off by far more than that.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { blobs } from '../helpers/synthetic.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { Trainer } from '../../src/train/trainer.js';
import { rules } from '../../src/rules/index.js';

const u = 2 ** -24, gamma = (n: number) => (n * u) / (1 - n * u);

interface Seen { inS: Float32Array[]; dstep: Float32Array[]; m: Float32Array }

// the 'rate' encoder keeps no spike lists of the input, so the rule lists its 0/1 spikes itself (elsewhere it packs the simulator's lists)
for (const [params, rows, encoder] of [[{ rateReg: 0.1 }, 30, 'poisson'], [{ feedback: 'symmetric', rateReg: 0.1 }, 17, 'poisson'], [{ rateReg: 0 }, 30, 'poisson'], [{ rateReg: 0.1 }, 30, 'rate']] as const) {
  test(`superspike ${JSON.stringify(params)}, ${rows} rows, ${encoder} encoder: dW and db equal the definition within the f32 rounding bound`, async () => {
    const lib = await backend();
    const train = blobs(lib, 60, 1);
    const net = new SpikingNetwork(lib, { sizes: [20, 24, 24, 4], batch: 30, seed: 5, spiking: { ...rules.superspike!.spiking!.sim, steps: 15, readoutStart: 5, maxRate: 400, encoder } });
    const tr = new Trainer(lib, net, 'superspike', { lr: 0.02, epochs: 1, ruleParams: params });
    tr.fit(train, { epochs: 1 }); // a trained step or two, so the weights are not at their initial values
    const L = net.layers.length - 1, sim = net.sim, T = sim.steps, t0 = sim.readoutStart, K = T - t0, C = net.classes;
    const st = tr.state as { onStep: (t: number) => void; B: { data: Float32Array }[] };
    const inner = st.onStep, seen: Seen[] = [];
    st.onStep = (t) => {
      inner(t);
      seen.push({
        inS: net.layers.map((l, i) => (i === 0 ? sim.inSpikes : sim.sl[i - 1]!.spikes).data.slice(0, rows * l.inSize)),
        dstep: net.layers.slice(0, -1).map((l, i) => sim.sl[i]!.dstep.data.slice(0, rows * l.outSize)),
        m: sim.sl[L]!.spikes.data.slice(0, rows * C),
      });
    };
    net.input.set(train.images.data.subarray(0, net.batch * 20));
    tr.ctx.rows = rows;
    rules.superspike!.forward!(tr.ctx, tr.state, tr.ruleParams, true);
    rules.superspike!.update(tr.ctx, tr.state, tr.ruleParams);
    assert.is(seen.length, T, 'one record per step');

    // the definition, forwards in time, in f64
    const lm = sim.r.decay, rho = tr.ruleParams.rateReg as number, y = net.target.data.slice(0, rows * C);
    const eps = net.layers.map((l) => new Float64Array(rows * l.inSize));
    const W = net.layers.map((l) => ({ sum: new Float64Array(l.outSize * l.inSize), abs: new Float64Array(l.outSize * l.inSize), b: new Float64Array(l.outSize), babs: new Float64Array(l.outSize) }));
    let spikes = 0;
    for (let t = 0; t < T; t++) {
      const s = seen[t]!;
      net.layers.forEach((l, li) => {
        const c = (1 - lm) * sim.sl[li]!.ampIn;
        for (let x = 0; x < rows * l.inSize; x++) { eps[li]![x] = lm * eps[li]![x]! + c * s.inS[li]![x]!; spikes += s.inS[li]![x]!; }
      });
      if (t < t0) continue;
      const e = new Float64Array(rows * C), eAbs = new Float64Array(rows * C);
      for (let r = 0; r < rows; r++) {
        let mx = -Infinity, z = 0;
        for (let c = 0; c < C; c++) mx = Math.max(mx, s.m[r * C + c]!);
        for (let c = 0; c < C; c++) z += Math.exp(s.m[r * C + c]! - mx);
        for (let c = 0; c < C; c++) { const p = Math.exp(s.m[r * C + c]! - mx) / z; e[r * C + c] = p - y[r * C + c]!; eAbs[r * C + c] = p + y[r * C + c]!; }
      }
      const mod: Float64Array[] = [], modAbs: Float64Array[] = [];
      mod[L] = e; modAbs[L] = eAbs;
      for (let l = L - 1; l >= 0; l--) {
        const n = net.layers[l]!.outSize, up = params.feedback === 'symmetric', nu = up ? net.layers[l + 1]!.outSize : C;
        const F = up ? net.layers[l + 1]!.W.data : st.B[l]!.data; // e·B [C × n], or mod_{l+1}·W_{l+1} [n_{l+1} × n]
        const g = up ? mod[l + 1]! : e, ga = up ? modAbs[l + 1]! : eAbs;
        const m = new Float64Array(rows * n), ma = new Float64Array(rows * n);
        for (let r = 0; r < rows; r++) {
          for (let i = 0; i < n; i++) {
            let v = rho * eps[l + 1]![r * n + i]!, va = Math.abs(v);
            for (let c = 0; c < nu; c++) { v += g[r * nu + c]! * F[c * n + i]!; va += ga[r * nu + c]! * Math.abs(F[c * n + i]!); }
            const d = s.dstep[l]![r * n + i]!;
            m[r * n + i] = v * d; ma[r * n + i] = va * Math.abs(d);
          }
        }
        mod[l] = m; modAbs[l] = ma;
      }
      net.layers.forEach((l, li) => {
        const n = l.outSize, k = l.inSize, w = W[li]!;
        for (let r = 0; r < rows; r++) {
          for (let i = 0; i < n; i++) {
            const g = mod[li]![r * n + i]!, ga = modAbs[li]![r * n + i]!;
            w.b[i]! += g; w.babs[i]! += ga;
            for (let j = 0; j < k; j++) { w.sum[i * k + j]! += g * eps[li]![r * k + j]!; w.abs[i * k + j]! += ga * eps[li]![r * k + j]!; }
          }
        }
      });
    }

    const M = C + 3 + 5 * T + rows * (K + 1) + 16, scale = 1 / (rows * K);
    let checked = 0;
    net.layers.forEach((l, li) => {
      const dW = l.dW.data, db = l.db.data, w = W[li]!;
      for (let x = 0; x < dW.length; x++) {
        const want = w.sum[x]! * scale, bound = gamma(M) * w.abs[x]! * scale;
        if (!(Math.abs(dW[x]! - want) <= bound)) assert.unreachable(`layer ${li} dW[${Math.floor(x / l.inSize)}, ${x % l.inSize}] = ${dW[x]}, definition ${want}, |diff| ${Math.abs(dW[x]! - want)} > bound ${bound}`);
        if (want !== 0) checked++;
      }
      for (let i = 0; i < db.length; i++) {
        const want = w.b[i]! * scale, bound = gamma(M) * w.babs[i]! * scale;
        if (!(Math.abs(db[i]! - want) <= bound)) assert.unreachable(`layer ${li} db[${i}] = ${db[i]}, definition ${want}, |diff| ${Math.abs(db[i]! - want)} > bound ${bound}`);
      }
    });
    assert.ok(spikes > 1000 && checked > 500, `the window had spikes and gradients to check (${spikes} spikes, ${checked} nonzero weights)`);
    net.dispose(); train.dispose();
  });
}

test.run();
