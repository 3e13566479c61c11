// GAIT-prop's inverse step q = f⁻¹(h + d) − a (assembly/kernels/inverse.ts) beside the plain-JS
// float64 loop it replaced in src/rules/gaitprop.ts (same buffers, q written out of place so repeated
// runs see the same data). GB/s of nominal traffic: tanh reads h, d and writes q; leaky ReLU also reads a.
// Shapes: GAIT-prop's default hidden layer at batch 100 (100 × 256) and a 100 × 1000 layer.
const oldTanh = (h, d, q, n) => {
  const lim = 1 - 1e-7;
  for (let i = 0; i < n; i++) {
    const hi = h[i], di = d[i];
    let z = di / (1 - hi * (hi + di));
    if (!(z < lim)) z = lim; else if (!(z > -lim)) z = -lim;
    q[i] = Math.atanh(z);
  }
};
const oldLeaky = (slope, a, h, d, q, n) => {
  const inv = 1 / slope;
  for (let i = 0; i < n; i++) {
    const hi = h[i], di = d[i], u = hi + di;
    if (hi > 0 && u > 0) q[i] = di;
    else if (hi <= 0 && u <= 0) q[i] = di * inv;
    else q[i] = (u > 0 ? u : u * inv) - a[i];
  }
};

export default async ({ lib, k }) => {
  const cases = [];
  const slope = 0.01;
  for (const [m, n] of [[100, 256], [100, 1000]]) {
    const size = m * n, label = `${m}x${n}`;
    for (const name of ['tanh', 'leakyRelu']) {
      const a = lib.tensor([size]), h = lib.tensor([size]), d = lib.tensor([size]), q = lib.tensor([size]);
      const ad = a.data, hd = h.data, dd = d.data;
      for (let i = 0; i < size; i++) {
        const x = Math.sin(i) * 4;
        ad[i] = x;
        hd[i] = name === 'tanh' ? Math.tanh(x) : x > 0 ? x : slope * x;
        // GAIT-sized steps (γ f'² Δ), with every 8th one large enough to cross leaky ReLU's kink
        dd[i] = (i % 8 === 0 ? -2 * hd[i] : 1e-3 * Math.cos(3 * i)) * (name === 'tanh' ? 1 - hd[i] * hd[i] : 1);
      }
      const kern = name === 'tanh' ? 'f32_inverse_step_tanh' : 'f32_inverse_step_leaky_relu';
      cases.push({
        name: `${kern} ${label}`, shape: [m, n], bytes: (name === 'tanh' ? 12 : 16) * size,
        ours: () => k[kern](size, slope, a.ptr, h.ptr, d.ptr, q.ptr),
        peers: {
          js: name === 'tanh'
            ? () => oldTanh(h.data, d.data, q.data, size)
            : () => oldLeaky(slope, a.data, h.data, d.data, q.data, size),
        },
        teardown: () => { [a, h, d, q].forEach((t) => t.dispose()); },
      });
    }
  }
  return cases;
};
