// A spike raster of a trained network: the spikes of the first hidden layer's first neurons while it
// sees one example (by default the first test example), for the run record (`bioprop train --out`),
// the report's raster chart and the browser page. Once per run, after training. Browser-safe.
import { SpikingNetwork } from '../net/spiking.js';
import type { Raster, RasterOptions, RasterSource } from '../net/raster.js';
import type { Trainer } from './trainer.js';

/**
 * Puts `example` (one row of features) into row 0 of the network's input and records a raster of one
 * inference presentation: from the simulator of a SpikingNetwork, else from the one a rule keeps in its
 * state as `sim` (superspike, erbp and nef on a plain Network; dendrites' own neurons). Returns null for
 * a network that does not spike. Weights are not touched; the simulators' RNG streams advance as for any
 * presentation.
 */
export function recordRaster(trainer: Trainer, example: ArrayLike<number>, o: RasterOptions = {}): Raster | null {
  const net = trainer.net;
  const features = net.sizes[0]!;
  if (example.length !== features) throw new Error(`recordRaster: the example has ${example.length} values, expected ${features} (the network's inputs)`);
  const stateSim = (trainer.state as { sim?: Partial<RasterSource> } | null)?.sim;
  const sim = net instanceof SpikingNetwork ? net.sim : typeof stateSim?.raster === 'function' ? (stateSim as RasterSource) : null;
  if (!sim) return null;
  net.input.data.set(example, 0);
  return sim.raster(o);
}
