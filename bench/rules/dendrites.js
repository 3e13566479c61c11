// Issue 8: dendritic and neuromodulated rules — segregated dendrites (rate and spiking), two-site neurons,
// AGREL and Q-AGREL — each next to backprop at the same sizes (bp listed first so ratios resolve).
// Spiking segregated dendrites simulates ~200 ms per training example (two 100 ms phases) and 250 ms per
// test example: its 60 default epochs take ~3.5 hours here: `--checkpoint-dir DIR` makes a cut-off run resume bit-identically.
const spiking = ['--spiking']; // applies the rule's spiking defaults (spiking.train: batch 5, 60 epochs)
export default {
  title: 'segregated dendrites, two-site neurons, AGREL / Q-AGREL (vs backprop)',
  runs: [
    // Segregated dendrites: the paper's 784-500-100-10 network, spiking; rate version at 1, 2, 3 hidden layers.
    { rule: 'bp', hidden: [500, 100], epochs: 20 },
    { rule: 'dendrites', hidden: [500, 100], args: spiking, label: 'dendrites spiking mnist 500-100' },
    { rule: 'dendrites', hidden: [500, 100], label: 'dendrites rate mnist 500-100' },
    { rule: 'bp', hidden: [500], epochs: 20 },
    { rule: 'dendrites', hidden: [500], label: 'dendrites rate mnist 500' },
    { rule: 'agrel', hidden: [500] },
    { rule: 'bp', hidden: [500, 100, 100], epochs: 20 },
    { rule: 'dendrites', hidden: [500, 100, 100], label: 'dendrites rate mnist 500-100-100' },
    // Q-AGREL: the paper's dense network and 784-256x3-10.
    { rule: 'bp', hidden: [1500, 1000, 500], epochs: 20 },
    { rule: 'qagrel', hidden: [1500, 1000, 500], epochs: 30 },
    { rule: 'bp', hidden: [256, 256, 256], epochs: 20 },
    { rule: 'qagrel', hidden: [256, 256, 256], epochs: 30 },
    // Two-site neurons at 1 and 3 hidden layers.
    { rule: 'twosite', hidden: [256, 256, 256], epochs: 20 },
    { rule: 'bp', hidden: [256], epochs: 20 },
    { rule: 'twosite', hidden: [256], epochs: 20 },
    // Fashion-MNIST, three hidden layers, every rule.
    { rule: 'bp', dataset: 'fashion-mnist', hidden: [256, 256, 256], epochs: 20 },
    { rule: 'qagrel', dataset: 'fashion-mnist', hidden: [256, 256, 256], epochs: 30 },
    { rule: 'agrel', dataset: 'fashion-mnist', hidden: [256, 256, 256] },
    { rule: 'twosite', dataset: 'fashion-mnist', hidden: [256, 256, 256], epochs: 20 },
    { rule: 'dendrites', dataset: 'fashion-mnist', hidden: [256, 256, 256], label: 'dendrites rate fashion-mnist 256x3' },
  ],
};
