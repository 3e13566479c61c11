// Backprop baseline: the defaults' accuracy on both datasets at three hidden layers, and the depth scan.
export default {
  title: 'backprop baseline (784-256x3-10 defaults) and depth',
  runs: [
    { rule: 'bp', dataset: 'mnist', hidden: [256, 256, 256], epochs: 20 },
    { rule: 'bp', dataset: 'fashion-mnist', hidden: [256, 256, 256], epochs: 20 },
  ],
};
