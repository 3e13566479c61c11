// Spiking kernels: LIF neuron-updates/s and trace updates/s beside a plain-JS loop doing the same
// update on the same Float32Arrays; RNG samples/s (uniform, normal, bernoulli) beside the TypeScript
// generator (src/core/rng.ts, the same xoshiro128** stream) filling a Float32Array.
import { Rng } from '../../dist/src/core/rng.js';

/** The same map as f32_lif_step (see assembly/kernels/lif.ts), in plain JS over Float32Arrays. */
function jsLif(n, decay, vTh, vReset, refSteps, k, input, v, refrac, spikes, deriv) {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const r = refrac[i];
    if (r > 0) { refrac[i] = r - 1; v[i] = vReset; spikes[i] = 0; deriv[i] = 0; continue; }
    const m = Math.fround(decay * v[i]) + input[i];
    const d = 1 + k * Math.abs(m - vTh);
    deriv[i] = 1 / (d * d);
    if (m >= vTh) { v[i] = vReset; refrac[i] = refSteps; spikes[i] = 1; count++; } else { v[i] = m; spikes[i] = 0; }
  }
  return count;
}

export default async ({ lib, quick }) => {
  const cases = [];
  const p = { decay: Math.exp(-1 / 20), vTh: 1, vReset: 0, refSteps: 2, surrogate: 10 };
  for (const [label, n] of quick ? [['100x1000', 100 * 1000]] : [['100x1000', 100 * 1000], ['1<<20', 1 << 20]]) {
    const b = { input: lib.tensor([n]), v: lib.tensor([n]), refrac: lib.tensor([n]), spikes: lib.tensor([n]), deriv: lib.tensor([n]) };
    // Inputs around the rheobase (1 - decay = 0.049): a realistic mix of silent, firing and held neurons.
    const inp = b.input.data;
    for (let i = 0; i < n; i++) inp[i] = 0.1 * ((i * 2654435761) % 1000) / 1000;
    cases.push({
      name: `f32_lif_step ${label}`, shape: [n], updates: n,
      ours: () => lib.lifStep(b.input, b.v, b.refrac, b.spikes, b.deriv, p),
      peers: { js: () => jsLif(n, Math.fround(p.decay), 1, 0, 2, 10, b.input.data, b.v.data, b.refrac.data, b.spikes.data, b.deriv.data) },
      teardown: () => Object.values(b).forEach((t) => t.dispose()),
    });
  }
  for (const n of quick ? [100 * 1000] : [100 * 1000, 1 << 20]) {
    const x = lib.tensor([n]), s = lib.tensor([n]);
    cases.push({
      name: `f32_trace_step n=${n}`, shape: [n], updates: n,
      ours: () => lib.traceStep(x, s, 0.95),
      peers: { js: () => { const xd = x.data, sd = s.data; for (let i = 0; i < n; i++) xd[i] = Math.fround(0.95 * xd[i]) + sd[i]; } },
      teardown: () => { x.dispose(); s.dispose(); },
    });
  }
  const n = 1 << 16;
  const out = lib.tensor([n]), prob = lib.tensor([n]);
  prob.data.fill(0.5);
  const w = lib.rng(1), r = new Rng(1);
  cases.push({
    name: `f32_uniform n=${n}`, shape: [n], updates: n,
    ours: () => w.uniform(out, -1, 1),
    peers: { js: () => { const o = out.data; for (let i = 0; i < n; i++) o[i] = -1 + 2 * r.uniform(); } },
  });
  cases.push({
    name: `f32_normal n=${n}`, shape: [n], updates: n,
    ours: () => w.normal(out, 0, 1),
    peers: {
      js: () => {
        const o = out.data;
        for (let i = 0; i < n; i += 2) {
          const u1 = ((r.nextU32() >>> 8) + 1) * 5.9604644775390625e-8, u2 = r.uniform();
          const rr = Math.sqrt(-2 * Math.log(u1)), t = 2 * Math.PI * u2;
          o[i] = rr * Math.cos(t);
          if (i + 1 < n) o[i + 1] = rr * Math.sin(t);
        }
      },
    },
  });
  cases.push({
    name: `f32_bernoulli n=${n}`, shape: [n], updates: n,
    ours: () => w.bernoulli(out, prob, 0.2),
    peers: { js: () => { const o = out.data, pd = prob.data; for (let i = 0; i < n; i++) o[i] = r.uniform() < 0.2 * pd[i] ? 1 : 0; } },
    teardown: () => { out.dispose(); prob.dispose(); w.dispose(); },
  });
  return cases;
};
