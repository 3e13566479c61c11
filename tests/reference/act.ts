// Slow twins of assembly/kernels/act.ts in f64 (Math.exp, Math.log1p, ...), straight from the equations,
// plus the error budget each kernel is tested against. The budgets come from the documented maximum
// relative errors of the f32x4 approximations in assembly/ops/math.ts (EXP/LOG/LOG1P below, keep in
// step) plus one 2^-24 per correctly rounded f32 operation on the path, as derived in each op's header.
export const U = 2 ** -24; // unit roundoff of f32 (half an ulp of 1)
export const EXP = 1.0e-7; // EXP_MAX_REL_ERR
export const LOG = 1.8e-7; // LOG_MAX_REL_ERR
export const LOG1P = 2.7e-7; // LOG1P_MAX_REL_ERR

export interface ActRef {
  f(a: number, p: readonly number[]): number;
  df(a: number, p: readonly number[]): number;
  /** Relative error bound of the kernel's f and f' on f32 input a (beyond it: `abs`). */
  relF: number;
  relDf: number;
  /** Absolute slack for results that underflow (subnormal / flushed), in the output's units. */
  abs: number;
  /** Points where f is not differentiable (skip finite differences within h of them). */
  kinks?(p: readonly number[]): number[];
  /** Input range for random tests. */
  range: [number, number];
  /** Multiply the relative budget by the condition number |a·f'(a)/f(a)| (input rounding inside the op). */
  conditioned?: boolean;
}

const sigmoid = (a: number) => (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)));
const softplus = (a: number) => Math.max(a, 0) + Math.log1p(Math.exp(-Math.abs(a)));

function softlif(a: number, p: readonly number[]): number {
  const [tauRef, tauRC, gamma] = p as [number, number, number];
  if (Number.isNaN(a)) return NaN;
  const y = (a - 1) / gamma;
  return 1 / (tauRef + tauRC * log1pInvJ(y, gamma));
}
/** log(1 + 1/j), j = γ·softplus(y). Far below threshold j underflows even in f64 (y < −745), so there
 *  use log(1 + 1/j) = log1p(j) − log j with log j = log γ + y + log1p(−e^y/2 + …) ≈ log γ + y
 *  (relative error < e^-30 for y < −30). */
function log1pInvJ(y: number, gamma: number): number {
  if (y < -30) return -Math.log(gamma) - y; // log1p(j) < γe^-30 is below f64 resolution of L
  return Math.log1p(1 / (gamma * softplus(y)));
}
function dsoftlif(a: number, p: readonly number[]): number {
  const [tauRef, tauRC, gamma] = p as [number, number, number];
  if (Number.isNaN(a)) return NaN;
  const y = (a - 1) / gamma;
  const j = gamma * softplus(y);
  if (j === Infinity) return 0;
  const r = 1 / (tauRef + tauRC * log1pInvJ(y, gamma));
  // σ(y)/j → 1/γ as y → −∞ (σ(y) ≈ e^y ≈ softplus(y)); exact to e^-30 relative for y < −30
  const q = y < -30 ? 1 / gamma : sigmoid(y) / j;
  return (r * r * tauRC * q) / (1 + j);
}

export const ACT_REF: Record<string, ActRef> = {
  linear: { f: (a) => a, df: () => 1, relF: 0, relDf: 0, abs: 0, range: [-4, 4] },
  // σ = 1/(1+t) or t/(1+t): |d log σ / d log t| <= 1, then add, div (, mul): EXP + 3U.
  // σ' = t/(1+t)²: |d log σ' / d log t| <= 1, then add, mul, div (u² doubles u's rounding): EXP + 4U.
  sigmoid: { f: sigmoid, df: (a) => sigmoid(a) * sigmoid(-a), relF: EXP + 3 * U, relDf: EXP + 4 * U, abs: 2 ** -149, range: [-20, 20] },
  // exp branch (1−t)/(1+t): |d log f / d log t| = 2t/(1−t²) <= 1.92 at |a| = 1/4, then sub, add, div:
  // 2·EXP + 3U; the Taylor branch adds ~1U to the exact a. tanh' = 4t/(1+t)²: as σ' above.
  // (the reference uses f' = 1/cosh²: 1 − tanh² cancels even in f64 for |a| > 5)
  tanh: { f: Math.tanh, df: (a) => 1 / Math.cosh(a) ** 2, relF: 2 * EXP + 3 * U, relDf: EXP + 4 * U, abs: 2 ** -149, range: [-12, 12] },
  relu: { f: (a) => Math.max(a, 0), df: (a) => (a > 0 ? 1 : 0), relF: 0, relDf: 0, abs: 0, kinks: () => [0], range: [-4, 4] },
  leakyRelu: { f: (a, p) => (a > 0 ? a : Math.fround(p[0]!) * a), df: (a, p) => (a > 0 ? 1 : Math.fround(p[0]!)), relF: U, relDf: 0, abs: 2 ** -149, kinks: () => [0], range: [-4, 4] },
  hardSigmoid: {
    f: (a, p) => Math.min(Math.max(a, Math.fround(p[0]!)), Math.fround(p[1]!)),
    df: (a, p) => (a >= Math.fround(p[0]!) && a <= Math.fround(p[1]!) ? 1 : 0),
    relF: 0, relDf: 0, abs: 0, kinks: (p) => [p[0]!, p[1]!], range: [-1, 2],
  },
  // log1p(t·(1+δ)) moves by at most δ relative, so log1p(t): EXP + LOG1P, then one add: + U.
  softplus: { f: softplus, df: sigmoid, relF: EXP + LOG1P + U, relDf: EXP + 3 * U, abs: 2 ** -149, range: [-20, 20] },
  // y = (a − 1)/γ is rounded twice (a − 1 is exact on [0.5, 2]): an input perturbation of 2U·|a − 1|,
  // amplified by f'/f (the `conditioned` term). Then j = γ(max(y,0) + log1p(t)): EXP + LOG1P + 2U;
  // L = log1p(1/j): |d log L / d log j| <= 1 since (1+j)·log(1+1/j) >= 1, so rel(j) + LOG1P + U;
  // r = 1/(τref + τRC·L): rel(L) + 3U  =>  relF = EXP + 2·LOG1P + 6U.
  // r' = r²·τRC·(σ/j)/(1+j): 2·rel(r) + 2U + (σ: EXP + 2U) + rel(j) + U + (rel(j) + 2U) + U
  //    => relDf = 5·EXP + 6·LOG1P + 26U (worst case: the t errors in σ and j counted as independent).
  softlif: {
    f: softlif, df: dsoftlif, relF: EXP + 2 * LOG1P + 6 * U, relDf: 5 * EXP + 6 * LOG1P + 26 * U, abs: 1e-30,
    range: [-1, 4], conditioned: true,
  },
};

/** |a − 1|·|g'(a)/g(a)| for g = f or f': how much the 2U rounding of a − 1 (and of the division by γ)
 *  inside soft-LIF moves the result, relative (central difference in f64). */
export function condition(r: ActRef, a: number, p: readonly number[], ofDerivative: boolean): number {
  const g = ofDerivative ? (x: number) => r.df(x, p) : (x: number) => r.f(x, p);
  const v = g(a);
  if (v === 0 || !Number.isFinite(a)) return 0;
  const h = 1e-6 * Math.max(1e-3, Math.abs(a - 1));
  const d = (g(a + h) - g(a - h)) / (2 * h);
  return Math.abs(((a - 1) * d) / v);
}
