// Loss kernels vs tests/reference/loss.ts on both builds, for 1×N, N×1, 7×13, 32×10 and tile-straddling
// shapes, plus extreme logits. Tolerances (U = 2^-24, E/L = documented exp/log errors):
//   probs: e^d has rel. error E; s = Σ e (n − 1 f32 adds of positive terms) E + (n−1)U; one division:
//          |p − p*| <= (2E + (n + 1)U)·p*.   grad = p − t: that, plus U·|grad|.
//   loss:  per row (Σt)·log s − Σ t·d: log s is off by rel(s) (absolute) + L·|log s|; the f32 sums of
//          t and t·d by (n + 1)U·Σ|t| and (n + 1)U·Σ|t·d|; the row's mul/sub and the batch's final
//          rounding 3U of the magnitudes involved.
//   mse:   grad is one rounded subtraction (0 ulps vs the reference); loss sums squares in f32:
//          (n + 2)U·Σ d²/2 per row plus U·|total|.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BUILDS, backend } from '../helpers/setup.js';
import { seeded } from '../helpers/fill.js';
import { close, throwsClearly } from '../helpers/close.js';
import * as ref from '../reference/loss.js';
import { U, EXP, LOG } from '../reference/act.js';

const SHAPES: [number, number][] = [[1, 1], [1, 17], [17, 1], [7, 13], [32, 10], [3, 4], [5, 16], [2, 65], [4, 3]];

function oneHot(m: number, n: number, seed: number): Float32Array {
  const t = new Float32Array(m * n), r = seeded(m, seed, 0, n);
  for (let i = 0; i < m; i++) t[i * n + Math.min(n - 1, Math.floor(r[i]!))] = 1;
  return t;
}
function soft(m: number, n: number, seed: number): Float32Array {
  const t = seeded(m * n, seed, 0, 1);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += t[i * n + j]!;
    for (let j = 0; j < n; j++) t[i * n + j] = Math.fround(t[i * n + j]! / s);
  }
  return t;
}

