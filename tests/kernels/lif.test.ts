// f32_lif_step and f32_trace_step: the reference twin (bit-exact, both builds), a hand-computed
// trajectory, invariants, and the firing rate of the discrete map against its closed form.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { EDGE_SIZES, seeded, mulberry32 } from '../helpers/fill.js';
import type { Backend, LifParams, Tensor } from '../../src/index.js';
import * as ref from '../reference/lif.js';
import * as trace from '../reference/trace.js';

const f = Math.fround;

/** The buffers of a LIF layer of n neurons: constant input, v from v0, refrac from r0. */
function layer(lib: Backend, n: number, input: ArrayLike<number>, v0?: ArrayLike<number>, r0?: ArrayLike<number>) {
  const b = {
    input: lib.tensor([n], input), v: lib.tensor([n]), refrac: lib.tensor([n]),
    spikes: lib.tensor([n]), deriv: lib.tensor([n]),
  };
  if (v0) b.v.set(v0);
  if (r0) b.refrac.set(r0);
  const dispose = () => Object.values(b).forEach((t: Tensor) => t.dispose());
  return { b, dispose };
}

function refParams(p: LifParams): ref.LifRefParams {
  return { decay: p.decay, vTh: p.vTh ?? 1, vReset: p.vReset ?? 0, resetMode: p.reset === 'subtract' ? 1 : 0, refSteps: p.refSteps ?? 0, k: p.surrogate ?? 10 };
}

/** lifStep over a layer's buffers (deriv absent: skipped). */
function lifStep(lib: Backend, b: { input: Tensor; v: Tensor; refrac: Tensor; spikes: Tensor; deriv?: Tensor | undefined }, p: LifParams): number {
  return lib.lifStep(b.input, b.v, b.refrac, b.spikes, b.deriv ?? null, p);
}

