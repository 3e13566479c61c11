// Learned inverse (feedback) layers shared by the target-propagation rules (dtp, dtp-inference).
// Hidden layer i (i ≥ 1) gets a decoder g_i(h) = f_{i−1}(V_i h + c_i) mapping its activity back to
// layer i−1: V_i [n_{i−1}, n_i], c_i [n_{i−1}], f_{i−1} the activation of layer i−1 (tanh in Lee et
// al. 2015). There is no decoder to the input. V and c are rule params: the shared optimiser steps
// them from dV, dc, which `inverseGrads` writes (loss-gradient sign, mean over the batch).
//
// Feedback losses (per layer, on noisy h̃ = h_{i−1} + σε, ε ~ N(0, I)):
//   'dae' (Lee et al. 2015): ½‖g_i(f_i(h̃)) − h̃‖²                                   (denoising autoencoder)
//   'drl' (difference reconstruction loss, Meulemans et al. 2020, restricted to one layer):
//         ½‖g_i(f_i(h̃)) − g_i(f_i(h_{i−1})) − (h̃ − h_{i−1})‖²                      (what the difference
//         correction actually needs: the Jacobian of g_i ∘ f_i close to I around h_{i−1})
// Difference-corrected targets: ĥ_{i−1} = h_{i−1} + g_i(ĥ_i) − g_i(h_i)  (Lee et al. 2015, eq. 13).
//
// Rate model (RateModel): both losses push h̃ through f_i, and g_i ends in f_{i−1}. On a rate network f is
// the layer activation. On a spiking network the decoders meet LIF firing rates, so f can be the LIF rate
// curve itself ('lif'): the soft-LIF rate of Hunsberger & Eliasmith 2015 (arXiv:1510.08829) at the
// simulator's neuron constants and input current J = offset + gain·(W·h + b), in the units of `post`.
// 'activation' keeps the layer activation (ReLU in the spiking forms): its rates are not the LIF curve's
// (they grow linearly where the LIF rate saturates towards 1/refractory), so decoders trained on it invert
// a different forward map from the one the spiking targets pass through.
import type { Network, Layer, Param } from '../../net/network.js';
import type { Tensor } from '../../core/tensor.js';
import type { Workspace } from '../../core/workspace.js';
import type { Rng } from '../../core/rng.js';
import type { WasmRng } from '../../wasm/rng.js';
import type { StepContext } from '../types.js';
import { SpikingNetwork } from '../../net/spiking.js';
import { resolveAct } from '../../activations.js';
import { softLifRate, type SoftLifCurve } from './soft-lif.js';

export type FeedbackLoss = 'dae' | 'drl';

/** The rate model of a layer in the decoders and the feedback loss (see the header). */
export type RateModel = 'activation' | 'lif';
export const RATE_MODELS: readonly RateModel[] = ['activation', 'lif'];

/**
 * A spiking network's LIF rate curve in `post` units: post = scale·softlif(J'), J' = shift + slope·a, with
 * J' the input current normalised so that reset is 0 and threshold 1 (the form softlif takes); deriv =
 * scale·slope·softlif'(J').
 */
export interface LifRate extends SoftLifCurve {
  /** Scratch for J' [batch, widest layer]. */
  J: Tensor;
}

export interface InverseLayer {
  /** Index of the hidden layer whose activity g reads (its output goes to layer index − 1). */
  index: number;
  V: Tensor; // [n_{i−1}, n_i]
  c: Tensor; // [n_{i−1}]
  dV: Tensor;
  dc: Tensor;
  /** Scratch [batch, n_{i−1}]: pre-activation, output and derivative of g on the current input. */
  ga: Tensor;
  gh: Tensor;
  gd: Tensor;
  /** g_i(h_i) on the clean forward activity, kept for the difference correction and the DRL. */
  g0a: Tensor;
  g0h: Tensor;
  g0d: Tensor;
  /** Scratch for the feedback loss: noisy input [batch, n_{i−1}], f_i of it [batch, n_i] (+ derivative). */
  noise: Tensor;
  zin: Tensor;
  za: Tensor;
  zh: Tensor;
  zd: Tensor;
  err: Tensor;
  /** The LIF rate curve that stands for f (rateModel 'lif' on a spiking network), else null: the activation. */
  lif: LifRate | null;
}

export interface Inverses {
  layers: (InverseLayer | null)[]; // per network layer; null where there is no decoder
  /** The generator of the feedback noise (state in the workspace). */
  rng: WasmRng;
}

function hiddenLayers(net: Network): Layer[] {
  return net.layers.slice(0, net.layers.length - 1);
}

/**
 * The LIF rate curve of a spiking network's neurons (continuous time, reset to vReset: the soft-LIF of
 * Hunsberger & Eliasmith 2015, smoothed by its γ), or null on a rate network. `op` names the rule in errors.
 */
