// TensorFlow.js's WASM backend as a peer, on ONE thread: tfjs-core + tfjs-backend-wasm 4.22 (XNNPACK),
// the SIMD non-threaded binary from the package's own dist/ (nothing downloads), multithreading off.
// Returns { tf, note } or { why } when it cannot load.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export async function loadTfjs() {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // never pick the threaded binary
    if (typeof wasm.setThreadsCount === 'function') wasm.setThreadsCount(1);
    wasm.setWasmPaths(dir + path.sep);
    if (!(await tf.setBackend('wasm'))) return { why: 'tf.setBackend("wasm") returned false' };
    await tf.ready();
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    if (!simd) return { why: 'the tfjs wasm backend did not pick its SIMD binary' };
    if (threads) return { why: 'the tfjs wasm backend is multithreaded' };
    const nthreads = typeof wasm.getThreadsCount === 'function' ? wasm.getThreadsCount() : 1;
    return { tf, note: `tfjs ${tf.version_core} wasm backend, SIMD, ${nthreads} thread` };
  } catch (e) {
    return { why: e?.message ?? String(e) };
  }
}