for (const build of BUILDS) {
  test(`[${build}] f32_lif_step equals the reference twin bit for bit (EDGE_SIZES, both reset modes, refractory, 8 steps)`, async () => {
    const lib = await backend(build);
    const params: LifParams[] = [
      { decay: 0.9, vTh: 1, vReset: 0, reset: 'zero', refSteps: 0, surrogate: 5 },
      { decay: 0.95122942, vTh: 0.8, vReset: -0.1, reset: 'zero', refSteps: 2, surrogate: 10 },
      { decay: 0.7, vTh: 1, vReset: 0, reset: 'subtract', refSteps: 1, surrogate: 0.5 },
      { decay: 1, vTh: 0.5, vReset: 0.25, reset: 'subtract', refSteps: 0, surrogate: 100 },
    ];
    for (const [pi, p] of params.entries()) {
      for (const n of [...EDGE_SIZES, 1000]) {
        const rnd = mulberry32(n * 7 + pi);
        const r0 = Array.from({ length: n }, () => [0, 0, 0, 1, 2, 3, 0.5][Math.floor(rnd() * 7)]!);
        const { b, dispose } = layer(lib, n, seeded(n, n + 100 * pi, -0.2, 0.9), seeded(n, n + 1, -0.5, 1.2), r0);
        const rp = refParams(p);
        const v = b.v.toArray(), refrac = b.refrac.toArray(), spikes = new Float32Array(n), deriv = new Float32Array(n);
        for (let step = 0; step < 8; step++) {
          const input = seeded(n, 1000 * step + n + pi, -0.2, 0.9);
          b.input.set(input);
          const useDeriv = step % 2 === 0;
          const got = lifStep(lib, useDeriv ? b : { ...b, deriv: undefined }, p);
          const want = ref.lifStep(rp, input, v, refrac, spikes, useDeriv ? deriv : null);
          const what = `params ${pi} n=${n} step ${step}`;
          assert.is(got, want, `${what}: spike count`);
          close(b.v.data, v, { ulps: 0 }, `${what}: v`);
          close(b.refrac.data, refrac, { ulps: 0 }, `${what}: refrac`);
          close(b.spikes.data, spikes, { ulps: 0 }, `${what}: spikes`);
          if (useDeriv) close(b.deriv.data, deriv, { ulps: 0 }, `${what}: deriv`);
        }
        dispose();
      }
    }
  });

  test(`[${build}] f32_lif_step: input may alias spikes (read before written)`, async () => {
    const lib = await backend(build);
    for (const n of [5, 17, 64]) {
      const input = seeded(n, n, 0, 1.5);
      const { b, dispose } = layer(lib, n, input);
      const v = new Float32Array(n), refrac = new Float32Array(n), spikes = new Float32Array(n), deriv = new Float32Array(n);
      const p: LifParams = { decay: 0.5, surrogate: 2 };
      b.spikes.set(input);
      const got = lifStep(lib, { ...b, input: b.spikes }, p);
      const want = ref.lifStep(refParams(p), input, v, refrac, spikes, deriv);
      assert.is(got, want);
      close(b.spikes.data, spikes, { ulps: 0 });
      close(b.v.data, v, { ulps: 0 });
      close(b.deriv.data, deriv, { ulps: 0 });
      dispose();
    }
  });

  test(`[${build}] hand-computed trajectory: decay 1/2, vTh 1, vReset 0, k = 1, constant inputs`, async () => {
    const lib = await backend(build);
    // v_t = v_{t-1}/2 + I (all values dyadic: exact in f32). Spike when v_t >= 1, then v = 0.
    //   A, I = 0.25: 0.25, 0.375, 0.4375, 0.46875, 0.484375, 0.4921875  (-> 0.5, never fires)
    //   B, I = 0.625: 0.625, 0.9375, [1.09375 fires] 0, 0.625, 0.9375, [1.09375] 0   (period 3)
    //   C, I = 1.5: fires every step (1.5 >= 1), v = 0 after each
    //   D, I = 0, v0 = 0.75: 0.375, 0.1875, 0.09375, 0.046875, 0.0234375, 0.01171875 (halves)
    // deriv = 1/(1 + |v - 1|)^2 from v before reset; d = 1 + |v - 1| is dyadic, d*d exact, so
    // deriv = fround(1/d^2): A at 0.25: d = 7/4 -> 16/49; B at 1.09375: d = 35/32 -> 1024/1225; C: d = 3/2 -> 4/9.
    const input = [0.25, 0.625, 1.5, 0], v0 = [0, 0, 0, 0.75];
    const V = [
      [0.25, 0.625, 0, 0.375],
      [0.375, 0.9375, 0, 0.1875],
      [0.4375, 0, 0, 0.09375],
      [0.46875, 0.625, 0, 0.046875],
      [0.484375, 0.9375, 0, 0.0234375],
      [0.4921875, 0, 0, 0.01171875],
    ];
    const S = [[0, 0, 1, 0], [0, 0, 1, 0], [0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 1, 0], [0, 1, 1, 0]];
    const D0 = [16 / 49, 1 / (1.375 * 1.375), 4 / 9, 1 / (1.625 * 1.625)].map(f); // step 1
    const D2B = f(1024 / 1225); // neuron B at step 3
    const { b, dispose } = layer(lib, 4, input, v0);
    for (let t = 0; t < 6; t++) {
      const count = lifStep(lib, b, { decay: 0.5, vTh: 1, vReset: 0, surrogate: 1 });
      assert.equal(Array.from(b.v.data), V[t], `v after step ${t + 1}`);
      assert.equal(Array.from(b.spikes.data), S[t], `spikes at step ${t + 1}`);
      assert.is(count, S[t]!.reduce((x, y) => x + y), `count at step ${t + 1}`);
      if (t === 0) assert.equal(Array.from(b.deriv.data), D0, 'deriv at step 1');
      if (t === 2) assert.is(b.deriv.data[1], D2B, 'deriv of B at its spike (membrane before reset)');
    }
    dispose();
  });

  test(`[${build}] hand-computed: refractory hold (refSteps 2) and subtraction reset`, async () => {
    const lib = await backend(build);
    // I = 1.5, decay 1/2, refSteps 2: step 1 fires (v 1.5 -> 0, refrac 2); steps 2, 3 held (refrac 1, 0;
    // v = 0, no spike, deriv 0); step 4 fires again: spikes at 1, 4, 7 (period n* + R = 1 + 2).
    let { b, dispose } = layer(lib, 1, [1.5]);
    const spikes: number[] = [], refr: number[] = [], derivs: number[] = [];
    for (let t = 0; t < 7; t++) {
      lifStep(lib, b, { decay: 0.5, refSteps: 2, surrogate: 1 });
      spikes.push(b.spikes.data[0]!); refr.push(b.refrac.data[0]!); derivs.push(b.deriv.data[0]!);
      assert.is(b.v.data[0], 0);
    }
    assert.equal(spikes, [1, 0, 0, 1, 0, 0, 1]);
    assert.equal(refr, [2, 1, 0, 2, 1, 0, 2]);
    assert.equal(derivs, [f(4 / 9), 0, 0, f(4 / 9), 0, 0, f(4 / 9)]);
    dispose();
    // Subtraction, no leak (decay 1), I = 0.75, vTh 1: v = 0.75, 1.5 -> 0.5, 1.25 -> 0.25, 1.0 -> 0,
    // 0.75, 1.5 -> 0.5, … : three spikes every four steps (rate I / vTh exactly).
    ({ b, dispose } = layer(lib, 1, [0.75]));
    const vs: number[] = [], ss: number[] = [];
    for (let t = 0; t < 8; t++) {
      lifStep(lib, b, { decay: 1, reset: 'subtract' });
      vs.push(b.v.data[0]!); ss.push(b.spikes.data[0]!);
    }
    assert.equal(vs, [0.75, 0.5, 0.25, 0, 0.75, 0.5, 0.25, 0]);
    assert.equal(ss, [0, 1, 1, 1, 0, 1, 1, 1]);
    dispose();
  });

  test(`[${build}] invariants: no input decays to 0; v after a spike; refractory hold; count monotone in I`, async () => {
    const lib = await backend(build);
    const n = 37;
    // No input: |v_t| <= |v_0| (decay (1 + 2^-24))^t, from v0 in [-1, 0.99) (below threshold): never fires.
    let { b, dispose } = layer(lib, n, new Float32Array(n), seeded(n, 3, -1, 0.99));
    let prev = b.v.toArray();
    for (let t = 0; t < 400; t++) {
      assert.is(lifStep(lib, b, { decay: 0.9 }), 0);
      const v = b.v.data;
      for (let i = 0; i < n; i++) assert.ok(Math.abs(v[i]!) <= Math.abs(prev[i]!), 'never grows');
      prev = b.v.toArray();
    }
    assert.ok(prev.every((x) => Math.abs(x) <= 1e-18), `decayed to ~0: max ${Math.max(...prev.map(Math.abs))}`);
    dispose();
    // After a spike: v == vReset (mode 0) or (decay*v + I) - vTh (mode 1); refractory: held at vReset.
    for (const mode of ['zero', 'subtract'] as const) {
      ({ b, dispose } = layer(lib, n, seeded(n, 9, 0, 0.8), seeded(n, 4, -0.2, 0.9)));
      const p: LifParams = { decay: 0.8, vTh: 0.9, vReset: -0.05, reset: mode, refSteps: mode === 'zero' ? 3 : 0 };
      let fired = 0, held = 0;
      for (let t = 0; t < 60; t++) {
        const v0 = b.v.toArray(), r0 = b.refrac.toArray(), input = b.input.data;
        lifStep(lib, b, p);
        const v = b.v.data, s = b.spikes.data, r = b.refrac.data, d = b.deriv.data;
        for (let i = 0; i < n; i++) {
          if (r0[i]! > 0) {
            held++;
            assert.ok(v[i] === f(p.vReset!) && s[i] === 0 && d[i] === 0 && r[i] === r0[i]! - 1, `held neuron ${i}`);
          } else if (s[i] === 1) {
            fired++;
            const m = f(f(f(p.decay) * v0[i]!) + input[i]!);
            assert.ok(m >= f(p.vTh!));
            assert.is(v[i], mode === 'zero' ? f(p.vReset!) : f(m - f(p.vTh!)), `v after spike, neuron ${i}`);
            assert.is(r[i], p.refSteps);
          }
        }
      }
      assert.ok(fired > 20 && (mode === 'subtract' || held > 20), `exercised: ${fired} spikes, ${held} held`);
      dispose();
    }
    // Spike count over T steps is non-decreasing in the (constant) input current.
    const currents = Array.from({ length: 64 }, (_, i) => 0.03 * i);
    ({ b, dispose } = layer(lib, currents.length, currents));
    const counts = new Array(currents.length).fill(0);
    for (let t = 0; t < 300; t++) {
      lifStep(lib, b, { decay: 0.95, refSteps: 2 });
      b.spikes.data.forEach((s, i) => (counts[i] += s));
    }
    for (let i = 1; i < counts.length; i++) assert.ok(counts[i] >= counts[i - 1], `count(I=${currents[i]}) = ${counts[i]} < count(I=${currents[i - 1]}) = ${counts[i - 1]}`);
    assert.ok(counts[0] === 0 && counts[counts.length - 1]! > 50);
    dispose();
  });

  test(`[${build}] firing rate equals the discrete map's closed form, to the spike`, async () => {
    const lib = await backend(build);
    // From v = 0 with constant input I (reset to 0): v_t = I (1 - λ^t) / (1 - λ). The first t with
    // v_t >= vTh is n* = ceil(ln(1 - vTh (1 - λ) / I) / ln λ) when I > vTh (1 - λ) (else it never fires).
    // With R held steps after each spike, spike k falls on step k (n* + R) - R, so over T steps the count
    // is floor((T + R) / (n* + R)). The kernel runs in f32; we keep only currents whose v_{n*-1} and
    // v_{n*} (in f64, with the f32 λ and I) lie >= 1e-4 from vTh, far beyond the f32 rounding drift
    // (<= n* · 2 · 2^-24 · vTh ~ 1e-5 for n* < 100), so the exact closed form must hold.
    const lambda = f(Math.exp(-1e-3 / 20e-3)), vTh = 1, T = 2000;
    for (const R of [0, 3]) {
      const currents: number[] = [], expected: number[] = [];
      for (let i = 0; i < 200; i++) {
        const I = f(0.03 + 0.01 * i);
        const vt = (t: number) => (I * (1 - lambda ** t)) / (1 - lambda);
        if (I <= vTh * (1 - lambda)) { currents.push(I); expected.push(0); continue; }
        const nStar = Math.ceil(Math.log(1 - (vTh * (1 - lambda)) / I) / Math.log(lambda));
        if (Math.abs(vt(nStar) - vTh) < 1e-4 || Math.abs(vt(nStar - 1) - vTh) < 1e-4) continue;
        assert.ok(vt(nStar) >= vTh && (nStar === 1 || vt(nStar - 1) < vTh));
        currents.push(I);
        expected.push(Math.floor((T + R) / (nStar + R)));
      }
      assert.ok(currents.length > 180, `kept ${currents.length} currents`);
      assert.ok(expected.filter((c) => c === 0).length >= 2, 'some currents are below rheobase');
      const { b, dispose } = layer(lib, currents.length, currents);
      const counts = new Array(currents.length).fill(0);
      let total = 0;
      for (let t = 0; t < T; t++) {
        total += lifStep(lib, b, { decay: lambda, vTh, refSteps: R });
        b.spikes.data.forEach((s, i) => (counts[i] += s));
      }
      assert.equal(counts, expected, `R = ${R}`);
      assert.is(total, expected.reduce((x, y) => x + y), 'returned counts sum to the spikes');
      dispose();
    }
  });

  test(`[${build}] f32_trace_step equals the reference (EDGE_SIZES, s aliasing x)`, async () => {
    const lib = await backend(build);
    for (const n of [...EDGE_SIZES, 1000]) {
      const x = lib.tensor([n], seeded(n, n, 0, 2)), s = lib.tensor([n], seeded(n, n + 1, 0, 1).map(Math.round));
      const want = x.toArray();
      trace.traceStep(0.95, s.data, want);
      lib.traceStep(x, s, 0.95);
      close(x.data, want, { ulps: 0 }, `trace n=${n}`); // same op order as the twin: exact
      trace.traceStep(0.5, want, want);
      lib.traceStep(x, x, 0.5);
      close(x.data, want, { ulps: 0 }, `trace in place n=${n}`);
      x.dispose(); s.dispose();
    }
  });
}

