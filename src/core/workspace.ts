// Workspace: owns every buffer of one network (and of the rule and optimiser attached to it);
// dispose() frees them all, once.
import type { Heap } from './heap.js';
import type { Tensor, Shape } from './tensor.js';
import { IntBuffer } from './intbuf.js';

export class Workspace {
  private owned: Tensor[] = [];
  private scratch: IntBuffer[] = [];
  private temp: Tensor[] = [];
  constructor(readonly heap: Heap) {}

  /** A zero-filled tensor owned by this workspace. */
  f32(shape: Shape): Tensor {
    const t = this.heap.f32(shape);
    this.owned.push(t);
    return t;
  }

  /**
   * A zero-filled i32 scratch buffer owned by this workspace (freed by dispose()) but, unlike f32
   * tensors, not part of a training-state snapshot: for what a step rewrites before it reads (spike lists).
   */
  i32(length: number): IntBuffer<'i32'> {
    const b = IntBuffer.alloc(this.heap, 'i32', length);
    this.scratch.push(b);
    return b;
  }

  /** A zero-filled f32 scratch tensor owned by this workspace but, like i32(), not part of a
   *  training-state snapshot: for what is rebuilt within a step (per-window accumulators). */
  scratchF32(shape: Shape): Tensor {
    const t = this.heap.f32(shape);
    this.temp.push(t);
    return t;
  }

  /** Takes ownership of a tensor made elsewhere. */
  adopt(t: Tensor): Tensor {
    this.owned.push(t);
    return t;
  }

  /**
   * Every tensor owned, in allocation order (a network, then its spiking simulator, rule state,
   * optimiser state and diagnostics: the same order for the same configuration). Saved and restored
   * whole by the training-state snapshot (src/train/trainer.ts). Do not modify the list.
   */
  get tensors(): readonly Tensor[] {
    return this.owned;
  }

  /** Number of tensors owned. */
  get count(): number {
    return this.owned.length;
  }

  dispose(): void {
    for (const t of this.owned) if (!t.disposed) t.dispose();
    for (const b of this.scratch) if (!b.disposed) b.dispose();
    for (const t of this.temp) if (!t.disposed) t.dispose();
    this.owned = [];
    this.scratch = [];
    this.temp = [];
  }
}
