// Input encoders: pixel intensities x in [0, 1] → spike trains, one step at a time, and the spike
// amplitude that makes the time-average of amplitude·s an estimate of x (so a spiking layer sees the
// same mean input current as the rate network it mirrors).
//   poisson  s_t ~ Bernoulli(maxRate·dt·x), independent over pixels, rows and steps; counter-based
//            (f32_poisson_rows: the draw is a function of seed, window, step, row and pixel, so it does
//            not depend on threads, and certain pixels, x = 0, need none).       amplitude 1/(maxRate·dt)
//   rate     deterministic: a phase φ ← φ + maxRate·dt·x, spike and φ −= 1 when φ >= 1 (a non-leaky
//            integrate-and-fire with subtractive reset: f32_lif_step with decay 1).   amplitude 1/(maxRate·dt)
//   latency  time-to-first-spike: an RC membrane v ← λv + x (λ = exp(−dt/tau)) fires once when v >= 1,
//            then stays silent (refractory for the rest of the window): x = 1 fires on step 1, brighter
//            pixels earlier, x <= 1 − λ never (snnTorch's RC latency code).              amplitude `steps`
// State (phases, membranes) is reset by reset() at the start of every presentation window.
import type { Backend, LifParams, SpikeLists } from '../backend.js';
import type { Workspace } from '../core/workspace.js';
import type { Tensor } from '../core/tensor.js';

export type EncoderName = 'poisson' | 'rate' | 'latency';
export const ENCODERS: readonly EncoderName[] = ['poisson', 'rate', 'latency'];

export interface EncoderOptions {
  dt: number;
  steps: number;
  /** Peak rate (Hz) for x = 1 (poisson, rate). */
  maxRate: number;
  /** Membrane time constant of the latency code (s). */
  latencyTau?: number;
  seed: number;
}

export interface Encoder {
  readonly name: EncoderName;
  /** Spike amplitude a such that mean_t(a·s_t) ≈ x. */
  readonly amplitude: number;
  /** Starts a presentation window for the first `rows` rows of x. */
  reset(rows: number, x: Tensor): void;
  /** Writes step t's spikes (0/1) for the first rows rows into out; returns their number. */
  step(rows: number, t: number, x: Tensor, out: Tensor): number;
  /** Where the encoder can (poisson): step t as spike lists, row r's spiking inputs (increasing) in
   *  lists.list[r·features ..] and their number in lists.counts[r], and as 0/1 in out unless out is null
   *  (the same spikes as step()); returns their number. x must be the input reset() started the window on. */
  stepLists?(rows: number, t: number, x: Tensor, out: Tensor | null, lists: SpikeLists): number;
}

/** An encoder of `features` inputs for up to `batch` rows; every buffer (RNG state included) lives in ws. */
export function makeEncoder(lib: Backend, ws: Workspace, name: string, batch: number, features: number, o: EncoderOptions): Encoder & { dispose(): void } {
  if (!(ENCODERS as string[]).includes(name)) throw new Error(`encoder: unknown encoder '${name}' (known: ${ENCODERS.join(', ')})`);
  if (!(o.dt > 0) || !Number.isFinite(o.dt)) throw new RangeError(`encoder: dt must be > 0 s, got ${o.dt}`);
  if (!(o.maxRate > 0) || !Number.isFinite(o.maxRate)) throw new RangeError(`encoder: maxRate must be > 0 Hz, got ${o.maxRate}`);
  if (name !== 'latency' && o.maxRate * o.dt > 1) throw new RangeError(`encoder: maxRate·dt must be <= 1 (at most one spike per step), got ${o.maxRate}·${o.dt} = ${o.maxRate * o.dt}`);
  const n = batch * features;
  const p = o.maxRate * o.dt;
  if (name === 'poisson') {
    // The window counter (word 0, a u32) lives in a workspace tensor, so a saved run resumes the same
    // windows; every reset() starts a new window, hence new spikes for the same image.
    const state = ws.f32([4]), seed = o.seed | 0;
    let data: Float32Array | null = null, words: Uint32Array | null = null;
    const counter = (): Uint32Array => { // the view is re-made only when memory has grown
      if (state.data !== data) { data = state.data; words = new Uint32Array(data.buffer, data.byteOffset, 4); }
      return words!;
    };
    // The pixels that can spike (p·x > 0), listed once per window: a step as lists draws for those only.
    const lit = { idx: ws.i32(n), q: ws.f32([n]), counts: ws.i32(batch) };
    return {
      name: 'poisson', amplitude: 1 / p,
      reset(rows, x) {
        const w = counter();
        w[0] = (w[0]! + 1) >>> 0;
        lib.poissonPrepare(x.head(rows), p, lit);
      },
      step(rows, t, x, out) { return lib.poissonStep(out.head(rows), x.head(rows), p, seed, counter()[0]!, t); },
      stepLists(rows, t, _x, out, lists) {
        const count = lib.poissonSparseStep(rows, features, lit, seed, counter()[0]!, t, 0, lists);
        if (out) lib.listSpikes(out.head(rows), lists.list, lists.counts);
        return count;
      },
      dispose() {},
    };
  }
  // Flat [batch·features] state (its shape is part of a saved run); the first rows·features elements serve rows rows.
  const drive = ws.f32([n]), v = ws.f32([n]), refrac = ws.f32([n]);
  const rest = (m: number) => {
    lib.fill(v.head(m), 0);
    lib.fill(refrac.head(m), 0);
  };
  if (name === 'rate') {
    // An integrator without leak or surrogate that subtracts the threshold: spikes at rate p·x per step.
    const q: LifParams = { decay: 1, vTh: 1, vReset: 0, reset: 'subtract', refSteps: 0, surrogate: 0 };
    return {
      name: 'rate', amplitude: 1 / p,
      reset(rows, x) {
        const m = rows * features;
        lib.scal(lib.copy(drive.head(m), x.head(rows)), p);
        rest(m);
      },
      step(rows, _t, _x, out) {
        const m = rows * features;
        return lib.lifStep(drive.head(m), v.head(m), refrac.head(m), out.head(rows), null, q);
      },
      dispose() {},
    };
  }
  // Fires once, then stays refractory for the rest of the window.
  const q: LifParams = { decay: Math.exp(-o.dt / (o.latencyTau ?? 20e-3)), vTh: 1, vReset: 0, reset: 'zero', refSteps: o.steps + 1, surrogate: 0 };
  return {
    name: 'latency', amplitude: o.steps,
    reset(rows) { rest(rows * features); },
    step(rows, _t, x, out) {
      const m = rows * features;
      return lib.lifStep(x.head(rows), v.head(m), refrac.head(m), out.head(rows), null, q);
    },
    dispose() {},
  };
}
