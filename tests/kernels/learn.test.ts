// f32_spike_rows, f32_spike_pack and f32_spike_outer (the weight-gradient sums of the online spiking
// rules): the lists and the sums equal the reference twins bit for bit, and f32_event_tn on the dense 0/1 matrix too,
// on random and awkward shapes (n around the 32-column register block and the 4 lanes), both builds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { mulberry32, seeded } from '../helpers/fill.js';
import * as ref from '../reference/learn.js';
import { eventOuterScratch } from '../../src/backend/gemm.js';
import { spikeOuterScratch } from '../../src/backend/learn.js';
import { resolveAct } from '../../src/activations.js';

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
        // the simulator's form (row r's spikes from r·k, the other slots holding anything) packs to the same lists
        const simLists = { list: lib.ints('i32', m * k), counts: lib.ints('i32', m) }, idx2 = lib.ints('i32', at + m * k), counts2 = lib.ints('i32', 3 + m);
        simLists.list.data.fill(-9); idx2.data.fill(-7); counts2.data.fill(-7);
        lists.forEach((l, r) => { simLists.list.data.set(l, r * k); simLists.counts.data[r] = l.length; });
        assert.is(lib.packSpikes(simLists, m, k, idx2, at, counts2, 3), total, `${what}: packed spikes`);
        const packed = ref.spikePack(m, k, simLists.list.data, simLists.counts.data);
        assert.equal(Array.from(idx2.data.subarray(at, at + total)), packed.flat(), `${what}: packed lists vs reference`);
        assert.equal(Array.from(idx2.data.subarray(at, at + total)), lists.flat(), `${what}: packed lists vs spikeRows`);
        assert.equal(Array.from(counts2.data.subarray(3, 3 + m)), packed.map((l) => l.length), `${what}: packed counts`);
        assert.ok(idx2.data.subarray(0, at).every((x) => x === -7) && idx2.data.subarray(at + total).every((x) => x === -7), `${what}: nothing written outside the packed span`);
        for (const b of [simLists.list, simLists.counts, idx2, counts2]) b.dispose();
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
    const simLists = { list: lib.ints('i32', [1, 0, 0, 2, 0, 1]), counts: lib.ints('i32', [1, 4]) }, out = lib.ints('i32', 6), outCounts = lib.ints('i32', 2);
    out.data.fill(-7); outCounts.data.fill(-7);
    throwsClearly(() => lib.packSpikes(simLists, 2, 3, out, 0, outCounts, 0), /packSpikes/, /lists\.counts\[1\] must be in \[0, 3\].*got 4/);
    assert.ok(out.data.every((x) => x === -7) && outCounts.data.every((x) => x === -7), 'nothing written');
    throwsClearly(() => lib.packSpikes(simLists, 2, 4, out, 0, outCounts, 0), /packSpikes/, /lists\.list needs 8 slots/);
    throwsClearly(() => lib.packSpikes(simLists, 2, 3, out, 1, outCounts, 0), /packSpikes/, /idx needs 6 slots from idxAt = 1/);
    throwsClearly(() => lib.packSpikes(simLists, 2, 0, out, 0, outCounts, 0), /packSpikes/, /k must be an integer in \[1/);
    throwsClearly(() => lib.spikeRows(lib.tensor([2, 2]), idx, 0.5, counts, 0), /spikeRows/, /idxAt/);
  });

  test(`[${build}] erbpGate and superspikeMod equal the kernel sequences they fuse and their references bit for bit`, async () => {
    const lib = await backend(build);
    const box = resolveAct('test', 'hardSigmoid', { lo: -0.3, hi: 0.4 });
    for (const [rows, n, c] of [[1, 1, 1], [2, 3, 10], [5, 17, 3], [4, 32, 10], [7, 37, 12], [30, 256, 10]] as [number, number, number][]) {
      for (const variant of [0, 1, 2]) { // erbp: penalty, no penalty, beta 0; superspike: penalty, none, feedback given
        const seed = rows * 31 + n * 7 + c + variant, what = `${rows}x${n}, c ${c}, variant ${variant}`;
        const e = lib.tensor([rows, c], seeded(rows * c, seed, -1, 1)), G = lib.tensor([c, n], seeded(c * n, seed + 1, -1, 1));
        const I = lib.tensor([rows, n], seeded(rows * n, seed + 2, -1, 1)), S = lib.tensor([rows, n], spikes(rows, n, 0.3, seed + 3));
        const u0 = seeded(rows * n, seed + 4, -1, 1), db0 = seeded(n, seed + 5, -1, 1);
        const colsum = lib.tensor([n]);
        // eRBP
        const alpha = 1 - Math.exp(-0.2), beta = variant === 2 ? 0 : Math.exp(-0.2), rhoAmp = variant === 1 ? 0 : 0.01 * 10, scale = 1 / (rows * 70);
        const UA = lib.tensor([rows, n], u0), UB = lib.tensor([rows, n], u0), gA = lib.tensor([rows, n]), gB = lib.tensor([rows, n]);
        const dbA = lib.tensor([n], db0), dbB = lib.tensor([n], db0), tmp = lib.tensor([rows, n]);
        const pen = variant === 1 ? null : S;
        lib.erbpGate(UA, e, G, alpha, beta, I, -0.3, 0.4, rhoAmp, pen, gA, dbA, scale, colsum);
        lib.gemm(UB, e, G, 'nn', alpha, beta);
        lib.activate(box, tmp, I, gB);
        if (pen) { lib.scaleAdd(tmp, 1, UB, rhoAmp, pen); lib.mul(gB, gB, tmp); } else lib.mul(gB, gB, UB);
        lib.sumRows(dbB, gB, scale, 1);
        for (const [name, x, y] of [['U', UA, UB], ['g', gA, gB], ['db', dbA, dbB]] as const) close(x.data, y.data, { ulps: 0 }, `erbpGate ${what}: ${name} vs the sequence`);
        const Ur = Float32Array.from(u0), gr = new Float32Array(rows * n), dbr = Float32Array.from(db0);
        ref.erbpGate(rows, n, c, alpha, beta, e.toArray(), G.toArray(), Ur, I.toArray(), -0.3, 0.4, rhoAmp, pen?.toArray() ?? null, gr, scale, dbr);
        for (const [name, x, y] of [['U', UA, Ur], ['g', gA, gr], ['db', dbA, dbr]] as const) close(x.data, y, { ulps: 0 }, `erbpGate ${what}: ${name} vs reference`);
        // SuperSpike
        const given = variant === 2, usePen = variant !== 1, aE = 0.1 * 10, lamE = Math.exp(-0.1), rho = 0.01;
        const dstep = lib.tensor([rows, n], seeded(rows * n, seed + 6, 0, 1)), e0 = seeded(rows * n, seed + 7, -1, 1);
        const mA = lib.tensor([rows, n], u0), mB = lib.tensor([rows, n], u0), epsA = lib.tensor([rows, n], e0), epsB = lib.tensor([rows, n], e0);
        dbA.data.set(db0); dbB.data.set(db0);
        lib.superspikeMod(mA, given ? null : e, given ? null : G, usePen ? S : null, aE, lamE, usePen ? epsA : null, rho, dstep, dbA, scale, colsum);
        if (usePen) lib.axpby(epsB, aE, S, lamE);
        if (!given) lib.gemm(mB, e, G, 'nn');
        if (usePen) lib.axpy(mB, rho, epsB);
        lib.mul(mB, mB, dstep);
        lib.sumRows(dbB, mB, scale, 1);
        for (const [name, x, y] of [['m', mA, mB], ['eps', epsA, epsB], ['db', dbA, dbB]] as const) close(x.data, y.data, { ulps: 0 }, `superspikeMod ${what}: ${name} vs the sequence`);
        const mr = Float32Array.from(u0), er = Float32Array.from(e0), dbr2 = Float32Array.from(db0);
        ref.superspikeMod(rows, n, c, given ? null : e.toArray(), given ? null : G.toArray(), usePen ? S.toArray() : null, aE, lamE, usePen ? er : null, rho, dstep.toArray(), mr, scale, dbr2);
        for (const [name, x, y] of [['m', mA, mr], ['eps', epsA, er], ['db', dbA, dbr2]] as const) close(x.data, y, { ulps: 0 }, `superspikeMod ${what}: ${name} vs reference`);
        for (const t of [e, G, I, S, colsum, UA, UB, gA, gB, dbA, dbB, tmp, dstep, mA, mB, epsA, epsB]) t.dispose();
      }
    }
  });
}

