// Level-1 kernels: GB/s of memory traffic, beside a plain-JS loop over the same Float32Arrays.
export default async ({ lib, quick }) => {
  const cases = [];
  for (const n of quick ? [1 << 16] : [1 << 12, 1 << 16, 100 * 1000, 1 << 20]) {
    const x = lib.tensor([n]), y = lib.tensor([n]);
    cases.push({
      name: `f32_axpy n=${n}`, shape: [n], bytes: 12 * n, // read x, read y, write y
      ours: () => lib.kernels.f32_axpy(n, 0.5, x.ptr, y.ptr),
      peers: { js: () => { const xd = x.data, yd = y.data; for (let i = 0; i < n; i++) yd[i] += 0.5 * xd[i]; } },
    });
    cases.push({
      name: `f32_dot n=${n}`, shape: [n], bytes: 8 * n, // read x, y
      ours: () => lib.kernels.f32_dot(n, x.ptr, y.ptr),
      peers: { js: () => { const xd = x.data, yd = y.data; let s = 0; for (let i = 0; i < n; i++) s += xd[i] * yd[i]; return s; } },
      teardown: () => { x.dispose(); y.dispose(); },
    });
  }
  for (const [m, n] of quick ? [[100, 256]] : [[100, 256], [32, 784], [100, 1000]]) {
    const x = lib.tensor([m, n]), out = lib.tensor([n]);
    cases.push({
      name: `f32_sum_rows ${m}x${n}`, shape: [m, n], bytes: 4 * (m * n + n),
      ours: () => lib.kernels.f32_sum_rows(m, n, 1, 0, x.ptr, out.ptr),
      peers: { js: () => { const xd = x.data, od = out.data; od.fill(0); for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) od[j] += xd[i * n + j]; } },
      teardown: () => { x.dispose(); out.dispose(); },
    });
  }
  return cases;
};
