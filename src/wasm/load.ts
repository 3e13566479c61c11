// Instantiates the WASM core once per build and source. In Node the .wasm is read from the package's
// own files; in browsers it is fetched from a URL (streaming where the server sends application/wasm)
// or taken from bytes the caller already has. The same .wasm file serves both.
import { instantiate } from '@assemblyscript/loader';
import type { Kernels } from './kernels.js';
import { KERNEL_NAMES } from './kernels.js';
import { startPool, sharedMemoryAvailable } from './threads.js';
import { MAX_THREADS } from './pool.js';

/** release: SIMD, -O3, no asserts. scalar: same source without SIMD. debug: asserts on, SIMD.
 *  threads: release over a shared, imported memory (what `threads` > 1 loads). */
export type Build = 'release' | 'scalar' | 'debug' | 'threads';

export interface LoadOptions {
  /** Which artifact to load when `source` is not given. Default: release if the engine has wasm SIMD, else scalar. */
  build?: Build;
  /** Where the .wasm comes from: bytes, a compiled module, a URL / path string, or a fetch Response. */
  source?: BufferSource | WebAssembly.Module | URL | string | Response | Promise<Response>;
  /**
   * Threads that run the large kernels, the calling one included (default 1). More than 1 loads the
   * 'threads' build and starts a pool; where shared memory is unavailable (a browser page without
   * cross-origin isolation) it runs on one thread. Results are bit-identical for every thread count.
   */
  threads?: number;
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
  const threads = threadCount(opts);
  if (threads > 1 && !hasSimd()) throw new Error(`load: threads = ${threads} needs WebAssembly SIMD, which this engine lacks; use threads: 1`);
  if (threads > 1) {
    if (opts.build !== undefined && opts.build !== 'release' && opts.build !== 'threads') {
      throw new Error(`load: threads = ${threads} runs the 'threads' build (release over shared memory), not '${opts.build}'; use threads: 1 for it`);
    }
    if (opts.source !== undefined) throw new Error(`load: threads = ${threads} loads its own build; leave source unset`);
    return startPool(threads, artifactUrl('threads'), readSource, checkExports);
  }
  const build: Build = opts.build ?? (hasSimd() ? 'release' : 'scalar');
  if (build !== 'scalar' && !hasSimd()) {
    throw new Error(`load: the '${build}' build needs WebAssembly SIMD, which this engine lacks; use { build: 'scalar' }`);
  }
  if (build === 'threads') throw new Error(`load: the 'threads' build is loaded by { threads: N } with N > 1, not by name`);
  const key = opts.source === undefined ? build : '';
  const hit = key ? cache.get(key) : undefined;
  if (hit) return hit;
  const p = (async () => {
    const src = await readSource(opts.source ?? artifactUrl(build));
    const { exports } = await instantiate<Record<string, unknown>>(src as BufferSource);
    return checkExports(exports);
  })();
  if (key) {
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

function checkExports(exports: Record<string, unknown>): Kernels {
  for (const name of KERNEL_NAMES) {
    if (typeof exports[name] !== 'function') {
      throw new Error(`load: the wasm module has no export '${name}' (stale build? run 'npm run build')`);
    }
  }
  return exports as unknown as Kernels;
}

/** opts.threads checked, and cut to 1 where threads cannot share memory. */
function threadCount(opts: LoadOptions): number {
  const t = opts.threads ?? 1;
  if (!Number.isInteger(t) || t < 1 || t > MAX_THREADS) {
    throw new Error(`load: threads must be an integer from 1 to ${MAX_THREADS}, got ${String(t)}`);
  }
  return t > 1 && sharedMemoryAvailable() ? t : 1;
}
