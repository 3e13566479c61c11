// The settling engine (src/net/settle.ts): it reaches fixed points that can be computed directly, its
// nudge and clamp modes settle to the right fixed points, and its stopping test stops at the first
// sweep whose largest change is <= tol.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { seeded, mulberry32 } from '../helpers/fill.js';
import { close } from '../helpers/close.js';
import { Network, type NetworkOptions } from '../../src/net/network.js';
import { Settler, type SettleOptions } from '../../src/net/settle.js';
import { settle64, type Net64 } from '../reference/settle.js';
import type { Backend } from '../../src/index.js';

const ROWS = 5;

function makeNet(lib: Backend, o: Partial<NetworkOptions> & { sizes: number[] }, scale = 0.4, seed = 3): Network {
  const net = new Network(lib, { activation: 'hardSigmoid', init: 'uniform', initScale: scale, batch: ROWS, seed, ...o });
  net.layers.forEach((l, i) => l.b.set(seeded(l.outSize, seed * 10 + i, -0.3, 0.6)));
  net.input.set(seeded(ROWS * net.sizes[0]!, seed + 100, 0, 1));
  const r = mulberry32(seed + 7), t = new Float32Array(ROWS * net.classes);
  for (let i = 0; i < ROWS; i++) t[i * net.classes + Math.floor(r() * net.classes)] = 1;
  net.target.set(t);
  return net;
}

const to64 = (net: Network): Net64 => ({
  sizes: [...net.sizes], W: net.layers.map((l) => Float64Array.from(l.W.data)), b: net.layers.map((l) => Float64Array.from(l.b.data)),
});
const row = (t: Float32Array, r: number, n: number) => Float64Array.from(t.subarray(r * n, (r + 1) * n));

