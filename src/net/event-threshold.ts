// The spike density below which event-driven propagation (add up the weight rows of the inputs that
// spiked) beats a dense GEMM, measured on this machine rather than fixed: the crossover depends on the
// SIMD width, the caches and the GEMM's threads. Both paths give the same sums (f32_event_nn and
// f32_event_list_nn are bit-identical to the GEMM), so the choice changes the time, never the result.
// A short calibration per layer shape and backend, once per process (cached): the dense product, and the
// event kernel at no spikes and at density 0.1; the event cost is close to linear in the spike count,
// so the crossover is where that line meets the dense time.
import type { Backend } from '../backend.js';
import type { ConvGeometry } from '../backend/conv.js';

const cache = new WeakMap<Backend, Map<string, number>>();
const PROBE = 0.1; // the density of the timed spike pattern
const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Fastest of `reps` runs of fn, in ms (the minimum: other jobs on the machine only ever add time). */
function fastest(fn: () => void, reps = 3): number {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    fn();
    best = Math.min(best, now() - t0);
  }
  return best;
}

/**
 * The crossover density for propagating `rows` rows of k inputs into n outputs: event-driven below it,
 * dense GEMM above. lists: the event path reads spike lists (f32_event_list_nn) rather than scanning the
 * spike matrix (f32_event_nn). Cached per backend and shape.
 */
export function eventThreshold(lib: Backend, rows: number, k: number, n: number, lists: boolean): number {
  let byShape = cache.get(lib);
  if (!byShape) cache.set(lib, (byShape = new Map()));
  const key = `${rows}x${k}x${n}${lists ? ' lists' : ''}`;
  const known = byShape.get(key);
  if (known !== undefined) return known;
  const W = lib.tensor([n, k]), WT = lib.tensor([k, n]), S0 = lib.tensor([rows, k]), S1 = lib.tensor([rows, k]);
  const out = lib.tensor([rows, n]);
  const list = lib.ints('i32', rows * k), none = lib.ints('i32', rows), some = lib.ints('i32', rows);
  try {
    const w = W.data;
    for (let i = 0; i < w.length; i++) w[i] = ((i * 7919) % 201) / 100 - 1;
    lib.transpose(WT, W);
    spread(S1.data, rows, k, list.data, some.data);
    const event = lists
      ? (sp: typeof some) => () => { lib.eventListMatmul(out, list, sp, WT); }
      : (sp: typeof some) => () => { lib.eventMatmul(out, sp === some ? S1 : S0, WT); };
    return remember(byShape, key, fastest(() => lib.gemm(out, S1, W, 'nt')), fastest(event(none)), fastest(event(some)));
  } finally {
    for (const t of [W, WT, S0, S1, out]) t.dispose();
    for (const b of [list, none, some]) b.dispose();
  }
}

/** A spread pattern at density PROBE: input j of row r spikes when (r·k + j)·φ mod 1 < PROBE (in s, and
 *  as lists in list/counts when given). */
function spread(s: Float32Array, rows: number, k: number, list?: Int32Array, counts?: Int32Array): void {
  for (let r = 0; r < rows; r++) {
    let cnt = 0;
    for (let j = 0; j < k; j++) {
      if (((r * k + j) * 0.6180339887) % 1 < PROBE) { s[r * k + j] = 1; if (list) list[r * k + cnt++] = j; }
    }
    if (counts) counts[r] = cnt;
  }
}

/** The crossover where the event cost line (t0 at no spikes, t1 at PROBE) meets the dense time; cached. */
function remember(byShape: Map<string, number>, key: string, dense: number, t0: number, t1: number): number {
  const slope = Math.max(t1 - t0, 1e-9) / PROBE;
  const rho = Math.min(1, Math.max(0, (dense - t0) / slope));
  byShape.set(key, rho);
  return rho;
}

/**
 * The crossover density for a convolution of `rows` examples (geometry g, O output channels) between
 * the event-driven scatter (eventConv2d) and im2col + GEMM (conv2d): the fraction of nonzero inputs below
 * which the scatter is faster. 0 when k·k·c exceeds the GEMM's K block (256), where the two no longer
 * give the same bits, so the choice would change the result. Cached per backend and shape.
 */
export function convEventThreshold(lib: Backend, rows: number, g: ConvGeometry, O: number): number {
  if (g.patch > 256) return 0;
  let byShape = cache.get(lib);
  if (!byShape) cache.set(lib, (byShape = new Map()));
  const key = `conv ${rows} ${g} ${O}`;
  const known = byShape.get(key);
  if (known !== undefined) return known;
  const W = lib.tensor([O, g.patch]), WT = lib.tensor([g.patch, O]), S0 = lib.tensor([rows, g.inSize]), S1 = lib.tensor([rows, g.inSize]);
  const out = lib.tensor([rows, g.positions * O]), cols = lib.tensor([rows * g.positions, g.patch]);
  try {
    const w = W.data;
    for (let i = 0; i < w.length; i++) w[i] = ((i * 7919) % 201) / 100 - 1;
    lib.transpose(WT, W);
    spread(S1.data, rows, g.inSize);
    const dense = fastest(() => lib.conv2d(out, S1, W, null, cols, g));
    return remember(byShape, key, dense, fastest(() => lib.eventConv2d(out, S0, WT, g)), fastest(() => lib.eventConv2d(out, S1, WT, g)));
  } finally {
    for (const t of [W, WT, S0, S1, out, cols]) t.dispose();
  }
}
