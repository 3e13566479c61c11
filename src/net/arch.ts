// Network architectures as layer lists: the spec grammar of `--arch` and NetworkOptions.arch
// (docs/conv.md), the presets, and the shape plan that checks a spec against an input before any
// buffer is made. Tokens, '-'-separated, input side first:
//   c<O>k<K>[s<S>][p<P>]   convolution: O channels, K×K kernel, stride S (1), zero padding P (0)
//   p<K>[s<S>]             max pooling over K×K windows, stride S (K), after a convolution
//   a<K>[s<S>]             average pooling, likewise
//   f<N>                   dense layer of N units
// The output layer (dense, one unit per class) is not part of the spec.
import { ConvGeometry, PoolGeometry } from '../backend/conv.js';

export interface ConvSpec { kind: 'conv'; channels: number; k: number; stride: number; pad: number; pool: PoolSpec | null }
export interface PoolSpec { kind: 'max' | 'avg'; k: number; stride: number }
export interface DenseSpec { kind: 'dense'; units: number }
export type LayerSpec = ConvSpec | DenseSpec;

/** Named architectures. LeNet-5 (LeCun et al. 1998) on 28×28 input: padding 2 gives its 32×32 first stage. */
export const ARCH_PRESETS: Readonly<Record<string, string>> = Object.freeze({
  lenet5: 'c6k5p2-p2-c16k5-p2-f120-f84',
  // LeNet-5 with average pooling, as LeCun et al.'s own subsampling layers and Hunsberger & Eliasmith's
  // spiking networks pool: the one a spiking network can run (see maxPoolInSpiking).
  lenet5avg: 'c6k5p2-a2-c16k5-a2-f120-f84',
});

const GRAMMAR = 'c<channels>k<kernel>[s<stride>][p<padding>], p<window>[s<stride>] (max pooling), a<window>[s<stride>] (average pooling) or f<units>';
const MAX = 1 << 16;

/** Error naming the flag (or API option), what was expected and what was given. */
function bad(flag: string, spec: string, what: string): Error {
  return new Error(`${flag}: ${what} (in '${spec}'; layers are ${GRAMMAR}, '-'-separated, or a preset: ${Object.keys(ARCH_PRESETS).join(', ')})`);
}

function count(flag: string, spec: string, tok: string, name: string, v: string | undefined, dflt: number, lo: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > MAX) throw bad(flag, spec, `layer '${tok}' has ${name} ${v}, expected an integer in [${lo}, ${MAX}]`);
  return n;
}

/** The layers of a spec or preset name; `flag` names the option in errors ('--arch', 'network: arch'). */
export function parseArch(spec: string, flag = '--arch'): LayerSpec[] {
  if (typeof spec !== 'string' || spec.trim() === '') throw new Error(`${flag}: expected a layer spec such as ${ARCH_PRESETS.lenet5} or a preset (${Object.keys(ARCH_PRESETS).join(', ')}), got ${JSON.stringify(spec)}`);
  const full = ARCH_PRESETS[spec] ?? spec;
  const layers: LayerSpec[] = [];
  for (const [i, tok] of full.split('-').entries()) {
    let m: RegExpExecArray | null;
    if ((m = /^c(\d+)k(\d+)(?:s(\d+))?(?:p(\d+))?$/.exec(tok))) {
      if (layers.length > 0 && layers[layers.length - 1]!.kind === 'dense') throw bad(flag, full, `convolution '${tok}' (layer ${i + 1}) follows a dense layer; convolutions must come first`);
      layers.push({ kind: 'conv', channels: count(flag, full, tok, 'channels', m[1], 1, 1), k: count(flag, full, tok, 'kernel size', m[2], 1, 1),
        stride: count(flag, full, tok, 'stride', m[3], 1, 1), pad: count(flag, full, tok, 'padding', m[4], 0, 0), pool: null });
    } else if ((m = /^([pa])(\d+)(?:s(\d+))?$/.exec(tok))) {
      const prev = layers[layers.length - 1];
      if (!prev || prev.kind !== 'conv') throw bad(flag, full, `pooling '${tok}' (layer ${i + 1}) must follow a convolution, got ${prev ? 'a dense layer' : 'nothing'} before it`);
      if (prev.pool) throw bad(flag, full, `pooling '${tok}' (layer ${i + 1}) follows another pooling; one pooling per convolution`);
      const k = count(flag, full, tok, 'window', m[2], 1, 1);
      prev.pool = { kind: m[1] === 'p' ? 'max' : 'avg', k, stride: count(flag, full, tok, 'stride', m[3], k, 1) };
    } else if ((m = /^f(\d+)$/.exec(tok))) {
      layers.push({ kind: 'dense', units: count(flag, full, tok, 'units', m[1], 1, 1) });
    } else {
      throw bad(flag, full, `layer ${i + 1} '${tok}' is not a layer`);
    }
  }
  return layers;
}

