// f32_lif_layer_step and f32_readout_step (the fused time step of the spiking simulator): bit for bit
// equal to the reference twin (tests/reference/layer.ts) and to the kernel sequence they replace
// (axpby, addRow, lifStep / alifStep, three traceStep), on random and awkward shapes, both builds; the
// spike list; clear errors on bad buffers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { mulberry32, seeded } from '../helpers/fill.js';
import type { AlifParams, Backend, LayerStepBuffers, LifParams, Tensor } from '../../src/index.js';
import * as ref from '../reference/layer.js';
import type { AlifRef } from '../reference/lif.js';

// rows × n: single neuron, lanes ± 1, a row shorter than a SIMD block, ragged rows, a batch of wide rows.
const SHAPES: [number, number][] = [[1, 1], [1, 3], [1, 4], [2, 5], [3, 4], [3, 7], [5, 17], [7, 63], [4, 256], [100, 10]];
const PARAMS: (LifParams | AlifParams)[] = [
  { decay: 0.9, vTh: 1, vReset: 0, reset: 'zero', refSteps: 0, surrogate: 5, surrogateShape: 'super' },
  { decay: 0.95122942, vTh: 0.8, vReset: -0.1, reset: 'zero', refSteps: 2, surrogate: 10, surrogateShape: 'triangle' },
  { decay: 0.7, vTh: 1, vReset: 0, reset: 'subtract', refSteps: 1, surrogate: 0.5, surrogateShape: 'exp' },
  { decay: 0.9, vTh: 1, vReset: 0, reset: 'subtract', refSteps: 1, surrogate: 10, surrogateShape: 'super', rho: 0.99, beta: 0.07 },
  { decay: 0.8, vTh: 0.5, vReset: 0, reset: 'zero', refSteps: 3, surrogate: 2, surrogateShape: 'triangle', rho: 0.5, beta: 0.3 },
];
const adaptive = (p: LifParams | AlifParams): p is AlifParams => 'rho' in p;
const refOf = (p: LifParams | AlifParams): AlifRef => ({
  decay: p.decay, vTh: p.vTh ?? 1, vReset: p.vReset ?? 0, resetMode: p.reset === 'subtract' ? 1 : 0, refSteps: p.refSteps ?? 0,
  k: p.surrogate ?? 10, rho: adaptive(p) ? p.rho : 0, beta: adaptive(p) ? p.beta : 0, shape: p.surrogateShape ?? 'super',
});

/** Two copies of a layer's state (fused, sequence) from the same seeded start. */
function layers(lib: Backend, rows: number, n: number, p: LifParams | AlifParams, seed: number) {
  const rnd = mulberry32(seed);
  const r0 = Array.from({ length: rows * n }, () => [0, 0, 0, 1, 2, 3][Math.floor(rnd() * 6)]!);
  const make = () => {
    const t = (lo: number, hi: number, s: number) => lib.tensor([rows, n], seeded(rows * n, seed + s, lo, hi));
    return {
      I: t(-0.5, 1, 1), v: t(-0.5, 1.2, 2), refrac: lib.tensor([rows, n], r0), adapt: adaptive(p) ? t(0, 2, 3) : null,
      spikes: lib.tensor([rows, n]), dstep: lib.tensor([rows, n]), post: t(0, 5, 4), deriv: t(0, 3, 5), acc: t(-2, 2, 6),
    };
  };
  return [make(), make()] as const;
}
type State = ReturnType<typeof layers>[0];
const dispose = (...xs: (Tensor | null)[]) => xs.forEach((t) => t?.dispose());
const all = (s: State) => [s.I, s.v, s.refrac, s.adapt, s.spikes, s.dstep, s.post, s.deriv, s.acc];

