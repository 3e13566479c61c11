// Seeded PRNG: xoshiro128** (Blackman & Vigna 2018, https://prng.di.unimi.it/xoshiro128starstar.c),
// state seeded by splitmix32. The WASM core implements the same generator (assembly/kernels/rng.ts),
// so a seed gives the same integer stream in TypeScript and in WASM, in Node and in browsers.

/** splitmix32 step: returns [next state, output]. Used only to expand a 32-bit seed into 128 bits. */
function splitmix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) | 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return [s, z >>> 0];
}

/** The four 32-bit state words for `seed` (never all zero). */
export function seedState(seed: number): Uint32Array {
  if (!Number.isInteger(seed)) throw new RangeError(`rng: seed must be an integer, got ${seed}`);
  const st = new Uint32Array(4);
  let s = seed | 0;
  for (let i = 0; i < 4; i++) {
    const [n, z] = splitmix32(s);
    s = n;
    st[i] = z;
  }
  if ((st[0]! | st[1]! | st[2]! | st[3]!) === 0) st[0] = 1;
  return st;
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export class Rng {
  private s: Uint32Array;

  constructor(seed: number) {
    this.s = seedState(seed);
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 24 random bits (exactly representable in float32). */
  uniform(): number {
    return (this.nextU32() >>> 8) * 5.9604644775390625e-8;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new RangeError(`rng.int: n must be an integer in [1, 2^32], got ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** Shuffles `a` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: any }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A copy of the 128-bit state (e.g. to seed the WASM generator with the same stream). */
  state(): Uint32Array {
    return this.s.slice();
  }

  /**
   * Continues the stream from `words`, a state from state() (e.g. of a saved training run): four
   * integers in [0, 2^32), not all zero.
   */
  setState(words: ArrayLike<number>): this {
    if (words.length !== 4) throw new Error(`rng.setState: expected 4 state words, got ${words.length}`);
    for (let i = 0; i < 4; i++) {
      const w = words[i]!;
      if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) throw new RangeError(`rng.setState: words[${i}] must be an integer in [0, 2^32), got ${w}`);
    }
    if ((words[0]! | words[1]! | words[2]! | words[3]!) === 0) throw new Error('rng.setState: the state must not be all zero');
    this.s.set(words);
    return this;
  }

  /** A new generator whose seed is drawn from this one (independent child streams). */
  fork(): Rng {
    return new Rng(this.nextU32() | 0);
  }
}