export function lifRate(op: string, net: Network, ws: Workspace): LifRate | null {
  if (!(net instanceof SpikingNetwork)) return null;
  const sim = net.sim, np = sim.np as unknown as Record<string, unknown>;
  if (sim.neuron.id !== 'lif' || np.reset !== 'zero') {
    throw new Error(`${op}: rateModel 'lif' is the rate curve of LIF neurons that reset to vReset; this network runs '${sim.neuron.id}' neurons with reset '${String(np.reset)}' (use --param rateModel=activation)`);
  }
  const vTh = np.vTh as number, vReset = np.vReset as number, span = vTh - vReset;
  const act = resolveAct(op, 'softlif', { tauRef: np.refractory as number, tauRC: np.tauMem as number });
  const widest = Math.max(...hiddenLayers(net).map((l) => l.outSize));
  return { act, scale: sim.rateScale, shift: (sim.offset - vReset) / span, slope: sim.gain / span, J: ws.f32([net.batch * widest]) };
}

/** f(a) of `layer` (its activation, or the LIF rate curve when `lif` is given) into post, derivative into d. */
export function rateOf(net: Network, lif: LifRate | null, layer: Layer, post: Tensor, a: Tensor, d: Tensor): void {
  const lib = net.lib;
  if (!lif) {
    lib.activate(layer.act, post, a, d);
    return;
  }
  softLifRate(lib, lif, lif.J.matrix(a.shape[0]!, a.shape[1]!), a, post, d);
}

/**
 * Decoders for hidden layers 1..H−1, initialised like forward weights of their shape (Xavier uniform).
 * `model` 'lif' applies on a spiking network only (a rate network always uses its activation).
 */
export function makeInverses(net: Network, ws: Workspace, rng: Rng, model: RateModel = 'activation', op = 'inverses'): Inverses {
  const B = net.batch;
  const hidden = hiddenLayers(net);
  const lif = model === 'lif' ? lifRate(op, net, ws) : null;
  const layers: (InverseLayer | null)[] = net.layers.map(() => null);
  const r = net.lib.rng(rng.nextU32() | 0);
  try {
    for (let i = 1; i < hidden.length; i++) {
      const l = hidden[i]!, lo = l.inSize, hi = l.outSize;
      const V = ws.f32([lo, hi]);
      const c0 = Math.sqrt(6 / (lo + hi));
      r.uniform(V, -c0, c0);
      layers[i] = {
        index: i, V, c: ws.f32([lo]), dV: ws.f32([lo, hi]), dc: ws.f32([lo]),
        ga: ws.f32([B, lo]), gh: ws.f32([B, lo]), gd: ws.f32([B, lo]),
        g0a: ws.f32([B, lo]), g0h: ws.f32([B, lo]), g0d: ws.f32([B, lo]),
        noise: ws.f32([B, lo]), zin: ws.f32([B, lo]), za: ws.f32([B, hi]), zh: ws.f32([B, hi]), zd: ws.f32([B, hi]),
        err: ws.f32([B, lo]), lif,
      };
    }
  } finally {
    r.dispose();
  }
  return { layers, rng: net.lib.rngIn(ws.f32([4]), rng.nextU32() | 0) };
}

/** The decoders' trainable params (V_i, c_i) for the shared optimiser. */
export function inverseParams(inv: Inverses): Param[] {
  const ps: Param[] = [];
  for (const g of inv.layers) {
    if (!g) continue;
    ps.push({ name: `V${g.index}`, value: g.V, grad: g.dV, decay: true });
    ps.push({ name: `c${g.index}`, value: g.c, grad: g.dc, decay: false });
  }
  return ps;
}

/** g_i(x) for the first `rows` rows of x [batch, n_i]: writes pre-activation, output, derivative. */
export function decode(net: Network, g: InverseLayer, rows: number, x: Tensor, a: Tensor, h: Tensor, d: Tensor): void {
  const lib = net.lib, lower = net.layers[g.index - 1]!;
  lib.gemm(a.head(rows), x.head(rows), g.V, 'nt');
  if (net.bias) lib.addRow(a.head(rows), g.c);
  rateOf(net, g.lif, lower, h.head(rows), a.head(rows), d.head(rows));
}

/**
 * A feedback map for target propagation: writes g_i(src) into dst ([rows, n_{i−1}]). The learned
 * decoders are one such map; the tests pass the exact layer inverse to check the theory.
 */
export type FeedbackMap = (i: number, src: Tensor, dst: Tensor, rows: number) => void;

