// Spiking rules on full MNIST, three hidden layers, spiking inference, with the rules' own defaults
// (spiking settings from each rule's spikingDefaults; see src/rules/{superspike,erbp,nef}.ts), and
// Fashion-MNIST for all. Backprop (rate) is listed for the relative epoch time.
export default {
  title: 'spiking rules (nef, superspike, erbp) on MNIST / Fashion-MNIST, 784-256x3-10',
  runs: [
    { rule: 'bp', dataset: 'mnist', hidden: [256, 256, 256], epochs: 5 },
    { rule: 'nef', dataset: 'mnist', hidden: [256, 256, 256], epochs: 5 },
    { rule: 'superspike', dataset: 'mnist', hidden: [256, 256, 256], epochs: 5 },
    { rule: 'superspike', dataset: 'mnist', hidden: [256, 256, 256], epochs: 5, args: ['--param', 'feedback=symmetric'], label: 'superspike symmetric mnist 256-256-256' },
    { rule: 'erbp', dataset: 'mnist', hidden: [256, 256, 256], epochs: 5 },
    { rule: 'nef', dataset: 'fashion-mnist', hidden: [256, 256, 256], epochs: 5 },
    { rule: 'superspike', dataset: 'fashion-mnist', hidden: [256, 256, 256], epochs: 5 },
    { rule: 'erbp', dataset: 'fashion-mnist', hidden: [256, 256, 256], epochs: 5 },
  ],
};
