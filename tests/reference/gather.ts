// Twins of assembly/kernels/gather.ts: plain copies, so the kernels must match exactly.

/** out[r, :] = src[idx[r], :] for a row-major src with `cols` columns. */
export function gatherRows(cols: number, src: ArrayLike<number>, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * cols);
  for (let r = 0; r < idx.length; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = src[idx[r]! * cols + c]!;
  return out;
}

/** out[r, c] = (c == labels[idx[r]]) ? 1 : 0. */
export function onehot(classes: number, labels: ArrayLike<number>, idx: ArrayLike<number>): Float32Array {
  const out = new Float32Array(idx.length * classes);
  for (let r = 0; r < idx.length; r++) out[r * classes + labels[idx[r]!]!] = 1;
  return out;
}
