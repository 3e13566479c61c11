// Slow, obviously-correct twin of assembly/kernels/trace.ts: every float operation rounded to f32 with
// Math.fround in the kernel's order, so the kernel must match to the bit.
const f = Math.fround;

/** x = lambda * x + s, in place. */
export function traceStep(lambda: number, s: ArrayLike<number>, x: Float32Array): void {
  const l = f(lambda);
  for (let i = 0; i < x.length; i++) x[i] = f(f(l * x[i]!) + s[i]!);
}
