// The computation fingerprint: a short digest of what a rule computes, in one form (rate or spiking, dense
// or convolutional), on the build that runs it. A run record carries it (`bioprop train --out`), and a sweep
// compares it with today's (src/report/stale.ts): a finished run whose rule now computes something else
// under the same settings (a changed kernel, encoder stream, simulator or default) is rerun, not reported.
//
// The probe: the rule at its defaults for that form, on a tiny fixed network (12-8-8-3 dense, or a small
// convolution on 6×6 images), trains two steps on seeded synthetic inputs and labels, then runs one
// evaluation pass; the digest is SHA-256 over the losses, every trained parameter (the rule's own
// included) and the evaluation outputs. Everything that decides those numbers is fixed here except the
// rule's code and defaults and the library's arithmetic, so the digest changes with those and with nothing
// else: not with the thread count (the kernels split work so that sums do not depend on it), not with the
// event/dense crossover (both paths give the same sums), not with timing. The network's sizes, the batch
// and the run's length are not the run's: defaults that only set those (hidden, batch, epochs) are
// compared as settings (src/report/stale.ts). Every form runs its full default presentation (dendrites'
// spiking phases included): on this network even the longest costs milliseconds, so nothing is shortened
// and every default reaches the digest. Browser-safe.
import type { Backend } from '../backend.js';
import type { AnyRule } from '../rules/types.js';
import type { Tensor } from '../core/tensor.js';
import { ruleForm } from '../rules/form.js';
import { Network, type NetworkOptions } from '../net/network.js';
import { SpikingNetwork, type SpikingOptions } from '../net/spiking.js';
import { Rng } from '../core/rng.js';
import { Sha256 } from '../core/sha256.js';
import { Trainer } from './trainer.js';

/** Hex digits kept of the SHA-256: 48 bits, so two different computations share one with odds ~2^-48. */
export const FINGERPRINT_DIGITS = 12;
/** Part of every digest: changing the probe itself (sizes, steps, what is hashed) must change this. */
const PROBE_VERSION = 'bioprop-probe-1';
const SEED = 1, ROWS = 4, CLASSES = 3, STEPS = 2;
const DENSE = { features: 12, hidden: [8, 8] };
// A convolution, average pooling (the only pooling a spiking network takes) and a dense layer: the layer
// kinds a convolutional run's rule reads, at a size where a step costs microseconds.
const CONV = { inputShape: [6, 6, 1] as const, arch: 'c2k3p1-a2-f8' };

export interface ProbeOptions {
  /** Simulator options over the form's (tests: e.g. the event/dense crossover forced either way). */
  sim?: Partial<SpikingOptions>;
  /** Parameters over the rule's defaults (tests: a changed parameter must change the digest). */
  ruleParams?: Record<string, unknown>;
  /** Training settings over the form's defaults (tests: a changed default must change the digest). */
  train?: Partial<{ lr: number; momentum: number; weightDecay: number }>;
}

/** The form a run of `rule` in `mode` on a network with (`conv`) or without convolutions is keyed by. */
export function fingerprintKey(rule: string, mode: 'rate' | 'spiking', conv: boolean): string {
  return `${rule} ${mode}${conv ? ' conv' : ''}`;
}

const bytes = (t: Tensor) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();

/**
 * The fingerprint of `rule` in `mode` (spiking-only rules always run spiking) on a dense network, or with
 * `conv` on a convolutional one, computed with `lib`: FINGERPRINT_DIGITS hex digits. Same rule code, same
 * defaults and same build give the same digest.
 */
