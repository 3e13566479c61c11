// Spiking rules on full MNIST, three hidden layers, spiking inference, with each rule's CLI defaults
// (epochs and spiking settings: spiking.sim in src/rules/{superspike,erbp,nef,dfa}.ts), and
// Fashion-MNIST for all. Backprop (rate) is listed for the relative epoch time. The full list takes
// hours on 2 cores (superspike / erbp: ~3-5 min per epoch, spiking dfa ~1.5-2.5 min): pass --epochs N
// or --match REGEX for a shorter pass.
const H3 = [256, 256, 256];
const spiking = ['--spiking'];
export default {
  title: 'spiking rules (nef, superspike, erbp, fa/dfa on LIF) on MNIST / Fashion-MNIST, 784-256x3-10',
  runs: ['mnist', 'fashion-mnist'].flatMap((dataset) => [
    { rule: 'bp', dataset, hidden: H3 },
    { rule: 'nef', dataset, hidden: H3 },
    { rule: 'superspike', dataset, hidden: H3 },
    { rule: 'erbp', dataset, hidden: H3 },
    { rule: 'dfa', dataset, hidden: H3, args: spiking, label: `dfa spiking ${dataset} 256-256-256` },
    { rule: 'fa', dataset, hidden: H3, args: spiking, label: `fa spiking ${dataset} 256-256-256` },
    ...(dataset === 'mnist' ? [{ rule: 'superspike', dataset, hidden: H3, args: ['--param', 'feedback=symmetric'], label: 'superspike symmetric mnist 256-256-256' }] : []),
  ]),
};
