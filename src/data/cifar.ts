// CIFAR-10 (Krizhevsky 2009): 50000 training and 10000 test 32 × 32 colour images in 10 classes, from a
// folder the user supplies holding the binary version (data_batch_1.bin … data_batch_5.bin,
// test_batch.bin; or that folder's usual name cifar-10-batches-bin inside it). Nothing is downloaded.
// Each record is 3073 bytes: the label, then the red, green and blue 32 × 32 planes row by row; rows
// are stored channels last (pixel (y, x), channel c at (y·32 + x)·3 + c), the layout of conv layers.
// Node only.
import type { Backend } from '../backend.js';
import { splitsFromBytes, type DatasetOptions, type Splits } from './dataset.js';

export const CIFAR10_TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'] as const;
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
const RECORD = 3073, PLANE = 1024, FEATURES = 3072;

/** Pixels reordered to channels last and labels of the records in `bytes` (checked: whole records, labels < 10). */
export function decodeCifar(bytes: Uint8Array, file: string): { pixels: Uint8Array; labels: Uint8Array } {
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new Error(`CIFAR-10: ${file} has ${bytes.length} bytes, expected a whole number of ${RECORD}-byte records (label + 3 × 32 × 32 pixels; the binary version)`);
  }
  const n = bytes.length / RECORD, pixels = new Uint8Array(n * FEATURES), labels = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const rec = r * RECORD, lab = bytes[rec]!;
    if (lab >= 10) throw new Error(`CIFAR-10: ${file} record ${r} has label ${lab}, expected 0..9 (is this the CIFAR-100 or the Python version?)`);
    labels[r] = lab;
    const out = r * FEATURES;
    for (let p = 0; p < PLANE; p++) {
      pixels[out + 3 * p] = bytes[rec + 1 + p]!;
      pixels[out + 3 * p + 1] = bytes[rec + 1 + PLANE + p]!;
      pixels[out + 3 * p + 2] = bytes[rec + 1 + 2 * PLANE + p]!;
    }
  }
  return { pixels, labels };
}

/** CIFAR-10 as train / test (/ validation) datasets in WASM memory, from opts.dataDir (required). */
export async function loadCifar10(lib: Backend, opts: DatasetOptions = {}): Promise<Splits> {
  const { existsSync } = await import('node:fs');
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const wanted = `${CIFAR10_TRAIN_FILES.join(', ')} and ${CIFAR10_TEST_FILE} (the binary version, 'CIFAR-10 binary version (for C programs)' at https://www.cs.toronto.edu/~kriz/cifar.html; nothing is downloaded)`;
  if (opts.dataDir === undefined) throw new Error(`CIFAR-10: pass --data-dir DIR (dataDir), a folder holding ${wanted}`);
  let dir = opts.dataDir;
  if (!existsSync(join(dir, CIFAR10_TEST_FILE)) && existsSync(join(dir, 'cifar-10-batches-bin', CIFAR10_TEST_FILE))) dir = join(dir, 'cifar-10-batches-bin');
  const names = [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE];
  const missing = names.filter((f) => !existsSync(join(dir, f)));
  if (missing.length) throw new Error(`CIFAR-10 not found: ${dir} lacks ${missing.join(', ')}; expected ${wanted}`);
  const parts = await Promise.all(names.map(async (f) => decodeCifar(new Uint8Array(await readFile(join(dir, f))), join(dir, f))));
  const test = parts.pop()!;
  const cat = (xs: Uint8Array[]) => {
    const out = new Uint8Array(xs.reduce((s, x) => s + x.length, 0));
    let o = 0;
    for (const x of xs) { out.set(x, o); o += x.length; }
    return out;
  };
  const trainLab = cat(parts.map((p) => p.labels)), trainPx = cat(parts.map((p) => p.pixels));
  return splitsFromBytes(lib, 'cifar10', trainPx, trainLab, test.pixels, test.labels, FEATURES, 10, opts);
}
