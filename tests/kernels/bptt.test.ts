// f32_lif_adjoint_step: the reference twin (bit-exact, both builds) over whole windows on awkward
// sizes, the refractory mask read from the record, and clear errors before any work.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { close, throwsClearly } from '../helpers/close.js';
import { EDGE_SIZES, seeded, mulberry32 } from '../helpers/fill.js';
import type { LifAdjointParams } from '../../src/index.js';
import * as ref from '../reference/bptt.js';

const PARAMS: LifAdjointParams[] = [
  { decay: 0.95122942, synDecay: 0.81873075, reset: 'zero', refSteps: 2 },
  { decay: 0.9, synDecay: 0, reset: 'subtract', refSteps: 0 },
  { decay: 1, synDecay: 0.5, reset: 'zero', refSteps: 0 },
  { decay: 0.7, synDecay: 0.9, reset: 'subtract', refSteps: 5 }, // longer than the first steps' history
];
const refOf = (p: LifAdjointParams): ref.LifAdjointRef => ({ decay: p.decay, synDecay: p.synDecay, resetMode: p.reset === 'subtract' ? 1 : 0, refSteps: p.refSteps ?? 0 });

for (const build of BUILDS) {
  test(`[${build}] f32_lif_adjoint_step equals the reference twin bit for bit over a window (EDGE_SIZES, resets, refractory)`, async () => {
    const lib = await backend(build);
    const T = 7;
    for (const [pi, p] of PARAMS.entries()) {
      for (const n of [...EDGE_SIZES, 300]) {
        const rnd = mulberry32(31 * n + pi);
        const spikes = Float32Array.from({ length: T * n }, () => (rnd() < 0.3 ? 1 : 0));
        const deriv = seeded(T * n, 7 * n + pi, 0, 1), gs = seeded(T * n, 11 * n + pi, -1, 1);
        const S = lib.tensor([T, n], spikes), D = lib.tensor([T, n], deriv), G = lib.tensor([T, n], gs);
        const gv = lib.tensor([n]), gI = lib.tensor([n]);
        const rg = Float32Array.from(gs), rgv = new Float32Array(n), rgI = new Float32Array(n);
        for (let t = T - 1; t >= 0; t--) {
          lib.lifAdjointStep(G.row(t), D.row(t), S, t, gv, gI, p);
          ref.lifAdjointStep(refOf(p), t, deriv.subarray(t * n, (t + 1) * n), spikes, rg.subarray(t * n, (t + 1) * n), rgv, rgI);
          const what = `params ${pi} n=${n} t=${t}`;
          close(G.row(t).data, rg.subarray(t * n, (t + 1) * n), { ulps: 0 }, `${what}: g`);
          close(gv.data, rgv, { ulps: 0 }, `${what}: gv`);
          close(gI.data, rgI, { ulps: 0 }, `${what}: gI`);
        }
        for (const x of [S, D, G, gv, gI]) x.dispose();
      }
    }
  });

  test(`[${build}] f32_lif_adjoint_step: a neuron refractory at t passes nothing, its neighbours are untouched`, async () => {
    const lib = await backend(build);
    // 5 neurons, steps 0..3; neuron 1 spiked at step 1, so with refSteps 2 it is held at steps 2 and 3;
    // neuron 3 spiked at step 0: held at 1 and 2, free again at 3.
    const n = 5, T = 4;
    const spikes = new Float32Array(T * n);
    spikes[1 * n + 1] = 1; spikes[0 * n + 3] = 1;
    const S = lib.tensor([T, n], spikes), D = lib.tensor([n], [0.5, 0.5, 0.5, 0.5, 0.5]);
    const gv = lib.tensor([n], [1, 1, 1, 1, 1]), gI = lib.tensor([n], [2, 2, 2, 2, 2]);
    const g = lib.tensor([n], [1, 1, 1, 1, 1]);
    lib.lifAdjointStep(g, D, S, 3, gv, gI, { decay: 0.5, synDecay: 0.25, reset: 'zero', refSteps: 2 });
    // free neurons: gm = 1·0.5 + 1·1 = 1.5, gv = 0.75, gI = 1.5 + 0.25·2 = 2; neuron 1 held: gm = 0, gI = 0.5
    assert.equal(Array.from(gv.data), [0.75, 0, 0.75, 0.75, 0.75]);
    assert.equal(Array.from(g.data), [2, 0.5, 2, 2, 2]);
    for (const x of [S, D, gv, gI, g]) x.dispose();
  });

  test(`[${build}] lifAdjointStep: bad arguments fail clearly before any work`, async () => {
    const lib = await backend(build);
    const S = lib.tensor([3, 4]), a = lib.tensor([4]), b = lib.tensor([4]), c = lib.tensor([4]), d = lib.tensor([4]), w = lib.tensor([5]);
    const p: LifAdjointParams = { decay: 0.9, synDecay: 0.8 };
    throwsClearly(() => lib.lifAdjointStep(a, b, S, 3, c, d, p), /lifAdjointStep/, /t must be an integer in \[0, 2\]/);
    throwsClearly(() => lib.lifAdjointStep(w, b, S, 0, c, d, p), /lifAdjointStep/, /g/);
    throwsClearly(() => lib.lifAdjointStep(a, b, a, 0, c, d, p), /lifAdjointStep/, /rank >= 2/);
    throwsClearly(() => lib.lifAdjointStep(a, b, S, 0, a, d, p), /lifAdjointStep/, /must not share memory/);
    throwsClearly(() => lib.lifAdjointStep(a, b, S, 0, c, d, { decay: 1.5, synDecay: 0.8 }), /lifAdjointStep/, /decay must be in \[0, 1\], got 1.5/);
    throwsClearly(() => lib.lifAdjointStep(a, b, S, 0, c, d, { decay: 0.9, synDecay: NaN }), /lifAdjointStep/, /synDecay/);
    throwsClearly(() => lib.lifAdjointStep(a, b, S, 0, c, d, { ...p, refSteps: 1.5 }), /lifAdjointStep/, /refSteps/);
    assert.equal(Array.from(a.data), [0, 0, 0, 0]);
    for (const x of [S, a, b, c, d, w]) x.dispose();
  });
}

test.run();