for (const build of BUILDS) {
  test(`${build} softmaxXent: probs, grad and loss within the derived bounds (one-hot, soft, extreme logits)`, async () => {
    const lib = await backend(build);
    const cases: [string, number, number, Float32Array, Float32Array][] = [];
    for (const [m, n] of SHAPES) {
      cases.push([`one-hot ${m}x${n}`, m, n, seeded(m * n, m + 17 * n, -5, 5), oneHot(m, n, m * n)]);
      cases.push([`soft ${m}x${n}`, m, n, seeded(m * n, m + 19 * n, -30, 30), soft(m, n, m + n)]);
    }
    const big = Float32Array.from([1e4, -1e4, 0, 5, 1e4, 1e4, -1e4, 3, -1e30, 1e30, 0, 1]);
    cases.push(['logits ±1e4 and ±1e30', 3, 4, big, oneHot(3, 4, 5)]);
    cases.push(['target on an underflowed class', 1, 4, Float32Array.from([1e4, -1e4, 0, 5]), Float32Array.from([0, 1, 0, 0])]);
    for (const [what, m, n, lv, tv] of cases) {
      const logits = lib.tensor([m, n], lv), target = lib.tensor([m, n], tv), probs = lib.tensor([m, n]), grad = lib.tensor([m, n]);
      const loss = lib.softmaxXent(probs, grad, logits, target);
      const wantP: number[] = [], tolP: number[] = [], wantG: number[] = [], tolG: number[] = [];
      let wantL = 0, tolL = 0;
      for (let i = 0; i < m; i++) {
        const row = ref.softmaxXentRow(n, lv.subarray(i * n, (i + 1) * n), tv.subarray(i * n, (i + 1) * n));
        const relP = 2 * EXP + (n + 1) * U;
        row.probs.forEach((p, j) => {
          const g = p - tv[i * n + j]!;
          wantP.push(p); tolP.push(relP * p + 2 ** -149);
          wantG.push(g); tolG.push(relP * p + U * Math.abs(g) + 2 ** -149);
        });
        wantL += row.loss;
        tolL += row.sumT * (EXP + (n + 1) * U + LOG * Math.abs(row.logS)) + (n + 1) * U * (row.sumT * Math.abs(row.logS) + row.sumAbsTD)
          + 3 * U * (row.sumT * Math.abs(row.logS) + row.sumAbsTD);
      }
      tolL += U * Math.abs(wantL);
      close(probs.data, wantP, { abs: tolP }, `${what} probs`);
      close(grad.data, wantG, { abs: tolG }, `${what} grad`);
      assert.ok(Number.isFinite(loss), `${what}: loss ${loss} is finite`);
      assert.ok(Math.abs(loss - wantL) <= tolL, `${what}: loss ${loss} vs ${wantL} (tolerance ${tolL})`);
      // allowed aliasing: probs = logits, grad = target
      const loss2 = lib.softmaxXent(logits, target, logits, target);
      assert.is(loss2, loss, `${what}: in-place loss`);
      close(logits.data, probs.data, { ulps: 0 }, `${what} probs in place`);
      close(target.data, grad.data, { ulps: 0 }, `${what} grad in place`);
      [logits, target, probs, grad].forEach((t) => t.dispose());
    }
  });

  test(`${build} softmaxXent: 1e4 logits give no NaN, loss of a confident right answer is 0`, async () => {
    const lib = await backend(build);
    const logits = lib.tensor([2, 3], [1e4, 0, -1e4, -1e4, 1e4, 1e4]), target = lib.tensor([2, 3], [1, 0, 0, 0, 0.5, 0.5]);
    const probs = lib.tensor([2, 3]), grad = lib.tensor([2, 3]);
    const loss = lib.softmaxXent(probs, grad, logits, target);
    assert.is(lib.nonFinite(probs) + lib.nonFinite(grad), 0);
    close(probs.data, [1, 0, 0, 0, 0.5, 0.5], { ulps: 0 });
    assert.ok(Math.abs(loss - Math.log(2)) < 4 * U, `loss ${loss} = 0 + log 2`);
    [logits, target, probs, grad].forEach((t) => t.dispose());
  });

  test(`${build} mse: grad exact, loss within (n+2)·U·Σd²/2`, async () => {
    const lib = await backend(build);
    for (const [m, n] of SHAPES) {
      const yv = seeded(m * n, m * 3 + n), tv = seeded(m * n, m * 5 + n);
      const y = lib.tensor([m, n], yv), t = lib.tensor([m, n], tv), g = lib.tensor([m, n]);
      const loss = lib.mse(g, y, t);
      let want = 0;
      const wantG: number[] = [];
      for (let i = 0; i < m; i++) {
        const r = ref.mseRow(n, yv.subarray(i * n, (i + 1) * n), tv.subarray(i * n, (i + 1) * n));
        want += r.loss;
        wantG.push(...r.grad);
      }
      close(g.data, wantG, { ulps: 0 }, `mse grad ${m}x${n}`);
      assert.ok(Math.abs(loss - want) <= (n + 3) * U * want + 2 ** -149, `mse loss ${m}x${n}: ${loss} vs ${want}`);
      assert.is(lib.mse(y, y, t), loss, 'grad = y in place');
      close(y.data, wantG, { ulps: 0 }, `mse grad in place ${m}x${n}`);
      [y, t, g].forEach((x) => x.dispose());
    }
  });

  test(`${build} countCorrect: first max wins, NaN never wins`, async () => {
    const lib = await backend(build);
    for (const [m, n] of SHAPES) {
      const xv = seeded(m * n, m + n * 11).map((v) => Math.round(v * 3) / 3); // ties are common
      const tv = oneHot(m, n, m * 7 + n);
      const x = lib.tensor([m, n], xv), t = lib.tensor([m, n], tv);
      const want = Array.from({ length: m }, (_, i) => ref.argmax(n, xv.subarray(i * n, (i + 1) * n)));
      const correct = want.filter((k, i) => k === ref.argmax(n, tv.subarray(i * n, (i + 1) * n))).length;
      assert.is(lib.countCorrect(x, t), correct, `countCorrect ${m}x${n}`);
      assert.is(lib.countCorrect(t, t), m, 'a target agrees with itself');
      [x, t].forEach((z) => z.dispose());
    }
    // Row maxima at columns 1, 0, 2, 0 (NaN never wins, the first of equal maxima does, all −Inf gives 0):
    // a target row agrees exactly where its one is at that column.
    const x = lib.tensor([4, 3], [NaN, 1, 1, -Infinity, -Infinity, -Infinity, 2, NaN, 3, NaN, NaN, NaN]);
    const hit = lib.tensor([4, 3], [0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0]);
    const miss = lib.tensor([4, 3], [0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1]);
    assert.is(lib.countCorrect(x, hit), 4);
    assert.is(lib.countCorrect(x, miss), 0);
    [x, hit, miss].forEach((z) => z.dispose());
  });
}

test('loss wrapper errors are clear', async () => {
  const lib = await backend();
  const a = lib.tensor([2, 3]), b = lib.tensor([3, 2]), c = lib.tensor([2, 3]), d = lib.tensor([2, 3]);
  throwsClearly(() => lib.softmaxXent(c, d, a, b), /softmaxXent: target is \[3, 2\], expected \[2, 3\]/);
  throwsClearly(() => lib.softmaxXent(c, c, a, d), /softmaxXent: probs and grad must not share memory/);
  throwsClearly(() => lib.mse(c, a, b), /mse: target is \[3, 2\], expected \[2, 3\]/);
  throwsClearly(() => lib.countCorrect(a, b), /countCorrect: target is \[3, 2\], expected \[2, 3\]/);
  [a, b, c, d].forEach((t) => t.dispose());
});

test.run();
