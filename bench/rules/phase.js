// Phase-based rules: eqprop and chl at 1–3 hidden layers of 500 (targets: 97.5% at 784-500-10,
// 97.0% deeper), generec at 1–3 hidden layers, Fashion-MNIST at 1 and 3 hidden layers, and backprop on
// the same networks so epoch time is read relative to it. The run record carries ruleMetrics: mean
// settling sweeps per example for each phase.
const H1 = [500], H2 = [500, 500], H3 = [500, 500, 500];
export default {
  title: 'phase-based rules (chl, eqprop, generec) vs backprop, 784-500(x1..3)-10',
  runs: [
    ...[H1, H2, H3].flatMap((hidden) => [
      { rule: 'bp', dataset: 'mnist', hidden },
      { rule: 'eqprop', dataset: 'mnist', hidden },
      { rule: 'chl', dataset: 'mnist', hidden },
      { rule: 'generec', dataset: 'mnist', hidden },
    ]),
    ...[H1, H3].flatMap((hidden) => ['bp', 'eqprop', 'chl', 'generec'].map((rule) => ({ rule, dataset: 'fashion-mnist', hidden }))),
  ],
};
