// Target-based rules: dtp, dtp-inference, gaitprop, kickback against backprop, each with its
// own defaults (only rule, hidden, dataset, epochs and seed given), seed 1.
const h3 = [256, 256, 256];
const h7 = [240, 240, 240, 240, 240, 240, 240];
export default {
  title: 'target-based rules vs backprop (MNIST, Fashion-MNIST; 784-256x3-10, DTP on 784-7x240-10 tanh)',
  runs: [
    { rule: 'bp', dataset: 'mnist', hidden: h3, epochs: 20 },
    { rule: 'dtp', dataset: 'mnist', hidden: h3, epochs: 20 },
    { rule: 'gaitprop', dataset: 'mnist', hidden: h3, epochs: 20 },
    { rule: 'kickback', dataset: 'mnist', hidden: h3, epochs: 20 },
    { rule: 'dtp-inference', dataset: 'mnist', hidden: h3, epochs: 20 },
    { rule: 'bp', dataset: 'mnist', hidden: h7, epochs: 20 },
    { rule: 'dtp', dataset: 'mnist', hidden: h7, epochs: 20, label: 'dtp mnist 7x240 tanh (paper net)' },
    { rule: 'bp', dataset: 'fashion-mnist', hidden: h3, epochs: 20 },
    { rule: 'dtp', dataset: 'fashion-mnist', hidden: h3, epochs: 20 },
    { rule: 'gaitprop', dataset: 'fashion-mnist', hidden: h3, epochs: 20 },
    { rule: 'kickback', dataset: 'fashion-mnist', hidden: h3, epochs: 20 },
    { rule: 'dtp-inference', dataset: 'fashion-mnist', hidden: h3, epochs: 20 },
    // the paper's square network (slow: three 784x784 layers)
    { rule: 'bp', dataset: 'mnist', hidden: [784, 784, 784], epochs: 20 },
    { rule: 'gaitprop', dataset: 'mnist', hidden: [784, 784, 784], epochs: 20 },
  ],
};
