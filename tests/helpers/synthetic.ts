// A small synthetic classification problem: `classes` Gaussian blobs in `features` dimensions,
// centres drawn once from a seed. Linearly separable enough that a trained MLP clears 95 %.
import type { Backend } from '../../src/backend.js';
import { Dataset } from '../../src/data/dataset.js';
import { mulberry32 } from './fill.js';

export function blobs(lib: Backend, n: number, seed: number, features = 20, classes = 4, spread = 0.35): Dataset {
  const rc = mulberry32(12345); // centres: fixed, shared by train and test sets
  const centres = Float32Array.from({ length: classes * features }, () => rc());
  const r = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const x = new Float32Array(n * features), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let j = 0; j < features; j++) x[i * features + j] = centres[c * features + j]! + spread * gauss();
  }
  return Dataset.fromArrays(lib, `blobs-${seed}`, x, y, features, classes);
}
