// load({ threads }) for threads > 1: the 'threads' build over one shared memory, the calling thread's
// instance (the only one that runs the start function and allocates) plus a pool of workers, and the
// kernels object whose GEMMs dispatch to the pool. Everything else runs on the calling thread.
// Browser-safe (no bare imports): the demo page's worker uses startThreads directly.
import { THREADS_START, type Kernels } from './kernels.js';
import { Pool, ELEMENTWISE_NAMES, ROWWISE_NAMES } from './pool.js';

/** Initial and maximum pages of the shared memory (a shared memory must declare its maximum: 4 GiB). */
const INITIAL_PAGES = 16;
const MAXIMUM_PAGES = 65536;

/**
 * True where threads can share a memory: SharedArrayBuffer and Atomics exist, the page (if any) is
 * cross-origin isolated, and this thread may block in Atomics.wait (a browser's window thread may not).
 */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  const g = globalThis as { crossOriginIsolated?: boolean; document?: unknown };
  return g.crossOriginIsolated !== false && g.document === undefined;
}

const pools = new WeakMap<Kernels, Pool>();
const cache = new Map<number, Promise<Kernels>>();

/** The pool behind kernels loaded with threads > 1, else undefined. */
export function poolOf(kernels: Kernels): Pool | undefined {
  return pools.get(kernels);
}

/** Threads the kernels run on (1 unless loaded with a pool). */
export function threadsOf(kernels: Kernels): number {
  return pools.get(kernels)?.threads ?? 1;
}

type ReadSource = (source: URL) => Promise<BufferSource | WebAssembly.Module | Response>;

/** Loads (once per thread count) the threaded kernels from `url`, read by `read` and checked by `check`; see load's `threads`. */
export function startPool(threads: number, url: URL, read: ReadSource, check: (e: Record<string, unknown>) => Kernels): Promise<Kernels> {
  const hit = cache.get(threads);
  if (hit) return hit;
  const p = (async () => {
    const src = await read(url);
    const module = src instanceof WebAssembly.Module ? src
      : await WebAssembly.compile(typeof Response !== 'undefined' && src instanceof Response ? await src.arrayBuffer() : src as BufferSource);
    return startThreads(module, threads, check, () => cache.delete(threads));
  })();
  cache.set(threads, p);
  p.catch(() => cache.delete(threads));
  return p;
}

/**
 * Instantiates the compiled 'threads' build over a new shared memory on this thread (running its start
 * function), starts threads - 1 workers, and returns kernels whose GEMMs run on all of them.
 */
export async function startThreads(module: WebAssembly.Module, threads: number, check: (e: Record<string, unknown>) => Kernels, onClose?: () => void): Promise<Kernels> {
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory, abort: abortWith(memory) } });
  const exports = instance.exports as Record<string, unknown>;
  (exports[THREADS_START] as () => void)();
  const raw = check(exports);
  const pool = await Pool.start(module, memory, raw, { threads, onClose });
  const kernels: Kernels = {
    ...raw,
    memory: raw.memory,
    f32_gemm_nn: (m, n, k, alpha, beta, a, b, c) => pool.gemm(0, m, n, k, alpha, beta, a, b, c),
    f32_gemm_tn: (m, n, k, alpha, beta, a, b, c) => pool.gemm(1, m, n, k, alpha, beta, a, b, c),
    f32_gemm_nt: (m, n, k, alpha, beta, a, b, c) => pool.gemm(2, m, n, k, alpha, beta, a, b, c),
    f32_gemm_tt: (m, n, k, alpha, beta, a, b, c) => pool.gemm(3, m, n, k, alpha, beta, a, b, c),
    f32_event_nn: (m, n, k, alpha, beta, s, b, c) => pool.eventNN(m, n, k, alpha, beta, s, b, c),
  };
  const split = kernels as unknown as Record<string, (...args: number[]) => number>;
  ELEMENTWISE_NAMES.forEach((name, i) => { split[name] = (...args: number[]) => pool.map(i, args); });
  ROWWISE_NAMES.forEach((name, i) => { split[name] = (...args: number[]) => pool.rows(i, args); });
  pools.set(kernels, pool);
  return kernels;
}

/** The module's abort import: throws with the message and place it passes (AssemblyScript strings). */
export function abortWith(memory: WebAssembly.Memory) {
  const str = (ptr: number): string => {
    if (!ptr) return '';
    const u8 = new Uint8Array(memory.buffer);
    const bytes = (u8[ptr - 4]! | (u8[ptr - 3]! << 8) | (u8[ptr - 2]! << 16) | (u8[ptr - 1]! << 24)) >>> 0; // rtSize of the string
    let s = '';
    for (let i = 0; i + 1 < bytes; i += 2) s += String.fromCharCode(u8[ptr + i]! | (u8[ptr + i + 1]! << 8));
    return s;
  };
  return (msg: number, file: number, line: number, col: number): never => {
    throw new Error(`abort: ${str(msg)} at ${str(file)}:${line}:${col}`);
  };
}
