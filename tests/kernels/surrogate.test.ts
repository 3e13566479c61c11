// Surrogate op classes (SuperSpike fast sigmoid, triangle, exponential) through the three kernels that
// share them: f32_lif_step{,_triangle,_exp}, f32_alif_step. Reference twins round
// like the kernels (0 ulps), except the exponential surrogate: exp1 is within EXP_MAX_REL_ERR of f64 exp
// at the same f32 argument (assembly/ops/math.ts), and the expected values are stored in Float32Arrays
// (one more rounding, <= 2^-24 relative), so those values get rel = EXP + U.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { EDGE_SIZES, seeded, mulberry32 } from '../helpers/fill.js';
import { SURROGATES, type SurrogateShape } from '../../src/index.js';
import * as ref from '../reference/lif.js';
import { EXP, U } from '../reference/act.js';

const tolFor = (shape: SurrogateShape) => (shape === 'exp' ? { rel: EXP + U } : { ulps: 0 });

for (const build of BUILDS) {
  for (const shape of SURROGATES) {
    test(`[${build}] lifStep with the '${shape}' surrogate equals the reference (EDGE_SIZES, 6 steps)`, async () => {
      const lib = await backend(build);
      for (const n of [...EDGE_SIZES, 200]) {
        const p = { decay: 0.9, vTh: 1, vReset: 0, resetMode: (n % 2) as 0 | 1, refSteps: n % 3, k: 2.5 };
        const t = { input: lib.tensor([n]), v: lib.tensor([n], seeded(n, n, -0.5, 1.2)), refrac: lib.tensor([n]), spikes: lib.tensor([n]), deriv: lib.tensor([n]) };
        const v = t.v.toArray(), refrac = new Float32Array(n), spikes = new Float32Array(n), deriv = new Float32Array(n);
        for (let step = 0; step < 6; step++) {
          const input = seeded(n, 31 * step + n, -0.3, 0.8);
          t.input.set(input);
          const got = lib.lifStep(t.input, t.v, t.refrac, t.spikes, t.deriv, { decay: p.decay, vTh: p.vTh, vReset: p.vReset, reset: p.resetMode ? 'subtract' : 'zero', refSteps: p.refSteps, surrogate: p.k, surrogateShape: shape });
          const want = ref.alifStep({ ...p, rho: 0, beta: 0, shape }, input, v, refrac, null, spikes, deriv);
          assert.is(got, want, `n=${n} step ${step}: count`);
          close(t.v.data, v, { ulps: 0 }, `n=${n} step ${step}: v`);
          close(t.spikes.data, spikes, { ulps: 0 }, `n=${n} step ${step}: spikes`);
          close(t.deriv.data, deriv, tolFor(shape), `n=${n} step ${step}: deriv`);
        }
        Object.values(t).forEach((x) => x.dispose());
      }
    });

    test(`[${build}] alifStep ('${shape}') equals the reference; threshold rises with each spike`, async () => {
      const lib = await backend(build);
      for (const n of [1, 3, 4, 5, 9, 17, 65]) {
        const p = { decay: 0.95, vTh: 0.6, vReset: 0, resetMode: (n % 2) as 0 | 1, refSteps: n % 2, k: 3, rho: 0.9, beta: 0.2, shape };
        const t = { input: lib.tensor([n]), v: lib.tensor([n]), refrac: lib.tensor([n]), adapt: lib.tensor([n]), spikes: lib.tensor([n]), deriv: lib.tensor([n]) };
        const v = new Float32Array(n), refrac = new Float32Array(n), adapt = new Float32Array(n), spikes = new Float32Array(n), deriv = new Float32Array(n);
        for (let step = 0; step < 10; step++) {
          const input = seeded(n, 7 * step + n, 0, 0.7);
          t.input.set(input);
          const got = lib.alifStep(t.input, t.v, t.refrac, t.adapt, t.spikes, t.deriv, { decay: p.decay, vTh: p.vTh, reset: p.resetMode ? 'subtract' : 'zero', refSteps: p.refSteps, surrogate: p.k, rho: p.rho, beta: p.beta, surrogateShape: shape });
          const want = ref.alifStep(p, input, v, refrac, adapt, spikes, deriv);
          assert.is(got, want, `n=${n} step ${step}: count`);
          close(t.v.data, v, { ulps: 0 }, 'v');
          close(t.adapt.data, adapt, { ulps: 0 }, 'adapt');
          close(t.deriv.data, deriv, tolFor(shape), 'deriv');
        }
        Object.values(t).forEach((x) => x.dispose());
      }
    });
  }
}

test('surrogate shapes: peak 1 at threshold, symmetric, decreasing in |u|', async () => {
  const lib = await backend();
  const us = [-3, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 3];
  for (const shape of SURROGATES) {
    // From rest with no leak, the membrane is the input: deriv = surrogate(u − vTh) with vTh = 0, k = 1.
    const n = us.length, a = lib.tensor([n], us), v = lib.tensor([n]), refrac = lib.tensor([n]), post = lib.tensor([n]), d = lib.tensor([n]);
    lib.lifStep(a, v, refrac, post, d, { decay: 1, vTh: 0, surrogate: 1, surrogateShape: shape });
    const g = Array.from(d.data);
    assert.is(g[4], 1, `${shape}: 1 at u = 0`);
    for (let i = 0; i < 4; i++) assert.is(g[i], g[8 - i], `${shape}: symmetric`);
    for (let i = 5; i < 9; i++) assert.ok(g[i]! <= g[i - 1]!, `${shape}: decreasing`);
    [a, v, refrac, post, d].forEach((x) => x.dispose());
  }
  const t = { input: lib.tensor([2]), v: lib.tensor([2]), refrac: lib.tensor([2]), spikes: lib.tensor([2]), adapt: lib.tensor([3]) };
  throwsClearly(() => lib.lifStep(t.input, t.v, t.refrac, t.spikes, null, { decay: 0.9, surrogateShape: 'sigmoid' as SurrogateShape }), /lifStep: surrogateShape must be one of super, triangle, exp, got sigmoid/);
  throwsClearly(() => lib.alifStep(t.input, t.v, t.refrac, t.adapt, t.spikes, null, { decay: 0.9, rho: 0.9, beta: 0.1 }), /alifStep: adapt \[3\] has 3 elements, expected 2/);
  Object.values(t).forEach((x) => x.dispose());
});

test.run();
