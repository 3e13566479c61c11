// Feedback-alignment family: fa, sign, dfa, synthgrad with backprop in the same sweep.
// 1. MNIST 784-256x3-10, all four rules and bp (targets: fa/sign/dfa ≥ 97.8 %, synthgrad ≥ 97.5 %).
// 2. Depth: bp, fa, dfa at 1, 2, 4 and 6 hidden layers of 256 (3 is in part 1).
// 3. Fashion-MNIST at three hidden layers, all four beside bp.
// Every run uses the rule's own train defaults (20 epochs) and seed 1; --epochs N overrides for all.
const h = (n) => Array(n).fill(256);
const four = ['fa', 'sign', 'dfa', 'synthgrad'];
export default {
  title: 'feedback alignment family: FA, sign-symmetry, DFA, synthetic gradients vs backprop',
  runs: [
    ...['bp', ...four].map((rule) => ({ rule, dataset: 'mnist', hidden: h(3) })),
    ...[1, 2, 4, 6].flatMap((d) => ['bp', 'fa', 'dfa'].map((rule) => ({ rule, dataset: 'mnist', hidden: h(d), label: `${rule} mnist depth ${d}` }))),
    ...['bp', ...four].map((rule) => ({ rule, dataset: 'fashion-mnist', hidden: h(3) })),
  ],
};
