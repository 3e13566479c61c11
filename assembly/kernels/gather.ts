// Batch assembly for datasets that live in WASM memory: row gather by an index list, and one-hot
// targets from byte labels. Indices are NOT checked here: the TypeScript wrappers (src/backend/gather.ts) check
// every index before the call, so a bad index is a clear error, never a wild read.

/**
 * out[r, :] = src[idx[r], :] for r < count. src: f32[rows, cols], idx: i32[count] with
 * 0 <= idx[r] < rows, out: f32[count, cols]. out must not overlap src.
 */
export function f32_gather_rows(count: i32, cols: i32, src: usize, idx: usize, out: usize): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < count; r++) {
    const j = <usize>load<i32>(idx + (<usize>r << 2));
    memory.copy(out + <usize>r * rowBytes, src + j * rowBytes, rowBytes);
  }
}

/**
 * out[r, c] = (c == labels[idx[r]]) ? 1 : 0 for r < count, c < classes. labels: u8[*],
 * idx: i32[count] (valid indices into labels), labels[idx[r]] < classes, out: f32[count, classes].
 */
export function f32_onehot(count: i32, classes: i32, labels: usize, idx: usize, out: usize): void {
  memory.fill(out, 0, (<usize>count * <usize>classes) << 2);
  for (let r = 0; r < count; r++) {
    const j = <usize>load<i32>(idx + (<usize>r << 2));
    const c = <usize>load<u8>(labels + j);
    store<f32>(out + ((<usize>r * <usize>classes + c) << 2), 1);
  }
}
