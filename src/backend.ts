// The kernel API: out-first, shape-checked wrappers over the raw kernels of the WASM core, one mixin
// per kernel family (src/backend/*.ts, each named after its assembly/kernels/ file). Sizes come from
// the tensors' shapes (a partial batch passes row views: Tensor.head); every check runs before any
// kernel, and errors name the op and the shapes. The checks allocate nothing.
import { BackendCore, type BackendOptions } from './backend/core.js';
import { withBlas1 } from './backend/blas1.js';
import { withElementwise } from './backend/elementwise.js';
import { withGemm } from './backend/gemm.js';
import { withAct } from './backend/act.js';
import { withLoss } from './backend/loss.js';
import { withSpike } from './backend/spike.js';
import { withGather } from './backend/gather.js';
import { withOptim } from './backend/optim.js';
import { withConv } from './backend/conv.js';
import { withBptt } from './backend/bptt.js';
import { withEncode } from './backend/encode.js';
import { withLearn } from './backend/learn.js';
import { withDendritic } from './backend/dendritic.js';
import type { Shape, Tensor } from './core/tensor.js';
import { WasmRng } from './wasm/rng.js';
import { IntBuffer, type IntKind } from './core/intbuf.js';

export type { BackendOptions } from './backend/core.js';
export { SURROGATES, RESET_MODES, type SurrogateShape, type ResetMode, type LifParams, type AlifParams, type LayerStepBuffers, type SpikeLists } from './backend/spike.js';
export { INVERSE_KERNELS, type InvertibleName } from './backend/act.js';
export type { GemmOptions, GemmTrans } from './backend/gemm.js';
export type { LitPixels } from './backend/encode.js';
export { ConvGeometry, PoolGeometry } from './backend/conv.js';
export type { LifAdjointParams } from './backend/bptt.js';
export { spikeOuterScratch } from './backend/learn.js';
export type { DendriticStepBuffers, DendriticStepConstants, DendriticLayerBuffers, DendriticLayerConstants, DendriticInputBuffers } from './backend/dendritic.js';

const Families = withDendritic(withLearn(withEncode(withBptt(withConv(withOptim(withGather(withSpike(withLoss(withAct(withGemm(withElementwise(withBlas1(BackendCore)))))))))))));

export class Backend extends Families {
  constructor(kernels: BackendCore['kernels'], opts: BackendOptions = {}) {
    super(kernels, opts);
  }

  /** A zero-filled float32 tensor, or a copy of `values` when given. */
  tensor(shape: Shape, values?: ArrayLike<number>): Tensor {
    return values === undefined ? this.heap.f32(shape) : this.heap.from(shape, values);
  }

  /** A seeded random stream with its state in WASM memory (same stream as `new Rng(seed)`); dispose() it. */
  rng(seed: number): WasmRng {
    return new WasmRng(this.kernels, this.heap, seed);
  }

  /** A seeded random stream whose state is `state`, a [4] tensor owned elsewhere (a workspace's, saved with a run). */
  rngIn(state: Tensor, seed: number): WasmRng {
    return new WasmRng(this.kernels, this.heap, seed, state);
  }

  /** A zero-filled integer buffer in WASM memory ('i32' indices, 'u8' labels), or a copy of `values`. */
  ints<K extends IntKind>(kind: K, lengthOrValues: number | ArrayLike<number>): IntBuffer<K> {
    if (typeof lengthOrValues === 'number') return IntBuffer.alloc(this.heap, kind, lengthOrValues);
    const b = IntBuffer.alloc(this.heap, kind, lengthOrValues.length);
    try {
      return b.set(lengthOrValues);
    } catch (e) {
      b.dispose();
      throw e;
    }
  }
}