/** The learned decoders as a FeedbackMap (output written to dst, scratch in the decoder's ga/gd). */
export function learnedFeedback(net: Network, inv: Inverses): FeedbackMap {
  return (i, src, dst, rows) => {
    const g = inv.layers[i]!;
    if (dst === g.g0h) decode(net, g, rows, src, g.g0a, dst, g.g0d);
    else decode(net, g, rows, src, g.ga, dst, g.gd);
  };
}

/**
 * Difference-corrected target propagation from hidden layer `top` down to layer 0:
 *   ĥ_{i−1} = h_{i−1} + g_i(ĥ_i) − g_i(h_i).
 * targets[top] must already hold ĥ_top; g_i(h_i) is written into `clean[i]` (reused by the DRL),
 * g_i(ĥ_i) into `scratch[i]`.
 */
export function differenceTargets(
  ctx: StepContext, top: number, targets: Tensor[], fb: FeedbackMap, clean: Tensor[], scratch: Tensor[],
): void {
  const { net, rows } = ctx;
  const lib = net.lib;
  for (let i = top; i >= 1; i--) {
    const lower = net.layers[i - 1]!;
    fb(i, targets[i]!, scratch[i]!, rows);
    fb(i, net.layers[i]!.post, clean[i]!, rows);
    const t = targets[i - 1]!.head(rows);
    lib.axpy(lib.sub(t, scratch[i]!.head(rows), clean[i]!.head(rows)), 1, lower.post.head(rows));
  }
}

/**
 * Writes dV, dc of every decoder from its feedback loss (mean over rows). For 'drl' the decoders'
 * g0h/g0d must hold g_i(h_i) (differenceTargets with `clean` = the g0h buffers does that).
 */
export function inverseGrads(ctx: StepContext, inv: Inverses, sigma: number, loss: FeedbackLoss): void {
  const { net, rows } = ctx;
  const lib = net.lib, invRows = 1 / rows;
  for (const g of inv.layers) {
    if (!g) continue;
    const lower = net.layers[g.index - 1]!, up = net.layers[g.index]!;
    // h̃ = h_{i−1} + σε  (noise kept in g.noise for the DRL)
    inv.rng.normal(g.noise.head(rows), 0, sigma);
    lib.add(g.zin.head(rows), lower.post.head(rows), g.noise.head(rows));
    // z = f_i(h̃)
    lib.gemm(g.za.head(rows), g.zin.head(rows), up.W, 'nt');
    if (net.bias) lib.addRow(g.za.head(rows), up.b);
    rateOf(net, g.lif, up, g.zh.head(rows), g.za.head(rows), g.zd.head(rows));
    // r̃ = g_i(z)
    decode(net, g, rows, g.zh, g.ga, g.gh, g.gd);
    if (loss === 'dae') {
      // err = (r̃ − h̃) ⊙ g'
      lib.sub(g.err.head(rows), g.gh.head(rows), g.zin.head(rows));
      lib.mul(g.err.head(rows), g.err.head(rows), g.gd.head(rows));
      lib.gemm(g.dV, g.err.head(rows), g.zh.head(rows), 'tn', invRows, 0);
      if (net.bias) lib.sumRows(g.dc, g.err.head(rows), invRows, 0);
    } else {
      // e = r̃ − r − σε;  dV = (e ⊙ g'(z̃))ᵀ z̃ − (e ⊙ g'(z))ᵀ h_i
      lib.sub(g.err.head(rows), g.gh.head(rows), g.g0h.head(rows));
      lib.sub(g.err.head(rows), g.err.head(rows), g.noise.head(rows));
      lib.mul(g.gh.head(rows), g.err.head(rows), g.gd.head(rows)); // gh: e ⊙ g'(z̃) (gh no longer needed)
      lib.mul(g.err.head(rows), g.err.head(rows), g.g0d.head(rows)); // err: e ⊙ g'(z)
      lib.gemm(g.dV, g.gh.head(rows), g.zh.head(rows), 'tn', invRows, 0);
      lib.gemm(g.dV, g.err.head(rows), up.post.head(rows), 'tn', -invRows, 1);
      if (net.bias) {
        lib.sub(g.gh.head(rows), g.gh.head(rows), g.err.head(rows));
        lib.sumRows(g.dc, g.gh.head(rows), invRows, 0);
      }
    }
  }
}

/** Top hidden target ĥ_{H−1} = h_{H−1} − η̂ ∂L/∂h_{H−1}, with ∂L/∂h_{H−1} = e · W_H (one local step). */
export function topTarget(ctx: StepContext, step: number, out: Tensor): void {
  const { net, rows } = ctx;
  const L = net.output, top = net.layers[L.index - 1]!;
  net.lib.gemm(out.head(rows), net.error.head(rows), L.W, 'nn', -step, 0);
  net.lib.axpy(out.head(rows), 1, top.post.head(rows));
}