export function computationFingerprint(lib: Backend, rule: AnyRule, mode: 'rate' | 'spiking', conv = false, o: ProbeOptions = {}): string {
  if (mode !== 'rate' && mode !== 'spiking') throw new Error(`fingerprint: mode must be 'rate' or 'spiking', got ${JSON.stringify(mode)}`);
  if (mode === 'spiking' && !rule.spiking) throw new Error(`fingerprint: rule '${rule.id}' has no spiking form`);
  if (conv && !rule.conv) throw new Error(`fingerprint: rule '${rule.id}' has no convolutional form`);
  if (conv && mode === 'spiking' && rule.spiking?.noConv) throw new Error(`fingerprint: rule '${rule.id}' has no convolutional spiking form`);
  const form = ruleForm(rule, mode === 'spiking', {}, conv);
  const t = { ...form.train, ...o.train };
  const features = conv ? CONV.inputShape[0] * CONV.inputShape[1] * CONV.inputShape[2] : DENSE.features;
  const netOptions: NetworkOptions = {
    sizes: conv ? [features, CLASSES] : [features, ...DENSE.hidden, CLASSES], activation: t.activation, init: t.init, batch: ROWS, seed: SEED,
    ...(conv ? { arch: CONV.arch, inputShape: CONV.inputShape } : {}),
  };
  const net = form.sim ? new SpikingNetwork(lib, { ...netOptions, spiking: { ...form.sim, seed: SEED, ...o.sim } }) : new Network(lib, netOptions);
  try {
    const trainer = new Trainer(lib, net, rule, {
      ruleParams: { ...form.ruleParams, ...o.ruleParams }, optimizer: t.optimizer, lr: t.lr, momentum: t.momentum,
      weightDecay: t.weightDecay, schedule: t.schedule, epochs: t.epochs, seed: SEED,
    });
    const h = new Sha256().update(`${PROBE_VERSION} ${fingerprintKey(rule.id, mode, conv)}\n`);
    // Inputs in [0, 1) (pixel intensities, what the encoders expect) and one-hot labels, from a fixed stream.
    const data = new Rng(SEED + 1);
    const batch = () => {
      const x = net.input.data, y = net.target.data;
      for (let i = 0; i < ROWS * features; i++) x[i] = data.uniform();
      y.fill(0);
      for (let r = 0; r < ROWS; r++) y[r * CLASSES + (data.nextU32() % CLASSES)] = 1;
    };
    const losses = new Float64Array(STEPS);
    for (let s = 0; s < STEPS; s++) {
      batch();
      losses[s] = trainer.step(ROWS);
    }
    h.update(new Uint8Array(losses.buffer));
    for (const p of trainer.params) h.update(bytes(p.value));
    batch();
    if (rule.forward) { trainer.ctx.rows = ROWS; rule.forward(trainer.ctx, trainer.state, trainer.ruleParams, false); } else net.forward(ROWS);
    h.update(bytes(net.output.post.head(ROWS)));
    return h.hex().slice(0, FINGERPRINT_DIGITS);
  } finally {
    net.dispose();
  }
}

/** Memoised fingerprints, one probe per rule/form key: what a sweep computes once for all its lines. */
export class Fingerprints {
  private readonly cache = new Map<string, string | null>();
  constructor(private readonly lib: Backend, private readonly registered: Record<string, AnyRule>) {}

  /**
   * Today's fingerprint of the form, or null for a rule not registered here, a form it does not have, or
   * one whose probe fails (a form that cannot train either: no run of it can be verified).
   */
  of(rule: string, mode: 'rate' | 'spiking', conv: boolean): string | null {
    const k = fingerprintKey(rule, mode, conv);
    if (!this.cache.has(k)) {
      const r = Object.hasOwn(this.registered, rule) ? this.registered[rule]! : undefined;
      let fp: string | null = null;
      if (r && (mode === 'rate' || r.spiking) && (!conv || r.conv)) {
        try { fp = computationFingerprint(this.lib, r, mode, conv); } catch { fp = null; }
      }
      this.cache.set(k, fp);
    }
    return this.cache.get(k)!;
  }

  /** How many probes ran (each form once, however many lines ask). */
  get probes(): number {
    return this.cache.size;
  }
}
