// A spike raster of a trained network: the spikes of the first hidden layer's first neurons while it
// sees one example (by default the first test example), for the run record (`bioprop train --out`),
// the report's raster chart and the browser page. Once per run, after training. Browser-safe.
import { SpikingNetwork, SpikingSim, type Raster, type RasterOptions } from '../net/spiking.js';
import type { Trainer } from './trainer.js';

/**
 * Puts `example` (one row of features) into row 0 of the network's input and records a raster of one
 * inference window: from the rule's own spiking neurons (rule.raster, e.g. dendrites with spiking on),
 * else from the SpikingSim of a SpikingNetwork or of the rule state (superspike, erbp, nef on a plain
 * Network). Returns null for a network that does not spike. Weights are not touched; the simulators'
 * RNG streams advance as for any presentation.
 */
export function recordRaster(trainer: Trainer, example: ArrayLike<number>, o: RasterOptions = {}): Raster | null {
  const { net, rule } = trainer;
  const features = net.sizes[0]!;
  if (example.length !== features) throw new Error(`recordRaster: the example has ${example.length} values, expected ${features} (the network's inputs)`);
  const stateSim = (trainer.state as { sim?: unknown } | null)?.sim;
  const sim = net instanceof SpikingNetwork ? net.sim : stateSim instanceof SpikingSim ? stateSim : null;
  if (!rule.raster && !sim) return null;
  net.input.data.set(example, 0);
  if (rule.raster) {
    const ctx = trainer.ctx, rows = ctx.rows;
    ctx.rows = 1;
    try {
      return rule.raster(ctx, trainer.state, trainer.ruleParams, o);
    } finally {
      ctx.rows = rows;
    }
  }
  return sim!.raster(o);
}
