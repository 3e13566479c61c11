// eRBP's weight gradient against its definition (Neftci et al. 2017): over one window,
//   dW_l = Σ_{t >= t_c} (U_l ⊙ Θ_l)(t)ᵀ · amp_l·s_{l−1}(t) / (rows·(T − t_c))   (output: e(t) for U ⊙ Θ)
// computed here in f64 from the gated signals and spikes recorded at every step, against the rule's
// event-driven f32 sum (f32_event_tn per step, one transpose and scale at the end of the window).
// Tolerance, from the arithmetic: each element of the f32 accumulator is a recursive sum of N exact f32
// terms (a spike is 1, so 1·g = g), off by at most γ_{N−1}·Σ|g| with γ_n = n·u/(1 − n·u), u = 2⁻²⁴; the
// scale amp/(rows·(T − t_c)) is rounded to f32 (u) and the product rounded once more (u): in all,
// |dW − exact| <= (γ_N + 3u)·|scale·amp|·Σ|g| per element.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { blobs } from '../helpers/synthetic.js';
import { SpikingNetwork } from '../../src/net/spiking.js';
import { Trainer } from '../../src/train/trainer.js';
import { rules } from '../../src/rules/index.js';

const u = 2 ** -24, gamma = (n: number) => (n * u) / (1 - n * u);

// 'poisson' keeps spike lists for every layer (the rule packs them); 'rate' keeps none for the input (listed from the 0/1 spikes)
for (const encoder of ['poisson', 'rate'] as const) test(`erbp, ${encoder} encoder: the event-driven dW equals the definition Σ_t (U ⊙ Θ)ᵀ·amp·s / (rows·(T − t_c)) within the f32 summation bound`, async () => {
  const lib = await backend();
  const train = blobs(lib, 60, 1);
  const net = new SpikingNetwork(lib, { sizes: [20, 24, 24, 4], batch: 30, seed: 5, spiking: { ...rules.erbp!.spiking!.sim, steps: 15, readoutStart: 5, maxRate: 400, encoder } });
  assert.is(net.sim.inLists === null, encoder === 'rate', 'which input path this case takes');
  const tr = new Trainer(lib, net, 'erbp', { lr: 0.02, epochs: 1 });
  tr.fit(train, { epochs: 1 }); // a trained step or two, so the gates are not all at their initial values
  const rows = net.batch, L = net.layers.length - 1, sim = net.sim;
  const st = tr.state as { onStep: (t: number) => void; gate: { data: Float32Array }[]; e: { data: Float32Array } };
  const inner = st.onStep, seen: { g: Float32Array[]; s: Float32Array[] }[] = [];
  st.onStep = (t) => {
    inner(t);
    if (t < sim.readoutStart) return;
    seen.push({
      g: net.layers.map((l, i) => (i < L ? st.gate[i]!.data.slice(0, rows * l.outSize) : st.e.data.slice(0, rows * l.outSize))),
      s: net.layers.map((l, i) => (i === 0 ? sim.inSpikes : sim.sl[i - 1]!.spikes).data.slice(0, rows * l.inSize)),
    });
  };
  const batch = train.images.data.subarray(0, rows * 20);
  net.input.set(batch);
  tr.ctx.rows = rows;
  rules.erbp!.forward!(tr.ctx, tr.state, tr.ruleParams, true);
  assert.is(seen.length, sim.steps - sim.readoutStart, 'one record per error step');
  let checked = 0, events = 0;
  net.layers.forEach((l, li) => {
    const n = l.outSize, k = l.inSize, amp = sim.sl[li]!.ampIn, scale = 1 / (rows * seen.length);
    const dW = l.dW.data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        let exact = 0, abs = 0, terms = 0;
        for (const { g, s } of seen) {
          for (let r = 0; r < rows; r++) {
            if (s[li]![r * k + j] === 0) continue;
            const x = g[li]![r * n + i]!;
            exact += x; abs += Math.abs(x); terms++;
          }
        }
        const want = exact * scale * amp, bound = (gamma(terms) + 3 * u) * Math.abs(scale * amp) * abs;
        const got = dW[i * k + j]!;
        if (!(Math.abs(got - want) <= bound)) assert.unreachable(`layer ${li} dW[${i}, ${j}] = ${got}, definition ${want}, |diff| ${Math.abs(got - want)} > bound ${bound} (${terms} terms)`);
        checked++; events += terms;
      }
    }
  });
  assert.ok(events > 1000, `the window had spikes to sum (${events} events over ${checked} weights)`);
  net.dispose(); train.dispose();
});

test.run();
