// Test setup: the builds every kernel test runs against, loaded once per build.
import { load, type Build, type Backend } from '../../src/index.js';
import { poolOf } from '../../src/wasm/threads.js';
import * as assert from 'uvu/assert';

/** Kernel tests run on the SIMD release build and the scalar build (a second reference). */
export const BUILDS: readonly Build[] = ['release', 'scalar'];

const backends = new Map<Build, Promise<Backend>>();

export function backend(build: Build = 'release'): Promise<Backend> {
  let p = backends.get(build);
  if (!p) backends.set(build, (p = load({ build })));
  return p;
}

/**
 * A backend on `threads` threads whose pool splits every call it can, whatever its size and however
 * slow splitting is on a busy machine (no size thresholds, no back-off): what thread tests compare.
 */
export async function splitEverything(threads: number): Promise<Backend> {
  const lib = await load({ threads });
  const pool = poolOf(lib.kernels)!;
  pool.eventMinWork = 0;
  pool.mapMinWork = 0;
  pool.rowMinWork = 0;
  pool.adaptive = false;
  return lib;
}

/** Fails unless got holds exactly want's values, bit for bit (Object.is: -0 and NaN included). */
export function bitsEqual(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.is(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.unreachable(`${what}: [${i}] = ${got[i]}, expected ${want[i]}`);
  }
}