test('lifStep / traceStep argument errors are clear', async () => {
  const lib = await backend();
  const live = lib.heap.live;
  const { b, dispose } = layer(lib, 6, new Float32Array(6));
  const short = lib.tensor([5]);
  throwsClearly(() => lifStep(lib, { ...b, refrac: short }, { decay: 0.9 }), /lifStep: refrac \[5\] has 5 elements, expected 6/);
  throwsClearly(() => lifStep(lib, { ...b, deriv: short }, { decay: 0.9 }), /lifStep: deriv \[5\] has 5 elements, expected 6/);
  throwsClearly(() => lifStep(lib, { ...b, spikes: b.v }, { decay: 0.9 }), /lifStep: v and spikes must not share memory/);
  throwsClearly(() => lifStep(lib, b, { decay: 1.5 }), /lifStep: decay must be in \[0, 1\], got 1.5/);
  throwsClearly(() => lifStep(lib, b, { decay: NaN }), /lifStep: decay must be a finite number/);
  throwsClearly(() => lifStep(lib, b, { decay: 0.9, refSteps: 1.5 }), /lifStep: refSteps must be an integer/);
  throwsClearly(() => lifStep(lib, b, { decay: 0.9, reset: 'reset' as never }), /lifStep: reset must be one of zero, subtract, got reset/);
  throwsClearly(() => lib.traceStep(b.v, short, 0.9), /traceStep: s \[5\] has 5 elements, expected 6/);
  throwsClearly(() => lib.traceStep(b.v, b.spikes, Infinity), /traceStep: lambda must be a finite number/);
  short.dispose();
  throwsClearly(() => lifStep(lib, { ...b, input: short }, { decay: 0.9 }), /lifStep: input Tensor\[5\] was disposed/);
  dispose();
  assert.is(lib.heap.live, live);
});

test.run();
