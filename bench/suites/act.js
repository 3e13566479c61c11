// Activations, Hadamard product and softmax cross-entropy: GB/s of nominal memory traffic, beside a
// plain-JS Float32Array loop doing the same math (Math.tanh, Math.exp, ...) on the same buffers.
// Shapes: a layer of 100 × 1000 (batch 100) and 2^20 elements (beyond L2).
export default async ({ lib, k, quick }) => {
  const cases = [];
  const shapes = quick ? [[100, 1000]] : [[100, 1000], [1024, 1024]];
  for (const [m, n] of shapes) {
    const size = m * n, label = `${m}x${n}`;
    const a = lib.tensor([size]), post = lib.tensor([size]), deriv = lib.tensor([size]);
    const ad = a.data;
    for (let i = 0; i < size; i++) ad[i] = Math.sin(i) * 4; // [-4, 4]: both tails of sigmoid/tanh
    const act = (name, js) => ({
      name: `f32_${name}_fwd ${label}`, shape: [m, n], bytes: 12 * size, // read a, write post, deriv
      ours: () => k[`f32_${name}_fwd`](size, 0, 0, 0, a.ptr, post.ptr, deriv.ptr),
      peers: { js: () => js(a.data, post.data, deriv.data, size) },
    });
    cases.push(act('tanh', (x, p, d, len) => { for (let i = 0; i < len; i++) { const t = Math.tanh(x[i]); p[i] = t; d[i] = 1 - t * t; } }));
    cases.push(act('sigmoid', (x, p, d, len) => { for (let i = 0; i < len; i++) { const s = 1 / (1 + Math.exp(-x[i])); p[i] = s; d[i] = s * (1 - s); } }));
    cases.push(act('relu', (x, p, d, len) => { for (let i = 0; i < len; i++) { const v = x[i]; p[i] = v > 0 ? v : 0; d[i] = v > 0 ? 1 : 0; } }));
    cases.push({
      name: `f32_mul ${label}`, shape: [m, n], bytes: 12 * size,
      ours: () => k.f32_mul(size, a.ptr, post.ptr, deriv.ptr),
      peers: { js: () => { const x = a.data, y = post.data, z = deriv.data; for (let i = 0; i < size; i++) z[i] = x[i] * y[i]; } },
    });
    const target = lib.tensor([m, n]);
    const td = target.data;
    for (let i = 0; i < m; i++) td[i * n + (i * 7) % n] = 1;
    cases.push({
      name: `f32_softmax_xent ${label}`, shape: [m, n], bytes: 16 * size, // read logits, target; write probs, grad
      ours: () => k.f32_softmax_xent(m, n, a.ptr, target.ptr, post.ptr, deriv.ptr),
      peers: {
        js: () => {
          const l = a.data, t = target.data, p = post.data, g = deriv.data;
          let loss = 0;
          for (let r = 0; r < m; r++) {
            const o = r * n;
            let mu = -Infinity;
            for (let j = 0; j < n; j++) mu = Math.max(mu, l[o + j]);
            let s = 0, st = 0, std = 0;
            for (let j = 0; j < n; j++) { const d = l[o + j] - mu, e = Math.exp(d); p[o + j] = e; s += e; st += t[o + j]; std += t[o + j] * d; }
            for (let j = 0; j < n; j++) { const q = p[o + j] / s; p[o + j] = q; g[o + j] = q - t[o + j]; }
            loss += st * Math.log(s) - std;
          }
          return loss;
        },
      },
      teardown: () => { [a, post, deriv, target].forEach((t) => t.dispose()); },
    });
  }
  return cases;
};
