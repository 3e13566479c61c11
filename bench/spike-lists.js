// `node bench/spike-lists.js`: the spike lists of one superspike / erbp error step (the input spikes of
// the four layers of 784-256x3-10 at batch 100, at the densities those runs show), made by scanning the
// dense 0/1 matrices (spikeRows) or by packing the simulator's own lists (packSpikes); interleaved blocks,
// CPU time per step and the ratio.
import { load } from '../dist/src/index.js';
const lib = await load({ build: 'release', threads: 1 });
const R = 100, ins = [[784, 0.026], [256, 0.07], [256, 0.07], [256, 0.07]];
let seed = 1; const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const L = ins.map(([k, d]) => {
  const s = lib.tensor([R, k]), list = lib.ints('i32', R * k), counts = lib.ints('i32', R);
  for (let r = 0; r < R; r++) { let c = 0; for (let j = 0; j < k; j++) if (rnd() < d) { s.data[r * k + j] = 1; list.data[r * k + c++] = j; } counts.data[r] = c; }
  return { k, s, src: { list, counts }, idx: lib.ints('i32', R * k), cnt: lib.ints('i32', R) };
});
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
const N = 2000, res = { rows: [], pack: [] };
for (let b = 0; b < 6; b++) for (const m of ['rows', 'pack']) {
  const t = cpu();
  for (let i = 0; i < N; i++) for (const l of L) m === 'rows' ? lib.spikeRows(l.s, l.idx, 0, l.cnt, 0) : lib.packSpikes(l.src, R, l.k, l.idx, 0, l.cnt, 0);
  res[m].push((cpu() - t) / N * 1000);
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
console.log(`per error step (4 layers), µs CPU, median of 6 blocks of ${N}: spikeRows ${med(res.rows).toFixed(1)}, packSpikes ${med(res.pack).toFixed(1)}, ratio ${(med(res.rows) / med(res.pack)).toFixed(1)}x; load ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
