// Comparison with tolerances that the caller derives from the arithmetic (see each test's comment).
import * as assert from 'uvu/assert';

export interface Tol {
  /** Allowed distance in float32 units in the last place (0 = bit-identical up to -0/+0). */
  ulps?: number;
  /** Allowed absolute error, element i: abs or abs[i]. */
  abs?: number | ArrayLike<number>;
  /** Allowed relative error |a-e| <= rel*|e|. */
  rel?: number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function ordered(x: number): number {
  f32[0] = x;
  const u = u32[0]!;
  return u & 0x80000000 ? 0x80000000 - (u & 0x7fffffff) : 0x80000000 + u;
}

/** Distance between two float32 values in units in the last place. */
export function ulpDistance(a: number, b: number): number {
  return Math.abs(ordered(a) - ordered(b));
}

/**
 * Asserts actual ≈ expected elementwise. An element passes if it meets any given tolerance; NaN only
 * matches NaN. The message names the first failing index, both values and the tolerance.
 */
export function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tol, what = 'values'): void {
  assert.is(actual.length, expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      assert.unreachable(`${what}[${i}]: got ${a}, expected ${e}`);
    }
    if (a === e) continue;
    if (tol.ulps !== undefined && ulpDistance(a, e) <= tol.ulps) continue;
    const absTol = typeof tol.abs === 'number' ? tol.abs : tol.abs ? tol.abs[i]! : undefined;
    if (absTol !== undefined && Math.abs(a - e) <= absTol) continue;
    if (tol.rel !== undefined && Math.abs(a - e) <= tol.rel * Math.abs(e)) continue;
    assert.unreachable(`${what}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)}, tolerance ${JSON.stringify(tol.abs !== undefined && typeof tol.abs !== 'number' ? { ...tol, abs: absTol } : tol)})`);
  }
}

/** Asserts that fn throws an Error whose message matches every pattern, and is not a wasm trap. */
export function throwsClearly(fn: () => unknown, ...patterns: RegExp[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  if (err === undefined) assert.unreachable(`expected an error matching ${patterns.join(' and ')}`);
  assert.ok(err instanceof Error, `expected an Error, got ${String(err)}`);
  assert.not.ok(err instanceof WebAssembly.RuntimeError, `got a wasm trap: ${(err as Error).message}`);
  for (const p of patterns) assert.match((err as Error).message, p);
}