test('erbpGate / superspikeMod: wrong shapes, aliasing and non-finite constants are clear errors', async () => {
  const lib = await backend();
  const t = (r: number, c: number) => lib.tensor([r, c]);
  const U = t(4, 6), e = t(4, 3), G = t(3, 6), I = t(4, 6), g = t(4, 6), cs = lib.tensor([6]), db = lib.tensor([6]);
  throwsClearly(() => lib.erbpGate(U, t(5, 3), G, 1, 0, I, 0, 1, 0, null, g, db, 1, cs), /erbpGate: e is \[5, 3\], expected \[4, \*\]/);
  throwsClearly(() => lib.erbpGate(U, e, t(3, 5), 1, 0, I, 0, 1, 0, null, g, db, 1, cs), /erbpGate: the feedback matrix is \[3, 5\], expected \[3, 6\]/);
  throwsClearly(() => lib.erbpGate(U, e, G, 1, 0, t(4, 5), 0, 1, 0, null, g, db, 1, cs), /erbpGate/, /I/);
  throwsClearly(() => lib.erbpGate(U, e, G, 1, 0, I, 0, 1, 0, null, U, db, 1, cs), /erbpGate/, /must not share memory/);
  throwsClearly(() => lib.erbpGate(U, e, G, NaN, 0, I, 0, 1, 0, null, g, db, 1, cs), /erbpGate/, /alpha/);
  throwsClearly(() => lib.erbpGate(U, e, G, 1, 0, I, 0, 1, 0, null, g, db, 1, lib.tensor([5])), /erbpGate/, /colsum/);
  throwsClearly(() => lib.superspikeMod(g, e, null, null, 1, 1, null, 0, I, db, 1, cs), /superspikeMod: e and B go together/);
  throwsClearly(() => lib.superspikeMod(g, e, G, I, 1, 1, null, 0, I, db, 1, cs), /superspikeMod: eps and s go together/);
  throwsClearly(() => lib.superspikeMod(g, e, G, null, 1, 1, null, 0, t(4, 5), db, 1, cs), /superspikeMod/, /dstep/);
  throwsClearly(() => lib.superspikeMod(g, e, G, I, 1, 1, g, 0, I, db, 1, cs), /superspikeMod/, /must not share memory/);
  throwsClearly(() => lib.superspikeMod(g, e, G, null, 1, 1, null, Infinity, I, db, 1, cs), /superspikeMod/, /rho/);
});

test.run();