for (const build of BUILDS) {
  test(`[${build}] f32_lif_layer_step equals the kernel sequence it replaces and the reference twin, bit for bit`, async () => {
    const lib = await backend(build);
    for (const [pi, p] of PARAMS.entries()) {
      for (const [rows, n] of SHAPES) {
        const seed = 1000 * pi + 10 * rows + n;
        const [a, b] = layers(lib, rows, n, p, seed);
        const rs = Object.fromEntries(Object.entries(a).map(([k, t]) => [k, t ? t.toArray() : null])) as unknown as ref.LayerState;
        const cur = lib.tensor([rows, n]), bias = lib.tensor([n], seeded(n, seed + 7, -0.3, 0.6));
        const list = lib.ints('i32', rows * n), counts = lib.ints('i32', rows);
        for (let step = 0; step < 6; step++) {
          const c = seeded(rows * n, seed + 100 * step, -1, 2);
          for (let i = 0; i < c.length; i += 3) c[i] = 0; // silent inputs, as most are in a step
          cur.set(c);
          const alpha = 0.0453 * (step + 1), syn = 0.8187308, countPost = step % 2 === 1;
          const buf: LayerStepBuffers = { cur, bias, ...a, post: countPost ? a.post : null, list, counts };
          const got = lib.layerStep(buf, alpha, syn, p);
          // the sequence the simulator ran before
          lib.addRow(lib.axpby(b.I, alpha, cur, syn), bias);
          const want = adaptive(p) ? lib.alifStep(b.I, b.v, b.refrac, b.adapt!, b.spikes, b.dstep, p) : lib.lifStep(b.I, b.v, b.refrac, b.spikes, b.dstep, p);
          if (countPost) lib.traceStep(b.post, b.spikes, 1);
          lib.traceStep(b.deriv, b.dstep, 1);
          lib.traceStep(b.acc, b.I, 1);
          const what = `params ${pi} ${rows}x${n} step ${step}`;
          assert.is(got, want, `${what}: spike count`);
          const names = ['I', 'v', 'refrac', 'adapt', 'spikes', 'dstep', 'post', 'deriv', 'acc'];
          all(a).forEach((t, i) => t && close(t.data, all(b)[i]!.data, { ulps: 0 }, `${what}: ${names[i]} vs the sequence`));
          const r = ref.lifLayerStep(refOf(p), rows, n, alpha, syn, c, bias.toArray(), rs, countPost);
          assert.is(got, r.count, `${what}: spike count vs reference`);
          for (const [k, t] of Object.entries(a)) {
            if (!t) continue;
            // the exponential surrogate's reference is unrounded f64 (tests/reference/lif.ts): its sums are
            // checked against the kernel sequence above only
            if (p.surrogateShape === 'exp' && (k === 'dstep' || k === 'deriv')) continue;
            close(t.data, rs[k as keyof ref.LayerState]!, { ulps: 0 }, `${what}: ${k} vs reference`);
          }
          if (p.surrogateShape === 'exp') rs.dstep.set(a.dstep.data), rs.deriv.set(a.deriv.data);
          for (let row = 0; row < rows; row++) {
            assert.equal(Array.from(list.data.subarray(row * n, row * n + counts.data[row]!)), r.lists[row], `${what}: spike list of row ${row}`);
          }
        }
        dispose(...all(a), ...all(b), cur, bias);
        list.dispose(); counts.dispose();
      }
    }
  });

  test(`[${build}] f32_lif_layer_step with the propagation fused in (from: spike lists, Wᵀ) equals eventListMatmul then the step, and the reference; null outputs are not written`, async () => {
    const lib = await backend(build);
    // k across the K block (256) and off the SIMD widths; n off the 32-column register block
    for (const [pi, p] of PARAMS.entries()) {
      for (const [rows, n, k] of [[1, 1, 1], [2, 5, 3], [3, 37, 40], [5, 33, 257], [4, 256, 784]] as [number, number, number][]) {
        const seed = 2000 * pi + 10 * rows + n + k;
        const [a, b] = layers(lib, rows, n, p, seed);
        const rs = Object.fromEntries(Object.entries(a).map(([key, t]) => [key, t ? t.toArray() : null])) as unknown as ref.LayerState;
        const curA = lib.tensor([rows, n]), curB = lib.tensor([rows, n]), bias = lib.tensor([n], seeded(n, seed + 7, -0.3, 0.6));
        const wt = lib.tensor([k, n], seeded(k * n, seed + 8, -0.4, 0.5));
        const src = lib.ints('i32', rows * k), srcCounts = lib.ints('i32', rows);
        const rnd = mulberry32(seed);
        for (let step = 0; step < 4; step++) {
          const lists = Array.from({ length: rows }, () => Array.from({ length: k }, (_, j) => j).filter(() => rnd() < [0, 0.05, 0.3, 1][step]!));
          lists.forEach((l, r) => { src.data.set(l, r * k); srcCounts.data[r] = l.length; });
          const spikesBefore = a.spikes.toArray(), dstepBefore = a.dstep.toArray(), accBefore = a.acc.toArray();
          const what = `params ${pi} ${rows}x${n} from ${k} inputs, step ${step}`;
          const got = lib.layerStep({ cur: curA, bias, ...a, spikes: null, dstep: null, acc: null, post: a.post, list: null, counts: null,
            from: { list: src, counts: srcCounts, wt } }, 0.37, 0.8187308, p);
          close(a.spikes.data, spikesBefore, { ulps: 0 }, `${what}: spikes not written`);
          close(a.dstep.data, dstepBefore, { ulps: 0 }, `${what}: dstep not written`);
          close(a.acc.data, accBefore, { ulps: 0 }, `${what}: acc not written`);
          lib.eventListMatmul(curB, src, srcCounts, wt);
          const want = lib.layerStep({ cur: curB, bias, ...b, post: b.post, list: null, counts: null }, 0.37, 0.8187308, p);
          assert.is(got, want, `${what}: spike count`);
          for (const key of ['I', 'v', 'refrac', 'adapt', 'post', 'deriv'] as const) {
            if (a[key]) close(a[key]!.data, b[key]!.data, { ulps: 0 }, `${what}: ${key} vs eventListMatmul + layerStep`);
          }
          const r = ref.lifLayerStepFromLists(refOf(p), rows, n, k, lists, wt.toArray(), 0.37, 0.8187308, bias.toArray(), rs, true);
          assert.is(got, r.count, `${what}: spike count vs reference`);
          for (const key of ['I', 'v', 'refrac', 'adapt', 'post'] as const) if (a[key]) close(a[key]!.data, rs[key]!, { ulps: 0 }, `${what}: ${key} vs reference`);
          rs.deriv.set(a.deriv.data); // the exponential surrogate's reference is unrounded: deriv is checked against the sequence above
          // the outputs not written here are the reference's own from now on
          rs.spikes.set(a.spikes.data); rs.dstep.set(a.dstep.data); rs.acc.set(a.acc.data);
          b.spikes.set(a.spikes.data); b.dstep.set(a.dstep.data); b.acc.set(a.acc.data);
        }
        dispose(...all(a), ...all(b), curA, curB, bias, wt);
        src.dispose(); srcCounts.dispose();
      }
    }
  });

  test(`[${build}] f32_readout_step equals axpby, addRow, axpby, traceStep and the reference, bit for bit`, async () => {
    const lib = await backend(build);
    for (const [rows, n] of SHAPES) {
      const seed = 7 * rows + n, lo = 0.9048374;
      const t = (s: number, lo_ = -1, hi = 1) => lib.tensor([rows, n], seeded(rows * n, seed + s, lo_, hi));
      const [I1, m1, p1, I2, m2, p2] = [t(1), t(2), t(3, 0, 4), t(1), t(2), t(3, 0, 4)];
      const cur = lib.tensor([rows, n]), bias = lib.tensor([n], seeded(n, seed + 9));
      const rI = I1.toArray(), rm = m1.toArray(), rp = p1.toArray();
      for (let step = 0; step < 4; step++) {
        const c = seeded(rows * n, seed + 50 * step, -2, 2);
        cur.set(c);
        const alpha = 0.3 + step, syn = 0.8187308, count = step > 1;
        lib.readoutStep(cur, bias, I1, m1, count ? p1 : null, alpha, syn, lo);
        lib.addRow(lib.axpby(I2, alpha, cur, syn), bias);
        lib.axpby(m2, 1 - lo, I2, lo);
        if (count) lib.traceStep(p2, m2, 1);
        ref.readoutStep(rows, n, alpha, syn, lo, c, bias.toArray(), rI, rm, rp, count);
        const what = `${rows}x${n} step ${step}`;
        for (const [x, y, z, name] of [[I1, I2, rI, 'I'], [m1, m2, rm, 'm'], [p1, p2, rp, 'post']] as const) {
          close(x.data, y.data, { ulps: 0 }, `${what}: ${name} vs the sequence`);
          close(x.data, z, { ulps: 0 }, `${what}: ${name} vs reference`);
        }
      }
      dispose(I1, m1, p1, I2, m2, p2, cur, bias);
    }
  });
}

