// The only allocator of the module: TLSF from AssemblyScript's minimal runtime.
// TLSF places every payload on a 16-byte boundary (AL_SIZE = 16 in std/assembly/rt/common.ts),
// which is what v128 loads prefer; kernels still never assume alignment.

/** Allocates `bytes` bytes (16-byte aligned) and returns the pointer. Grows memory when needed. */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

/** Frees a pointer returned by `alloc`. */
export function free(ptr: usize): void {
  heap.free(ptr);
}