/** Dense Gaussian elimination with partial pivoting (float64). */
function solve(A: number[][], rhs: number[]): number[] {
  const n = rhs.length, M = A.map((r, i) => [...r, rhs[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < n; r++) { const f = M[r]![c]! / M[c]![c]!; for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!; }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) { let v = M[r]![n]!; for (let k = r + 1; k < n; k++) v -= M[r]![k]! * x[k]!; x[r] = v / M[r]![r]!; }
  return x;
}

test('linear units: the settled state is the solution of the linear fixed-point system', async () => {
  // With f = identity the fixed point solves  h1 − γW2ᵀh2 = W1x + b1,  h2 − W2h1 − γW3ᵀo = b2,  o − W3h2 = b3.
  // Weights U(±0.4) and γ = 0.5 make the sweep a contraction; float32 rounding (≈ 6e-8·Σ|terms| per
  // sweep, states of order 1) amplified by 1/(1 − ρ) stays far below the 2e-5 bound used here.
  const lib = await backend();
  const gamma = 0.5;
  const net = makeNet(lib, { sizes: [6, 5, 4, 3], activation: 'linear' });
  const st = new Settler(net, net.ws, []);
  st.feedforward(ROWS);
  const sweeps = st.settle(ROWS, { kind: 'free' }, { gamma, eps: 1, maxIter: 500, tol: 0 }, 'free');
  assert.ok(sweeps < 500, `converged to an exact float32 fixed point (${sweeps} sweeps)`);
  const [n0, n1, n2, n3] = net.sizes as [number, number, number, number];
  const N = n1 + n2 + n3, W = net.layers.map((l) => l.W.data), b = net.layers.map((l) => l.b.data);
  for (let r = 0; r < ROWS; r++) {
    const A = Array.from({ length: N }, () => new Array<number>(N).fill(0)), rhs = new Array<number>(N).fill(0);
    const x = net.input.data.subarray(r * n0, (r + 1) * n0);
    for (let i = 0; i < N; i++) A[i]![i] = 1;
    for (let i = 0; i < n1; i++) {
      rhs[i] = b[0]![i]!; for (let j = 0; j < n0; j++) rhs[i]! += W[0]![i * n0 + j]! * x[j]!;
      for (let j = 0; j < n2; j++) A[i]![n1 + j] = -gamma * W[1]![j * n1 + i]!;
    }
    for (let i = 0; i < n2; i++) {
      rhs[n1 + i] = b[1]![i]!;
      for (let j = 0; j < n1; j++) A[n1 + i]![j] = -W[1]![i * n1 + j]!;
      for (let j = 0; j < n3; j++) A[n1 + i]![n1 + n2 + j] = -gamma * W[2]![j * n2 + i]!;
    }
    for (let i = 0; i < n3; i++) { rhs[n1 + n2 + i] = b[2]![i]!; for (let j = 0; j < n2; j++) A[n1 + n2 + i]![n1 + j] = -W[2]![i * n2 + j]!; }
    const u = solve(A, rhs);
    close(net.layers[0]!.post.data.subarray(r * n1, (r + 1) * n1), u.slice(0, n1), { abs: 2e-5 }, `h1 row ${r}`);
    close(net.layers[1]!.post.data.subarray(r * n2, (r + 1) * n2), u.slice(n1, n1 + n2), { abs: 2e-5 }, `h2 row ${r}`);
    close(net.output.post.data.subarray(r * n3, (r + 1) * n3), u.slice(n1 + n2), { abs: 2e-5 }, `o row ${r}`);
    // and it moved away from the feedforward state (the feedback did something)
  }
  net.dispose();
});

test('hard sigmoid: free, nudged (xent and mse) and clamped fixed points match the float64 reference', async () => {
  // Same contraction argument as above; hard-sigmoid units are piecewise linear, so away from the
  // kinks the float32 state is within a few float32 roundings of the float64 fixed point: 2e-5.
  const lib = await backend();
  for (const loss of ['xent', 'mse'] as const) {
    for (const gamma of [1, 0.3]) {
      const net = makeNet(lib, { sizes: [7, 6, 5, 4], loss });
      const st = new Settler(net, net.ws, []);
      const o: SettleOptions = { gamma, eps: 1, maxIter: 1000, tol: 2e-6 }; // tol 0 can cycle on 1-ulp changes of states up to ~8
      const n64 = to64(net), C = net.classes, t = net.target.toArray();
      const clampT = seeded(ROWS * C, 9, -1, 2);
      const tgt = lib.tensor([ROWS, C], clampT);
      const modes = [
        { m: { kind: 'free' } as const, r: (_: number) => ({ kind: 'free' }) as const },
        { m: { kind: 'nudge', beta: 0.7 } as const, r: (i: number) => ({ kind: 'nudge', beta: 0.7, loss, y: row(t, i, C) }) as const },
        { m: { kind: 'nudge', beta: -0.4 } as const, r: (i: number) => ({ kind: 'nudge', beta: -0.4, loss, y: row(t, i, C) }) as const },
        { m: { kind: 'clamp', target: tgt } as const, r: (i: number) => ({ kind: 'clamp', t: row(clampT, i, C) }) as const },
      ];
      for (const { m, r } of modes) {
        st.feedforward(ROWS);
        const sweeps = st.settle(ROWS, m, o, 'x');
        assert.ok(sweeps < 1000, `${loss} γ=${gamma} ${m.kind}: converged`);
        for (let i = 0; i < ROWS; i++) {
          const s64 = settle64(n64, row(net.input.data, i, net.sizes[0]!), gamma, r(i));
          net.layers.forEach((l, k) => close(l.post.data.subarray(i * l.outSize, (i + 1) * l.outSize), s64[k + 1]!, { abs: 2e-5 },
            `${loss} γ=${gamma} ${m.kind}${'beta' in m ? ' β=' + m.beta : ''} layer ${k} row ${i}`));
        }
      }
      tgt.dispose();
      net.dispose();
    }
  }
});

test('stopping test: stops at the first sweep with max change <= tol; tol 0 runs maxIter; stats average per example', async () => {
  const lib = await backend();
  const net = makeNet(lib, { sizes: [7, 6, 5, 4] }, 0.5);
  const st = new Settler(net, net.ws, ['a']);
  const base: SettleOptions = { gamma: 1, eps: 0.6, maxIter: 200, tol: 1e-4 };
  st.feedforward(ROWS);
  st.snapshot('a', ROWS);
  const n = st.settle(ROWS, { kind: 'free' }, base, 'p');
  assert.ok(n > 2 && n < 200, `sweeps ${n}`);
  assert.ok(st.lastChange <= 1e-4, `last change ${st.lastChange}`);
  st.restore('a', ROWS); // same start, one sweep fewer: the test had not passed yet
  assert.is(st.settle(ROWS, { kind: 'free' }, { ...base, maxIter: n - 1 }, 'p'), n - 1);
  assert.ok(st.lastChange > 1e-4, `change after ${n - 1} sweeps ${st.lastChange}`);
  st.restore('a', ROWS);
  assert.is(st.settle(ROWS, { kind: 'free' }, { ...base, tol: 0, maxIter: 7 }, 'q'), 7);
  assert.is(st.settle(3, { kind: 'free' }, { ...base, tol: 10 }, 'q'), 1, 'a huge tol stops after one sweep');
  const stats = st.stats();
  assert.is(stats.p!.examples, 2 * ROWS);
  assert.is(stats.p!.meanSweeps, (n + n - 1) / 2);
  assert.is(stats.q!.meanSweeps, (7 * ROWS + 1 * 3) / (ROWS + 3));
  net.dispose();
});

test('settle options are checked with clear errors', async () => {
  const { checkSettleOptions } = await import('../../src/net/settle.js');
  const ok: SettleOptions = { gamma: 1, eps: 1, maxIter: 5, tol: 0 };
  assert.throws(() => checkSettleOptions('eqprop', { ...ok, eps: 0 }), /eqprop: eps must be in \(0, 1\], got 0/);
  assert.throws(() => checkSettleOptions('chl', { ...ok, gamma: -1 }), /chl: gamma must be a positive finite number, got -1/);
  assert.throws(() => checkSettleOptions('chl', { ...ok, maxIter: 2.5 }), /chl: maxIter must be an integer >= 1, got 2.5/);
  assert.throws(() => checkSettleOptions('chl', { ...ok, tol: NaN }), /chl: tol must be a finite number >= 0, got NaN/);
});

test.run();
