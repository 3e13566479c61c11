// `bioprop demo`: the kernel API on a small example (no data needed).
import { load } from '../index.js';

export async function demo(): Promise<void> {
  const lib = await load();
  const a = lib.tensor([2, 3], [1, 2, 3, 4, 5, 6]);
  const b = lib.tensor([4, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]);
  const c = lib.tensor([2, 4]);
  lib.gemm(c, a, b, { transB: true }); // c = a · bᵀ
  console.log(`gemm (a · bᵀ): [${Array.from(c.data).join(', ')}]`);
  for (const t of [a, b, c]) t.dispose();
}
