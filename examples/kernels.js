// bioprop as a fast backend: shape-checked kernels over tensors in WebAssembly memory.
// Run after `npm run build`: node examples/kernels.js
import { load } from '../dist/src/index.js'; // from an installed package: 'bioprop'

const k = await load();
const a = k.tensor([2, 3], [1, 2, 3, 4, 5, 6]);
const b = k.tensor([4, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]);
const c = k.tensor([2, 4]);
k.gemm(c, a, b, { transB: true }); // c = a · bᵀ
console.log('a · bᵀ =', Array.from(c.data)); // [1, 2, 3, 6, 4, 5, 6, 15]

const h = k.tensor([2, 4]), dh = k.tensor([2, 4]);
k.act('tanh', h, c, dh); // h = tanh(c), dh = tanh'(c)
console.log('tanh   =', Array.from(h.data, (v) => +v.toFixed(4)));

try {
  k.gemm(c, a, b); // b is [4, 3]: not [3, *]
} catch (e) {
  console.log('error  :', e.message);
}
for (const t of [a, b, c, h, dh]) t.dispose();
