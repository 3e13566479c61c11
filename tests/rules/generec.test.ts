// GeneRec against O'Reilly's algebra: the symmetric + midpoint variant equals CHL's update; midpoint
// equals basic on the input→hidden weights (x⁺ = x⁻ there); the other variants differ from CHL.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backend } from '../helpers/setup.js';
import { generec } from '../../src/rules/generec.js';
import { chl } from '../../src/rules/chl.js';
import { tinyNet, ruleGrad, layerSlices, relErr, ROWS } from './phase-helpers.js';

const TIGHT = { eps: 1, maxIter: 3000, tol: 5e-7 };
// chl with γ as given and its free phase's own snapshot: the phases generec contrasts.
const CHL_AS_GENEREC = { loopGain: Infinity, form: 'plain' };

for (const gamma of [1, 0.3]) {
  test(`generec (symmetric + midpoint, γ=${gamma}) equals chl's update`, async () => {
    const lib = await backend();
    const net = tinyNet(lib, [7, 6, 5, 3], 3, 0.5);
    const c = ruleGrad(chl, net, { ...TIGHT, ...CHL_AS_GENEREC, gamma }).g;
    const { g, state } = ruleGrad(generec, net, { ...TIGHT, gamma, symmetric: true, midpoint: true });
    // Same phases (same settle, same clamp target). The updates are Δyᵀx⁻ + y⁺ᵀΔx (chl) and
    // Δyᵀx̄ + ȳᵀΔx (generec), equal in exact arithmetic; in float32 each entry is a sum over rows of
    // products of rounded operands (Δ, x̄ each within 1 rounding), so |diff| <= 2(rows + 4)·u·T·|scale|/rows
    // with T = Σ_rows (|y⁺| + |y⁻|)(|x⁺| + |x⁻|) (every product above is bounded by a term of T).
    const st = (state as { settler: { slot(n: string): { data: Float32Array }[] } }).settler;
    const P = st.slot('plus').map((t) => t.data), M = st.slot('minus').map((t) => t.data);
    const u = 2 ** -24, top = net.layers.length - 1;
    let off = 0;
    net.layers.forEach((L, l) => {
      const scale = gamma ** (l - top);
      const xp = l === 0 ? net.input.data : P[l - 1]!, xm = l === 0 ? net.input.data : M[l - 1]!;
      for (let i = 0; i < L.outSize; i++) for (let j = 0; j < L.inSize; j++) {
        let T = 0;
        for (let r = 0; r < ROWS; r++) T += (Math.abs(P[l]![r * L.outSize + i]!) + Math.abs(M[l]![r * L.outSize + i]!)) * (Math.abs(xp[r * L.inSize + j]!) + Math.abs(xm[r * L.inSize + j]!));
        const k = off + i * L.inSize + j, bound = 2 * (ROWS + 4) * u * T * scale / ROWS;
        assert.ok(Math.abs(g[k]! - c[k]!) <= bound, `layer ${l} W[${i},${j}]: ${g[k]} vs ${c[k]} (bound ${bound})`);
      }
      off += L.W.size;
      for (let i = 0; i < L.outSize; i++, off++) assert.is(g[off], c[off], `bias ${l}[${i}]: the same Δ sum`);
    });
    net.dispose();
  });
}

test('generec: midpoint = basic on input→hidden weights; basic, symmetric and midpoint alone differ from chl above', async () => {
  const lib = await backend();
  const net = tinyNet(lib, [7, 6, 5, 3], 3, 0.5);
  const c = layerSlices(net, ruleGrad(chl, net, { ...TIGHT, ...CHL_AS_GENEREC, gamma: 1 }).g);
  const basic = layerSlices(net, ruleGrad(generec, net, { ...TIGHT, gamma: 1, symmetric: false, midpoint: false }).g);
  const mid = layerSlices(net, ruleGrad(generec, net, { ...TIGHT, gamma: 1, symmetric: false, midpoint: true }).g);
  const sym = layerSlices(net, ruleGrad(generec, net, { ...TIGHT, gamma: 1, symmetric: true, midpoint: false }).g);
  assert.equal(Array.from(mid[0]!), Array.from(basic[0]!), 'layer 0: x⁺ = x⁻ = input, so midpoint is basic');
  for (const [name, v] of [['basic', basic], ['midpoint', mid], ['symmetric', sym]] as const) {
    assert.ok(relErr(v[1]!, c[1]!) > 1e-3, `${name} differs from chl on layer 1 (${relErr(v[1]!, c[1]!)})`);
  }
  assert.throws(() => ruleGrad(generec, net, { symmetric: 1 }), /generec: symmetric must be true or false, got 1/);
  net.dispose();
});

test.run();
