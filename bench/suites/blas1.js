// Level-1 kernels: GB/s of memory traffic, beside a plain-JS loop over the same Float32Arrays.
export default async ({ lib, quick }) => {
  const cases = [];
  for (const n of quick ? [1 << 16] : [1 << 12, 1 << 16, 1 << 20]) {
    const x = lib.tensor([n]), y = lib.tensor([n]);
    cases.push({
      name: `f32_axpy n=${n}`, shape: [n], bytes: 12 * n, // read x, read y, write y
      ours: () => lib.kernels.f32_axpy(n, 0.5, x.ptr, y.ptr),
      peers: { js: () => { const xd = x.data, yd = y.data; for (let i = 0; i < n; i++) yd[i] += 0.5 * xd[i]; } },
      teardown: () => { x.dispose(); y.dispose(); },
    });
  }
  return cases;
};
