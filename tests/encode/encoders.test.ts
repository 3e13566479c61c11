// Encoders (src/encode): Poisson counts' mean and variance within statistical bounds (fixed seed),
// the deterministic rate code's exact counts, the latency code's single, ordered spikes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { makeEncoder } from '../../src/encode/index.js';
import { Workspace } from '../../src/core/workspace.js';

async function counts(name: string, x: number[], rows: number, steps: number, o: { dt?: number; maxRate?: number; seed?: number } = {}) {
  const lib = await backend();
  const ws = new Workspace(lib.heap), F = x.length;
  const enc = makeEncoder(lib, ws, name, rows, F, { dt: o.dt ?? 1e-3, steps, maxRate: o.maxRate ?? 100, seed: o.seed ?? 1 });
  const xt = ws.f32([rows, F]), out = ws.f32([rows, F]);
  xt.set(Array.from({ length: rows * F }, (_, i) => x[i % F]!));
  const c = new Float64Array(rows * F), first = new Float64Array(rows * F).fill(-1);
  enc.reset(rows, xt);
  for (let t = 0; t < steps; t++) {
    enc.step(rows, t, xt, out);
    const s = out.data;
    for (let i = 0; i < s.length; i++) if (s[i]) { c[i] = c[i]! + 1; if (first[i]! < 0) first[i] = t; }
  }
  const amp = enc.amplitude;
  enc.dispose(); ws.dispose();
  return { c, first, amp };
}

test('poisson: mean and variance of spike counts within bounds (seed 1)', async () => {
  // Each count is Binomial(T, q), q = maxRate·dt·x: mean Tq, variance Tq(1 − q). Over R = 2000
  // independent counts the sample mean has sd sqrt(Tq(1 − q)/R); we allow 5 sd (false failure ~6e-7).
  // The sample variance of R binomials has sd ≈ σ²·sqrt(2/(R − 1)) (near-normal at Tq ≥ 10); 5 sd again.
  const T = 100, R = 2000, xs = [0.1, 0.5, 1];
  const { c, amp } = await counts('poisson', xs, R, T, { maxRate: 200 });
  assert.is(amp, 1 / (200 * 1e-3));
  xs.forEach((x, j) => {
    const q = 200 * 1e-3 * x, mu = T * q, v = T * q * (1 - q);
    const col = Array.from({ length: R }, (_, r) => c[r * xs.length + j]!);
    const m = col.reduce((a, b) => a + b, 0) / R;
    const s2 = col.reduce((a, b) => a + (b - m) ** 2, 0) / (R - 1);
    assert.ok(Math.abs(m - mu) <= 5 * Math.sqrt(v / R), `x = ${x}: mean ${m} vs ${mu}`);
    assert.ok(Math.abs(s2 - v) <= 5 * v * Math.sqrt(2 / (R - 1)), `x = ${x}: variance ${s2} vs ${v}`);
  });
  const again = await counts('poisson', xs, R, T, { maxRate: 200 });
  assert.equal(Array.from(again.c), Array.from(c), 'same seed, same spikes');
  const other = await counts('poisson', xs, R, T, { maxRate: 200, seed: 2 });
  assert.not.equal(Array.from(other.c), Array.from(c), 'another seed, other spikes');
});

test('rate code: deterministic counts floor(T·maxRate·dt·x) (phase accumulation)', async () => {
  // q = maxRate·dt·x is dyadic here, so the phase sums are exact in f32: count = floor(T·q).
  const xs = [0, 0.125, 0.25, 0.5, 0.75, 1], T = 64;
  const { c } = await counts('rate', xs, 1, T, { maxRate: 500 }); // q = x/2
  assert.equal(Array.from(c), xs.map((x) => Math.floor(T * x / 2)));
});

test('latency code: one spike per bright pixel, brighter first, none at or below 1 − λ', async () => {
  const xs = [1, 0.8, 0.5, 0.2, 0.1, 0.04, 0], T = 100;
  const { c, first, amp } = await counts('latency', xs, 1, T);
  assert.is(amp, T);
  const lambda = Math.exp(-1e-3 / 20e-3);
  xs.forEach((x, i) => assert.is(c[i], x > 1 - lambda ? 1 : 0, `x = ${x}: ${c[i]} spikes`));
  assert.is(first[0], 0, 'x = 1 fires on the first step');
  for (let i = 1; i < 5; i++) assert.ok(first[i]! > first[i - 1]!, 'brighter fires earlier');
  // hand-computed: v_t = x(1 − λ^t)/(1 − λ) crosses 1 at t = ceil(ln(1 − (1 − λ)/x)/ln λ) (steps, 1-based)
  for (let i = 0; i < 5; i++) assert.is(first[i]! + 1, Math.ceil(Math.log(1 - (1 - lambda) / xs[i]!) / Math.log(lambda)), `x = ${xs[i]}`);
});

test('encoders: clear errors', async () => {
  const lib = await backend();
  const ws = new Workspace(lib.heap);
  assert.throws(() => makeEncoder(lib, ws, 'gauss', 1, 1, { dt: 1e-3, steps: 1, maxRate: 100, seed: 1 }), /unknown encoder 'gauss'/);
  assert.throws(() => makeEncoder(lib, ws, 'poisson', 1, 1, { dt: 1e-2, steps: 1, maxRate: 200, seed: 1 }), /maxRate·dt must be <= 1/);
  ws.dispose();
});

test.run();