test('layerStep and readoutStep: clear errors on bad buffers, before any work', async () => {
  const lib = await backend('release');
  const [a] = layers(lib, 2, 3, PARAMS[0]!, 1);
  const cur = lib.tensor([2, 3]), bias = lib.tensor([3]), short = lib.tensor([2]), list = lib.ints('i32', 6), counts = lib.ints('i32', 2);
  const ok: LayerStepBuffers = { cur, bias, ...a, list, counts };
  const before = a.v.toArray();
  throwsClearly(() => lib.layerStep({ ...ok, bias: short }, 1, 0.5, PARAMS[0]!), /layerStep/, /bias/, /3/);
  throwsClearly(() => lib.layerStep({ ...ok, cur: a.I }, 1, 0.5, PARAMS[0]!), /layerStep/, /cur/, /share memory/);
  throwsClearly(() => lib.layerStep({ ...ok, counts: null }, 1, 0.5, PARAMS[0]!), /layerStep/, /list and counts/);
  throwsClearly(() => lib.layerStep({ ...ok, list: lib.ints('i32', 5) }, 1, 0.5, PARAMS[0]!), /layerStep/, /list/, /6/);
  throwsClearly(() => lib.layerStep(ok, NaN, 0.5, PARAMS[0]!), /layerStep/, /alpha/);
  throwsClearly(() => lib.layerStep(ok, 1, 0.5, PARAMS[3]!), /layerStep/, /adapt/);
  throwsClearly(() => lib.readoutStep(cur, bias, a.I, a.I, null, 1, 0.5, 0.9), /readoutStep/, /share memory/);
  throwsClearly(() => lib.readoutStep(cur, short, a.I, a.v, null, 1, 0.5, 0.9), /readoutStep/, /bias/);
  close(a.v.data, before, { ulps: 0 }, 'state untouched by the refused calls');
  dispose(...all(a), cur, bias, short);
  list.dispose(); counts.dispose();
});

test.run();
