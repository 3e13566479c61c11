import { test } from 'uvu';
import { BUILDS, backend } from '../helpers/setup.js';
import { seeded, EDGE_SIZES } from '../helpers/fill.js';
import { close } from '../helpers/close.js';
import * as ref from '../reference/optim.js';

// The kernels and the references perform the same IEEE float32 operations in the same order (the
// reference rounds after each with Math.fround; sqrt is correctly rounded in both), so results must be
// bit-identical: 0 ulps.
for (const build of BUILDS) {
  for (const n of EDGE_SIZES) {
    for (const mu of [0, 0.9]) {
      test(`${build} f32_sgd_step n=${n} momentum=${mu} matches the reference bit for bit`, async () => {
        const lib = await backend(build);
        const k = lib.kernels;
        const g = lib.tensor([n], seeded(n, 1)), v = lib.tensor([n], seeded(n, 2)), w = lib.tensor([n], seeded(n, 3));
        const rv = v.toArray(), rw = w.toArray();
        for (let s = 0; s < 3; s++) {
          k.f32_sgd_step(n, 0.05, mu, 1e-3, g.ptr, mu ? v.ptr : 0, w.ptr);
          ref.sgdStep(0.05, mu, 1e-3, g.toArray(), rv, rw);
        }
        close(w.data, rw, { ulps: 0 }, 'w');
        close(v.data, rv, { ulps: 0 }, 'velocity');
        [g, v, w].forEach((t) => t.dispose());
      });
    }
    test(`${build} f32_adam_step n=${n} matches the reference bit for bit`, async () => {
      const lib = await backend(build);
      const k = lib.kernels;
      const g = lib.tensor([n], seeded(n, 4)), m = lib.tensor([n]), v = lib.tensor([n]), w = lib.tensor([n], seeded(n, 5));
      const rm = m.toArray(), rv = v.toArray(), rw = w.toArray();
      for (let t = 1; t <= 3; t++) {
        const bc1 = 1 - 0.9 ** t, bc2 = 1 - 0.999 ** t;
        k.f32_adam_step(n, 1e-3, 0.9, 0.999, 1e-8, 1e-4, bc1, bc2, g.ptr, m.ptr, v.ptr, w.ptr);
        ref.adamStep(1e-3, 0.9, 0.999, 1e-8, 1e-4, bc1, bc2, g.toArray(), rm, rv, rw);
      }
      close(w.data, rw, { ulps: 0 }, 'w');
      close(m.data, rm, { ulps: 0 }, 'm');
      close(v.data, rv, { ulps: 0 }, 'v');
      [g, m, v, w].forEach((t) => t.dispose());
    });
  }
}

test.run();
