// Test setup: the builds every kernel test runs against, loaded once per build.
import { load, type Build, type Backend } from '../../src/index.js';

/** Kernel tests run on the SIMD release build and the scalar build (a second reference). */
export const BUILDS: readonly Build[] = ['release', 'scalar'];

const backends = new Map<Build, Promise<Backend>>();

export function backend(build: Build = 'release'): Promise<Backend> {
  let p = backends.get(build);
  if (!p) backends.set(build, (p = load({ build })));
  return p;
}
