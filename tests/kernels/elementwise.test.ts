// Element-wise kernels vs tests/reference/elementwise.ts on both builds, EDGE_SIZES, every allowed
// aliasing. 0 ulps: the reference rounds with Math.fround after each op in the kernel's order.
import { test } from 'uvu';
import { BUILDS, backend } from '../helpers/setup.js';
import { seeded, EDGE_SIZES } from '../helpers/fill.js';
import { close, throwsClearly } from '../helpers/close.js';
import * as ref from '../reference/elementwise.js';
import type { Backend, Tensor } from '../../src/index.js';

type Binary = (lib: Backend, out: Tensor, x: Tensor, y: Tensor) => void;
const BINARY: [string, Binary, (n: number, x: Float32Array, y: Float32Array, z: Float32Array) => void][] = [
  ['add', (l, o, x, y) => l.add(o, x, y), ref.add],
  ['sub', (l, o, x, y) => l.sub(o, x, y), ref.sub],
  ['mul', (l, o, x, y) => l.mul(o, x, y), ref.mul],
  ['scaleAdd', (l, o, x, y) => l.scaleAdd(o, 0.3, x, -1.7, y), (n, x, y, z) => ref.scaleAdd(n, 0.3, x, -1.7, y, z)],
];

for (const build of BUILDS) {
  for (const [name, run, want] of BINARY) {
    test(`${build} ${name}: matches the reference, with z = x, z = y and x = y = z`, async () => {
      const lib = await backend(build);
      for (const n of EDGE_SIZES) {
        const xv = seeded(n, n), yv = seeded(n, n + 1000, -3, 3);
        const x = lib.tensor([n], xv), y = lib.tensor([n], yv), z = lib.tensor([n]);
        const expect = new Float32Array(n);
        want(n, xv, yv, expect);
        run(lib, z, x, y);
        close(z.data, expect, { ulps: 0 }, `${name} n=${n}`);
        run(lib, x, x, y); // out = x
        close(x.data, expect, { ulps: 0 }, `${name} n=${n} out = x`);
        x.set(xv);
        run(lib, y, x, y); // out = y
        close(y.data, expect, { ulps: 0 }, `${name} n=${n} out = y`);
        want(n, xv, xv, expect);
        run(lib, x, x, x); // all three the same
        close(x.data, expect, { ulps: 0 }, `${name} n=${n} out = x = y`);
        [x, y, z].forEach((t) => t.dispose());
      }
    });
  }

  test(`${build} clip and signScale: reference, in place, specials`, async () => {
    const lib = await backend(build);
    for (const n of EDGE_SIZES) {
      const xv = seeded(n, 3 * n, -2, 2);
      if (n > 4) { xv[0] = 0; xv[1] = -0; xv[2] = NaN; xv[3] = Infinity; xv[4] = -Infinity; }
      const x = lib.tensor([n], xv), y = lib.tensor([n]);
      const expect = new Float32Array(n);
      ref.clip(n, -0.5, 0.75, xv, expect);
      lib.clip(y, x, -0.5, 0.75);
      close(y.data, expect, { ulps: 0 }, `clip n=${n}`);
      ref.signScale(n, 0.37, xv, expect);
      lib.signScale(y, x, 0.37);
      close(y.data, expect, { ulps: 0 }, `signScale n=${n}`);
      lib.signScale(x, x, 0.37);
      close(x.data, expect, { ulps: 0 }, `signScale n=${n} in place`);
      x.set(xv);
      ref.clip(n, -Infinity, 0, xv, expect);
      lib.clip(x, x, -Infinity, 0);
      close(x.data, expect, { ulps: 0 }, `clip n=${n} in place, lo = -Inf`);
      x.dispose(); y.dispose();
    }
  });
}

test('element-wise wrapper errors are clear', async () => {
  const lib = await backend();
  const a = lib.tensor([2, 3]), b = lib.tensor([5]);
  throwsClearly(() => lib.add(a, a, b), /add: y \[5\] has 5 elements, expected 6/);
  throwsClearly(() => lib.mul(a, b, a), /mul: x \[5\] has 5 elements, expected 6/);
  throwsClearly(() => lib.clip(a, a, 1, 0), /clip: lo \(1\) must be <= hi \(0\)/);
  throwsClearly(() => lib.clip(a, a, NaN, 0), /clip: lo must be a number \(not NaN\), got NaN/);
  throwsClearly(() => lib.signScale(a, a, Infinity), /signScale: s must be a finite number, got Infinity/);
  throwsClearly(() => lib.sub(a, [1, 2] as never, a), /sub: x must be a Tensor, got an Array/);
  a.dispose(); b.dispose();
});

test.run();
