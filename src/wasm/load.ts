// Instantiates the WASM core once per build and source. In Node the .wasm is read from the package's
// own files; in browsers it is fetched from a URL (streaming where the server sends application/wasm)
// or taken from bytes the caller already has. The same .wasm file serves both.
import { instantiate } from '@assemblyscript/loader';
import type { Kernels } from './kernels.js';
import { KERNEL_NAMES } from './kernels.js';

/** release: SIMD, -O3, no asserts. scalar: same source without SIMD. debug: asserts on, SIMD. */
export type Build = 'release' | 'scalar' | 'debug';

export interface LoadOptions {
  /** Which artifact to load when `source` is not given. Default: release if the engine has wasm SIMD, else scalar. */
  build?: Build;
  /** Where the .wasm comes from: bytes, a compiled module, a URL / path string, or a fetch Response. */
  source?: BufferSource | WebAssembly.Module | URL | string | Response | Promise<Response>;
}

// A minimal module using one v128 instruction: validates only where wasm SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** True when this engine validates WebAssembly SIMD (v128). */
export function hasSimd(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

function artifactUrl(build: Build): URL {
  // dist/src/wasm/load.js -> build/<build>.wasm at the package root
  return new URL(`../../../build/${build}.wasm`, import.meta.url);
}

async function readSource(source: NonNullable<LoadOptions['source']>): Promise<BufferSource | WebAssembly.Module | Response> {
  if (source instanceof Promise) return source;
  if (typeof source === 'string' || source instanceof URL) {
    const url = typeof source === 'string' && isNode && !/^[a-z]+:/i.test(source) ? source : new URL(source, typeof location !== 'undefined' ? location.href : undefined);
    if (isNode && (typeof url === 'string' || url.protocol === 'file:')) {
      const { readFile } = await import('node:fs/promises');
      return readFile(url);
    }
    return fetch(url);
  }
  return source;
}

const cache = new Map<string, Promise<Kernels>>();

/**
 * Instantiates the WASM core and returns its raw kernels. Cached per build: calling it again with the
 * same build returns the same instance (and so the same memory). Pass `source` to load other bytes.
 */
export function loadKernels(opts: LoadOptions = {}): Promise<Kernels> {
  const build: Build = opts.build ?? (hasSimd() ? 'release' : 'scalar');
  if (build !== 'scalar' && !hasSimd()) {
    throw new Error(`load: the '${build}' build needs WebAssembly SIMD, which this engine lacks; use { build: 'scalar' }`);
  }
  const key = opts.source === undefined ? build : '';
  const hit = key ? cache.get(key) : undefined;
  if (hit) return hit;
  const p = (async () => {
    const src = await readSource(opts.source ?? artifactUrl(build));
    const { exports } = await instantiate<Record<string, unknown>>(src as BufferSource);
    for (const name of KERNEL_NAMES) {
      if (typeof exports[name] !== 'function') {
        throw new Error(`load: the wasm module has no export '${name}' (stale build? run 'npm run build')`);
      }
    }
    return exports as unknown as Kernels;
  })();
  if (key) {
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}
