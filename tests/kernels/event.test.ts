// f32_event_nn (event-driven propagation) and f32_transpose: exact equality with the dense GEMM and
// with the reference twin on random sparse spike patterns, both builds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { mulberry32, seeded } from '../helpers/fill.js';
import * as ref from '../reference/event.js';
import { eventOuterScratch } from '../../src/backend/gemm.js';

function spikes(m: number, k: number, density: number, seed: number, graded = false): Float32Array {
  const r = mulberry32(seed), s = new Float32Array(m * k);
  for (let i = 0; i < s.length; i++) if (r() < density) s[i] = graded ? Math.fround(0.25 + 2 * r()) : 1;
  return s;
}

for (const build of BUILDS) {
  test(`[${build}] event-driven propagation equals dense GEMM exactly (same sums) on random sparse spikes`, async () => {
    const lib = await backend(build);
    // k straddles the GEMM's K block (256): 1 block, exactly 1, 1 + 1 element, 3 + a ragged block (784).
    // n around the 32-column register block and the 4 lanes
    const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [4, 8, 255], [5, 9, 256], [17, 33, 257], [7, 100, 784], [2, 13, 600], [3, 32, 300], [2, 64, 513], [3, 67, 40], [2, 500, 784]];
    for (const [m, n, k] of shapes) {
      for (const density of [0, 0.01, 0.05, 0.2, 0.5, 1]) {
        for (const graded of [false, true]) {
          const seed = m * 1000 + n * 10 + k + Math.round(density * 100) + (graded ? 7 : 0);
          const S = lib.tensor([m, k], spikes(m, k, density, seed, graded));
          const W = lib.tensor([n, k], seeded(n * k, seed + 1, -1, 1)); // [out, in]
          const WT = lib.tensor([k, n]);
          lib.transpose(WT, W);
          const ev = lib.tensor([m, n]), dense = lib.tensor([m, n]), denseNN = lib.tensor([m, n]);
          ev.data.fill(NaN); // write-only output: garbage on entry must not leak
          const events = lib.eventMatmul(ev, S, WT);
          lib.gemm(dense, S, W, { transB: true });
          lib.gemm(denseNN, S, WT);
          const what = `${m}x${n}x${k} density ${density}${graded ? ' graded' : ''}`;
          assert.is(events, S.toArray().filter((x) => x !== 0).length, `${what}: events`);
          close(ev.data, dense.data, { ulps: 0 }, `${what}: event vs gemm_nt`);
          close(ev.data, denseNN.data, { ulps: 0 }, `${what}: event vs gemm_nn`);
          close(ev.data, ref.eventNN(m, n, k, S.toArray(), WT.toArray()), { ulps: 0 }, `${what}: event vs reference`);
          for (const t of [S, W, WT, ev, dense, denseNN]) t.dispose();
        }
      }
    }
  });

  test(`[${build}] event-driven propagation with α and β (C = α·S·B + β·C) equals the GEMM with the same α and β exactly, −0 in C and empty blocks included`, async () => {
    const lib = await backend(build);
    // k = 0 (C = β·C), one block, three blocks with a ragged one; n narrow (one axpy per input), at and past
    // the 32-column register block; density 0 leaves every block empty, so each is put as α·(+0) + C.
    const shapes: [number, number, number][] = [[2, 5, 0], [3, 7, 40], [4, 31, 600], [3, 32, 257], [2, 67, 784]];
    for (const [m, n, k] of shapes) {
      for (const density of [0, 0.05, 0.5]) {
        for (const [alpha, beta] of [[1, 0], [0.75, 1], [-1.5, 1], [2.5, 0.5], [-0.3, 0], [1, -1]] as const) {
          const seed = m * 1000 + n * 10 + k + Math.round(density * 100) + Math.round(alpha * 7) + Math.round(beta * 3);
          const S = lib.tensor([m, k], spikes(m, k, density, seed, true)), WT = lib.tensor([k, n], seeded(k * n, seed + 1, -1, 1));
          // C on entry: values, +0 and −0 (α·(+0) + (−0) is +0 for α > 0: the GEMM's empty blocks turn them)
          const c0 = Float32Array.from(seeded(m * n, seed + 2, -1, 1), (x, i) => (i % 5 === 0 ? -0 : i % 5 === 1 ? 0 : x));
          const ev = lib.tensor([m, n], c0), dense = lib.tensor([m, n], c0);
          if (beta === 0) ev.data.fill(NaN); // β = 0: C is write-only
          const events = lib.eventMatmul(ev, S, WT, alpha, beta);
          lib.gemm(dense, S, WT, 'nn', alpha, beta);
          const what = `${m}x${n}x${k} density ${density} α ${alpha} β ${beta}`;
          assert.is(events, S.toArray().filter((x) => x !== 0).length, `${what}: events`);
          const want = ref.eventNN(m, n, k, S.toArray(), WT.toArray(), { alpha, beta, c: c0 });
          for (let i = 0; i < m * n; i++) {
            assert.ok(Object.is(ev.data[i], dense.data[i]), `${what}: element ${i}: event ${ev.data[i]} vs gemm ${dense.data[i]}`);
            assert.ok(Object.is(ev.data[i], want[i]), `${what}: element ${i}: event ${ev.data[i]} vs reference ${want[i]}`);
          }
          for (const t of [S, WT, ev, dense]) t.dispose();
        }
      }
    }
  });

  test(`[${build}] event-driven propagation from spike lists equals the dense GEMM and the reference exactly`, async () => {
    const lib = await backend(build);
    // n around the 32-column register block and the 4 lanes; k across the K block (256)
    const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [2, 31, 40], [4, 32, 255], [5, 33, 256], [3, 67, 257], [7, 100, 784], [2, 256, 600]];
    for (const [m, n, k] of shapes) {
      for (const density of [0, 0.01, 0.05, 0.2, 1]) {
        const seed = m * 1000 + n * 10 + k + Math.round(density * 100);
        const S = spikes(m, k, density, seed), s = S;
        const lists = Array.from({ length: m }, (_, r) => Array.from({ length: k }, (_, j) => j).filter((j) => s[r * k + j] === 1));
        const list = lib.ints('i32', m * k), counts = lib.ints('i32', lists.map((l) => l.length));
        lists.forEach((l, r) => list.data.set(l, r * k));
        const St = lib.tensor([m, k], S), W = lib.tensor([n, k], seeded(n * k, seed + 1, -1, 1)), WT = lib.tensor([k, n]);
        lib.transpose(WT, W);
        const ev = lib.tensor([m, n]), dense = lib.tensor([m, n]);
        ev.data.fill(NaN); // write-only output
        const events = lib.eventListMatmul(ev, list, counts, WT);
        lib.gemm(dense, St, W, { transB: true });
        const what = `${m}x${n}x${k} density ${density}`;
        assert.is(events, lists.flat().length, `${what}: events`);
        close(ev.data, dense.data, { ulps: 0 }, `${what}: spike lists vs gemm_nt`);
        close(ev.data, ref.eventListNN(m, n, k, lists, WT.toArray()), { ulps: 0 }, `${what}: spike lists vs reference`);
        const back = lib.tensor([m, k]);
        back.data.fill(NaN); // write-only output
        lib.listSpikes(back, list, counts);
        close(back.data, ref.listSpikes(m, k, lists), { ulps: 0 }, `${what}: listSpikes vs reference`);
        close(back.data, S, { ulps: 0 }, `${what}: listSpikes gives back the spikes listed`);
        for (const t of [St, W, WT, ev, dense, back]) t.dispose();
        list.dispose(); counts.dispose();
      }
    }
  });

  test(`[${build}] eventListMatmul: a count outside [0, k] is a clear error and nothing is written`, async () => {
    const lib = await backend(build);
    const WT = lib.tensor([8, 5], seeded(40, 3)), out = lib.tensor([2, 5]), list = lib.ints('i32', 16);
    for (const bad of [[1, 9], [-1, 0]]) {
      const counts = lib.ints('i32', bad);
      out.data.fill(7);
      throwsClearly(() => lib.eventListMatmul(out, list, counts, WT), /eventListMatmul/, /counts\[\d\]/, /\[0, 8\]/);
      assert.ok(out.data.every((x) => x === 7), 'out untouched');
      counts.dispose();
    }
    throwsClearly(() => lib.eventListMatmul(out, lib.ints('i32', 15), lib.ints('i32', 2), WT), /eventListMatmul/, /list/, /16/);
    for (const t of [WT, out]) t.dispose();
    list.dispose();
  });

  test(`[${build}] f32_event_tn (C += Sᵀ·G over the spikes) equals its reference bit for bit and the GEMM to float rounding`, async () => {
    const lib = await backend(build);
    for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [4, 33, 17], [30, 24, 20], [7, 256, 300], [45, 70, 49]] as [number, number, number][]) {
      for (const [density, graded] of [[0, false], [0.05, false], [0.3, true], [1, false]] as [number, boolean][]) {
        const seed = m * 97 + n * 13 + k + Math.round(density * 100);
        const S = lib.tensor([m, k], spikes(m, k, density, seed, graded)), G = lib.tensor([m, n], seeded(m * n, seed + 2, -1, 1));
        const c0 = seeded(k * n, seed + 3, -1, 1), C = lib.tensor([k, n], c0), D = lib.tensor([k, n], c0);
        const rowsBuf = lib.ints('i32', eventOuterScratch(m));
        const events = lib.eventOuter(C, S, G, rowsBuf);
        lib.gemm(D, S, G, 'tn', 1, 1);
        const what = `${m}x${n}x${k} density ${density}${graded ? ' graded' : ''}`;
        assert.is(events, S.toArray().filter((x) => x !== 0).length, `${what}: events`);
        close(C.data, ref.eventTN(m, n, k, S.toArray(), G.toArray(), Float32Array.from(c0)), { ulps: 0 }, `${what}: vs reference`);
        // vs the GEMM: two f32 sums of the same m + 1 terms (|S| <= 2.25, |G|, |C| <= 1): each within
        // γ_m·Σ|terms| of the exact sum, so within 2γ_m·(m·2.25 + 1) of each other
        const u = 2 ** -24, g = (m * u) / (1 - m * u);
        close(C.data, D.data, { abs: 2 * g * (m * 2.25 + 1) }, `${what}: vs gemm`);
        for (const t of [S, G, C, D]) t.dispose();
        rowsBuf.dispose();
      }
    }
  });

  test(`[${build}] f32_transpose matches the reference`, async () => {
    const lib = await backend(build);
    // 4×4 tiles, the 16×16 blocks and their edges: sizes 1–3 mod 4, one tile, a block plus a remainder
    for (const [m, n] of [[1, 1], [1, 9], [9, 1], [4, 4], [5, 7], [17, 33], [40, 16], [19, 22], [784, 500]] as const) {
      const a = lib.tensor([m, n], seeded(m * n, m + n)), out = lib.tensor([n, m]);
      lib.transpose(out, a);
      close(out.data, ref.transpose(m, n, a.toArray()), { ulps: 0 });
      a.dispose(); out.dispose();
    }
  });
}

test('eventMatmul / transpose: wrong shapes and aliasing give clear errors', async () => {
  const lib = await backend();
  const s = lib.tensor([2, 3]), wt = lib.tensor([3, 4]), out = lib.tensor([2, 4]);
  throwsClearly(() => lib.eventMatmul(out, s, lib.tensor([2, 4])), /eventMatmul/, /wt is \[2, 4\], expected \[3, \*\]/);
  throwsClearly(() => lib.eventMatmul(lib.tensor([2, 5]), s, wt), /eventMatmul/, /out is \[2, 5\], expected \[2, 4\]/);
  throwsClearly(() => lib.eventMatmul(out, s, wt, NaN), /eventMatmul/, /alpha/, /NaN/);
  throwsClearly(() => lib.eventMatmul(out, s, wt, 1, Infinity), /eventMatmul/, /beta/, /Infinity/);
  throwsClearly(() => lib.transpose(lib.tensor([3, 3]), s), /transpose: out is \[3, 3\], expected \[3, 2\]/);
  throwsClearly(() => lib.eventOuter(lib.tensor([3, 4]), s, lib.tensor([2, 4]), lib.ints('i32', 47)), /eventOuter/, /rows needs at least 48 slots/, /got 47/);
});

test.run();
