// The activation registry: name → kernel, parameters (in the kernel's p0, p1, p2 order) with defaults,
// and a description. A new nonlinearity is one op class (assembly/ops/<op>.ts), one export line
// (assembly/kernels/act.ts) and one entry here; Backend.act, the tests and the bench pick it up.
import type { ActKernels } from './wasm/kernels.js';

export interface ActivationSpec {
  /** The exported kernel, f32_<op>_fwd(n, p0, p1, p2, a, post, deriv). */
  readonly kernel: keyof ActKernels;
  /** Parameters with defaults; their key order is the kernel's p0, p1, p2 order. */
  readonly defaults: Readonly<Record<string, number>>;
  readonly description: string;
  /** Extra validity check of a full parameter set: an error message, or null when valid. */
  readonly check?: (p: Readonly<Record<string, number>>) => string | null;
}

export const ACTIVATIONS = {
  linear: { kernel: 'f32_linear_fwd', defaults: {}, description: 'identity: f(a) = a, f\'(a) = 1' },
  sigmoid: { kernel: 'f32_sigmoid_fwd', defaults: {}, description: 'logistic: f(a) = 1/(1 + e^-a)' },
  tanh: { kernel: 'f32_tanh_fwd', defaults: {}, description: 'hyperbolic tangent' },
  relu: { kernel: 'f32_relu_fwd', defaults: {}, description: 'rectifier: f(a) = max(a, 0), f\'(0) = 0' },
  leakyRelu: {
    kernel: 'f32_leaky_relu_fwd', defaults: { slope: 0.01 },
    description: 'leaky rectifier: f(a) = a for a > 0, slope·a otherwise',
  },
  hardSigmoid: {
    kernel: 'f32_hard_sigmoid_fwd', defaults: { lo: 0, hi: 1 },
    description: 'hard sigmoid (EqProp\'s ρ): clamp(a, lo, hi), f\' = 1 on [lo, hi] (inclusive)',
    check: (p) => (p.lo! <= p.hi! ? null : `lo (${p.lo}) must be <= hi (${p.hi})`),
  },
  softplus: { kernel: 'f32_softplus_fwd', defaults: {}, description: 'softplus: f(a) = log(1 + e^a), f\' = σ(a)' },
  softlif: {
    // Defaults: τref 2 ms, τRC 20 ms, γ 0.02, nengo-dl's SoftLIFRate values (Hunsberger's thesis, ch. on
    // spiking deep networks, uses γ = 0.02 with τRC 0.05 s, τref 1 ms).
    kernel: 'f32_softlif_fwd', defaults: { tauRef: 0.002, tauRC: 0.02, gamma: 0.02 },
    description: 'soft-LIF rate in Hz (Hunsberger & Eliasmith 2015): 1/(τref + τRC·log(1 + 1/j)), j = γ·log(1 + e^((a−1)/γ))',
    check: (p) => (p.tauRef! > 0 && p.tauRC! > 0 && p.gamma! > 0 ? null : `tauRef, tauRC and gamma must be > 0, got ${p.tauRef}, ${p.tauRC}, ${p.gamma}`),
  },
} as const satisfies Record<string, ActivationSpec>;

export type ActName = keyof typeof ACTIVATIONS;

/** The parameters of activation N (all optional when passed to Backend.act: defaults fill in). */
export type ActParams<N extends ActName> = { -readonly [K in keyof (typeof ACTIVATIONS)[N]['defaults']]: number };

export const ACT_NAMES = Object.keys(ACTIVATIONS) as ActName[];

/** Full parameters of `name` (defaults overridden by `params`), in kernel order; throws clear errors. */
export function resolveActParams(op: string, name: string, params: Readonly<Record<string, unknown>> | undefined): [number, number, number] {
  const spec = (ACTIVATIONS as Record<string, ActivationSpec>)[name];
  if (spec === undefined) throw new Error(`${op}: unknown activation '${name}' (known: ${ACT_NAMES.join(', ')})`);
  const keys = Object.keys(spec.defaults);
  const full: Record<string, number> = { ...spec.defaults };
  if (params !== undefined) {
    if (params === null || typeof params !== 'object') throw new TypeError(`${op}: params must be an object, got ${params === null ? 'null' : typeof params}`);
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      if (!keys.includes(k)) throw new Error(`${op}: '${name}' has no parameter '${k}' (parameters: ${keys.length ? keys.join(', ') : 'none'})`);
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${op}: ${name} parameter ${k} must be a finite number, got ${typeof v === 'number' ? v : typeof v}`);
      full[k] = v;
    }
  }
  const bad = spec.check?.(full);
  if (bad) throw new Error(`${op}: ${name}: ${bad}`);
  return [full[keys[0]!] ?? 0, full[keys[1]!] ?? 0, full[keys[2]!] ?? 0];
}

/** An activation resolved once (kernel and p0..p2): what a layer holds, so each call skips the lookup. */
export interface ResolvedAct {
  readonly name: ActName;
  readonly kernel: ActivationSpec['kernel'];
  readonly p: readonly [number, number, number];
}

/** Resolves `name` with `params` over its defaults (clear errors name `op`). */
export function resolveAct(op: string, name: string, params?: Readonly<Record<string, unknown>>): ResolvedAct {
  const p = resolveActParams(op, name, params);
  const n = name as ActName;
  return Object.freeze({ name: n, kernel: ACTIVATIONS[n].kernel, p: Object.freeze(p) });
}
