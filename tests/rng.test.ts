import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng, seedState } from '../src/core/rng.js';

// Vectors from the reference C code of xoshiro128** (prng.di.unimi.it) seeded by the same splitmix32
// expansion as src/core/rng.ts (seed 1), compiled with gcc: the first four outputs.
test('xoshiro128** matches the C reference for seed 1', () => {
  const r = new Rng(1);
  assert.equal([r.nextU32(), r.nextU32(), r.nextU32(), r.nextU32()], [2442144158, 3238099751, 3819917871, 2104621829]);
});

test('same seed, same stream; different seeds differ', () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xa = Array.from({ length: 100 }, () => a.nextU32());
  const xb = Array.from({ length: 100 }, () => b.nextU32());
  const xc = Array.from({ length: 100 }, () => c.nextU32());
  assert.equal(xa, xb);
  assert.not.equal(xa, xc);
});

test('setState(state()) continues the stream where it was; bad states are refused', () => {
  const a = new Rng(7);
  for (let i = 0; i < 13; i++) a.nextU32();
  const b = new Rng(99).setState(a.state());
  assert.equal(Array.from({ length: 50 }, () => b.nextU32()), Array.from({ length: 50 }, () => a.nextU32()));
  assert.throws(() => new Rng(1).setState([1, 2, 3]), /rng\.setState: expected 4 state words, got 3/);
  assert.throws(() => new Rng(1).setState([1, 2, 3, 2 ** 32]), /words\[3\] must be an integer in \[0, 2\^32\)/);
  assert.throws(() => new Rng(1).setState([0, 0, 0, 0]), /must not be all zero/);
});

test('uniform in [0,1), int in range and roughly uniform, shuffle is a permutation', () => {
  const r = new Rng(7);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 100000; i++) {
    const u = r.uniform();
    assert.ok(u >= 0 && u < 1);
    counts[r.int(10)]++;
  }
  // each bin ~ Binomial(1e5, 0.1): sd = sqrt(1e5*0.1*0.9) ~ 95; 6 sd = 570
  for (const c of counts) assert.ok(Math.abs(c - 10000) < 570, `bin count ${c}`);
  const p = r.shuffle(Array.from({ length: 50 }, (_, i) => i));
  assert.equal([...p].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.not.equal(p, Array.from({ length: 50 }, (_, i) => i));
});

test('bad seeds and ranges are refused', () => {
  assert.throws(() => seedState(1.5), /seed must be an integer/);
  assert.throws(() => new Rng(1).int(0), /rng.int: n must be/);
});

test.run();