/** Whether a spec or preset has convolutional layers (false for a spec that does not parse: parseArch
 *  says why when the network is built). */
export function hasConv(spec: string): boolean {
  try {
    return parseArch(spec).some((l) => l.kind === 'conv');
  } catch {
    return false;
  }
}

/** A spec written back (presets expanded): what a run record and a saved network keep. */
export function formatArch(layers: readonly LayerSpec[]): string {
  return layers.map((l) => {
    if (l.kind === 'dense') return `f${l.units}`;
    const c = `c${l.channels}k${l.k}${l.stride !== 1 ? `s${l.stride}` : ''}${l.pad ? `p${l.pad}` : ''}`;
    return l.pool ? `${c}-${l.pool.kind === 'max' ? 'p' : 'a'}${l.pool.k}${l.pool.stride !== l.pool.k ? `s${l.pool.stride}` : ''}` : c;
  }).join('-');
}

/** One weight layer of a planned network: its geometry and the widths it reads and hands on. */
export interface PlannedLayer {
  spec: LayerSpec;
  conv: ConvGeometry | null;
  pool: PoolGeometry | null;
  /** Width of the layer's input, of its units (a, deriv, delta), of what it hands on (post). */
  inSize: number;
  outSize: number;
  postSize: number;
}

/**
 * The shapes of `layers` on an h×w×c input (inputShape [h, w, c]): every kernel and window must fit
 * what reaches it. Errors name `flag`, the layer, its input and what would fit.
 */
export function planArch(layers: readonly LayerSpec[], inputShape: readonly number[], flag = '--arch'): PlannedLayer[] {
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${flag}: the input shape must be [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`);
  }
  let [h, w, c] = inputShape as [number, number, number];
  let spatial = true;
  const plan: PlannedLayer[] = [];
  const spec = formatArch(layers);
  for (const [i, l] of layers.entries()) {
    const inSize = spatial ? h * w * c : c;
    if (l.kind === 'dense') {
      plan.push({ spec: l, conv: null, pool: null, inSize, outSize: l.units, postSize: l.units });
      spatial = false;
      c = l.units;
      continue;
    }
    if (!spatial) throw bad(flag, spec, `convolution ${i + 1} follows a dense layer`);
    const fits = Math.min(h, w) + 2 * l.pad;
    if (l.k > fits) throw bad(flag, spec, `layer ${i + 1} (c${l.channels}k${l.k}) has a ${l.k}×${l.k} kernel but its input is ${h}×${w}×${c} with padding ${l.pad} (expected a kernel of at most ${fits})`);
    const conv = new ConvGeometry(h, w, c, l.k, l.stride, l.pad, flag);
    const outSize = conv.positions * l.channels;
    [h, w, c] = [conv.ho, conv.wo, l.channels];
    let pool: PoolGeometry | null = null;
    if (l.pool) {
      if (l.pool.k > Math.min(h, w)) throw bad(flag, spec, `the pooling after layer ${i + 1} has a ${l.pool.k}×${l.pool.k} window but the convolution's output is ${h}×${w}×${c} (expected a window of at most ${Math.min(h, w)})`);
      pool = new PoolGeometry(h, w, c, l.pool.k, l.pool.stride, flag);
      [h, w] = [pool.ho, pool.wo];
    }
    plan.push({ spec: l, conv, pool, inSize, outSize, postSize: h * w * c });
  }
  return plan;
}

/**
 * Why a spiking network cannot take `layers` (null when it can): the max of spike trains is not the max
 * of their rates, while average pooling is linear, so pooling the spikes of each step gives the pooled
 * rates in expectation. The message names `flag` and gives the average-pooled spec.
 */
export function maxPoolInSpiking(layers: readonly LayerSpec[], flag = '--arch'): string | null {
  const i = layers.findIndex((l) => l.kind === 'conv' && l.pool?.kind === 'max');
  if (i < 0) return null;
  const spec = formatArch(layers);
  const avg = formatArch(layers.map((l) => (l.kind === 'conv' && l.pool ? { ...l, pool: { ...l.pool, kind: 'avg' as const } } : l)));
  const preset = Object.entries(ARCH_PRESETS).find(([, v]) => v === avg)?.[0];
  return `${flag}: ${spec} max-pools after layer ${i + 1}, and spiking layers cannot: the max of spike trains is not the max of their rates. ` +
    `Spiking networks take average pooling (a<window>), which is linear in the spikes, e.g. ${avg}${preset ? ` (preset ${preset})` : ''}`;
}
