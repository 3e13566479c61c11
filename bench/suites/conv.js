// Convolution: LeNet-5's two convolutions at batch 100 (conv1 28×28×1 → 6 channels, 5×5, padding 2;
// conv2 14×14×6 → 16 channels, 5×5, no padding), channels last, no bias, beside TensorFlow.js's WASM
// backend (tfjs-core + tfjs-backend-wasm 4.22, XNNPACK, SIMD, one thread: bench/peers/tfjs.js).
//   forward       ours: im2col + GEMM (lib.conv2d)            tfjs: tf.conv2d
//   input grad    ours: GEMM + col2im (lib.conv2dInputGrad)   tfjs: tf.conv2dTranspose (its Conv2DBackpropInput)
//   weight grad   ours: GEMM on the forward's patches          tfjs: Conv3DBackpropFilterV2 on a depth-1 volume
//   step          forward + input grad + weight grad, the work of one training step of the layer
// The wasm backend registers no Conv2DBackpropFilter kernel; its 3-D filter gradient over a volume one
// voxel deep is the same sum and is the only native filter gradient it has. Our weight gradient reads
// the patches the forward pass stored, so the `step` case is the fair whole.
import { ConvGeometry } from '../../dist/src/index.js';
import { loadTfjs } from '../peers/tfjs.js';
import { fill } from './gemm.js';

const LAYERS = [
  { name: 'conv1', h: 28, w: 28, c: 1, k: 5, pad: 2, O: 6, tfPad: 'same' },
  { name: 'conv2', h: 14, w: 14, c: 6, k: 5, pad: 0, O: 16, tfPad: 'valid' },
];

export default async ({ lib, quick }) => {
  const tfjs = await loadTfjs();
  console.log(tfjs.tf ? `conv peer: ${tfjs.note}` : `conv: skipping the tfjs-wasm peer: ${tfjs.why}`);
  const tf = tfjs.tf;
  const n = quick ? 20 : 100;
  const cases = [];
  for (const L of LAYERS) {
    const g = new ConvGeometry(L.h, L.w, L.c, L.k, 1, L.pad);
    const x = lib.tensor([n, g.inSize]), W = lib.tensor([L.O, g.patch]), out = lib.tensor([n, g.positions * L.O]);
    const cols = lib.tensor([n * g.positions, g.patch]), dcols = lib.tensor([n * g.positions, g.patch]);
    const delta = lib.tensor([n, g.positions * L.O]), dx = lib.tensor([n, g.inSize]), dW = lib.tensor([L.O, g.patch]);
    fill(x.data, 1); fill(W.data, 2); fill(delta.data, 3);
    const fwd = () => lib.conv2d(out, x, W, null, cols, g);
    const igrad = () => lib.conv2dInputGrad(dx, delta, W, dcols, g);
    const wgrad = () => lib.conv2dWeightGrad(dW, null, delta, cols, g);
    fwd(); // the weight gradient reads the patches of a forward pass
    const macs = n * g.positions * L.O * g.patch;
    let peers = {}, tfTensors = [];
    if (tf) {
      // tfjs layouts: x [n, h, w, c]; filter [k, k, c, O]; our W [O, k·k·c] with (ky, kx, ch) inner order.
      const wt = new Float32Array(L.k * L.k * L.c * L.O);
      for (let o = 0; o < L.O; o++) for (let p = 0; p < g.patch; p++) wt[p * L.O + o] = W.data[o * g.patch + p];
      const tx = tf.tensor4d(x.toArray(), [n, L.h, L.w, L.c]), tw = tf.tensor4d(wt, [L.k, L.k, L.c, L.O]);
      const tdy = tf.tensor4d(delta.toArray(), [n, g.ho, g.wo, L.O]);
      const tx5 = tf.reshape(tx, [n, 1, L.h, L.w, L.c]), tdy5 = tf.reshape(tdy, [n, 1, g.ho, g.wo, L.O]);
      tfTensors = [tx, tw, tdy, tx5, tdy5];
      const run = (f) => () => { const r = f(); r.dataSync(); r.dispose(); };
      const tFwd = () => tf.conv2d(tx, tw, 1, L.tfPad);
      const tIgrad = () => tf.conv2dTranspose(tdy, tw, [n, L.h, L.w, L.c], 1, L.tfPad);
      const tWgrad = () => tf.engine().runKernel('Conv3DBackpropFilterV2', { x: tx5, dy: tdy5 },
        { strides: [1, 1, 1, 1, 1], pad: L.tfPad, filterShape: [1, L.k, L.k, L.c, L.O] });
      // The peer's results must be the same numbers as ours, or the comparison means nothing.
      const check = (what, t, ours, reshape) => {
        const a = reshape ? reshape(t.dataSync()) : t.dataSync();
        let err = 0, ref = 0;
        for (let i = 0; i < a.length; i++) { err = Math.max(err, Math.abs(a[i] - ours[i])); ref = Math.max(ref, Math.abs(ours[i])); }
        t.dispose();
        if (!(err <= 1e-4 * ref * Math.sqrt(g.patch))) throw new Error(`bench conv: tfjs ${what} of ${L.name} differs from ours by ${err} (max |ours| ${ref})`);
      };
      fwd(); check('forward', tFwd(), out.data);
      igrad(); check('input gradient', tIgrad(), dx.data);
      wgrad();
      check('weight gradient', tWgrad(), dW.data, (d) => { const r = new Float32Array(d.length); for (let o = 0; o < L.O; o++) for (let p = 0; p < g.patch; p++) r[o * g.patch + p] = d[p * L.O + o]; return r; });
      peers = { fwd: run(tFwd), igrad: run(tIgrad), wgrad: run(tWgrad) };
    }
    const label = `${L.name} ${L.h}x${L.w}x${L.c}->${L.O} k${L.k}${L.pad ? ` p${L.pad}` : ''} batch ${n}`;
    const mk = (what, ours, peer) => ({ name: `${what} ${label}`, shape: [n, L.h, L.w, L.c, L.O, L.k], flops: 2 * macs, ours, peers: peer ? { 'tfjs-wasm': peer } : {} });
    cases.push(
      mk('conv2d', fwd, peers.fwd),
      mk('conv2dInputGrad', igrad, peers.igrad),
      mk('conv2dWeightGrad', wgrad, peers.wgrad),
      { ...mk('conv step (fwd+dx+dW)', () => { fwd(); igrad(); wgrad(); }, tf && (() => { peers.fwd(); peers.igrad(); peers.wgrad(); })), flops: 6 * macs },
    );
    cases[cases.length - 1].teardown = () => { for (const t of [x, W, out, cols, dcols, delta, dx, dW]) t.dispose(); for (const t of tfTensors) t.dispose(); };
  }
  return cases;
};
