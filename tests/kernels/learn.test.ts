// f32_spike_rows and f32_spike_outer (the weight-gradient sums of the online spiking rules): the lists
// and the sums equal the reference twins bit for bit, and f32_event_tn on the dense 0/1 matrix too,
// on random and awkward shapes (n around the 32-column register block and the 4 lanes), both builds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { mulberry32, seeded } from '../helpers/fill.js';
import * as ref from '../reference/learn.js';
import { eventOuterScratch } from '../../src/backend/gemm.js';
import { spikeOuterScratch } from '../../src/backend/learn.js';

function spikes(m: number, k: number, density: number, seed: number): Float32Array {
  const r = mulberry32(seed), s = new Float32Array(m * k);
  for (let i = 0; i < s.length; i++) if (r() < density) s[i] = 1;
  return s;
}

for (const build of BUILDS) {
  test(`[${build}] spikeRows lists each row's spikes; spikeOuter equals its reference and eventOuter bit for bit`, async () => {
    const lib = await backend(build);
    const shapes: [number, number, number][] = [[1, 1, 1], [3, 5, 7], [2, 31, 40], [4, 32, 17], [5, 33, 256], [30, 67, 20], [7, 256, 300], [45, 10, 49]];
    for (const [m, n, k] of shapes) {
      for (const density of [0, 0.03, 0.3, 1]) {
        const seed = m * 97 + n * 13 + k + Math.round(density * 100);
        const sd = spikes(m, k, density, seed), S = lib.tensor([m, k], sd), G = lib.tensor([m, n], seeded(m * n, seed + 2, -1, 1));
        const c0 = seeded(k * n, seed + 3, -1, 1), C = lib.tensor([k, n], c0), D = lib.tensor([k, n], c0);
        // the lists at an offset into larger buffers, as a window's history holds them
        const at = 5, idx = lib.ints('i32', at + m * k), counts = lib.ints('i32', 3 + m), work = lib.ints('i32', spikeOuterScratch(m, k));
        idx.data.fill(-7); work.data.fill(-7);
        const what = `${m}x${n}x${k} density ${density}`;
        const lists = ref.spikeRows(m, k, sd), total = lists.flat().length;
        assert.is(lib.spikeRows(S, idx, at, counts, 3), total, `${what}: spikes`);
        assert.equal(Array.from(counts.data.subarray(3, 3 + m)), lists.map((l) => l.length), `${what}: counts`);
        assert.equal(Array.from(idx.data.subarray(at, at + total)), lists.flat(), `${what}: lists`);
        assert.is(lib.spikeOuter(C, idx, at, counts, 3, G, work), total, `${what}: spikes summed`);
        close(C.data, ref.spikeOuter(n, k, lists, G.toArray(), Float32Array.from(c0)), { ulps: 0 }, `${what}: vs reference`);
        lib.eventOuter(D, S, G, lib.ints('i32', eventOuterScratch(m)));
        close(C.data, D.data, { ulps: 0 }, `${what}: vs eventOuter`);
        for (const t of [S, G, C, D]) t.dispose();
        for (const b of [idx, counts, work]) b.dispose();
      }
    }
  });

  test(`[${build}] spikeOuter: malformed lists are clear errors and c is left untouched`, async () => {
    const lib = await backend(build);
    const c = lib.tensor([8, 5], seeded(40, 1)), g = lib.tensor([2, 5], seeded(10, 2)), work = lib.ints('i32', spikeOuterScratch(2, 8));
    const before = Float32Array.from(c.data);
    const cases: [number[], number[], RegExp][] = [
      [[1, 9], [0, 1, 2, 3, 4, 5, 6, 7, 0, 1], /counts\[1\] must be in \[0, 8\].*got 9/],
      [[-1, 0], [0], /counts\[0\] must be in \[0, 8\].*got -1/],
      [[2, 1], [0, 8, 3], /idx\[1\] must be an input in \[0, 8\), got 8/],
      [[1, 1], [-2, 3], /idx\[0\] must be an input in \[0, 8\), got -2/],
      [[2, 2], [0, 1, 2], /list more spikes than idx holds/],
    ];
    for (const [cs, ids, msg] of cases) {
      const counts = lib.ints('i32', cs), idx = lib.ints('i32', ids);
      throwsClearly(() => lib.spikeOuter(c, idx, 0, counts, 0, g, work), /spikeOuter/, msg);
      close(c.data, before, { ulps: 0 }, 'c untouched');
      counts.dispose(); idx.dispose();
    }
    const counts = lib.ints('i32', [0, 0]), idx = lib.ints('i32', 4);
    throwsClearly(() => lib.spikeOuter(c, idx, 0, counts, 0, g, lib.ints('i32', spikeOuterScratch(2, 8) - 1)), /spikeOuter/, /work needs 25 slots/, /holds 24/);
    throwsClearly(() => lib.spikeOuter(lib.tensor([8, 4]), idx, 0, counts, 0, g, work), /spikeOuter: c is \[8, 4\], expected \[8, 5\]/);
    throwsClearly(() => lib.spikeOuter(c, idx, 0, counts, 1, g, work), /spikeOuter/, /counts needs 2 slots from countsAt = 1/);
    throwsClearly(() => lib.spikeRows(lib.tensor([2, 3]), idx, 0, counts, 0), /spikeRows/, /idx needs 6 slots/, /holds 4/);
    throwsClearly(() => lib.spikeRows(lib.tensor([2, 2]), idx, 0.5, counts, 0), /spikeRows/, /idxAt/);
  });
}

test.run();
