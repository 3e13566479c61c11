// Spike rasters: what a spiking simulator records of one presentation, for the run record, the report's
// raster chart and the browser page (src/train/raster.ts takes one after training).

/** Spikes of a few neurons of one layer over one presentation window: `spikes` lists [time step, neuron]
 *  pairs in time order, t < steps, neuron < neurons. `layer` counts from 1 (the first hidden layer). */
export interface Raster {
  layer: number;
  steps: number;
  neurons: number;
  spikes: [number, number][];
  /** Spikes in the window among those neurons; more than spikes.length when the list was capped. */
  total?: number;
}

export interface RasterOptions {
  /** Layer to record, from 1 = the first hidden layer (default 1). */
  layer?: number;
  /** Record the first this many neurons of the layer (default 64). */
  neurons?: number;
  /** Keep at most this many [t, i] pairs (default 2000; later spikes are counted in `total` only). */
  maxSpikes?: number;
}

/** A simulator that records a raster of one inference presentation of row 0 of net.input (SpikingSim,
 *  DendriticSim in src/net/dendritic.ts); null when the layer asked for does not spike. */
export interface RasterSource {
  raster(o?: RasterOptions): Raster | null;
}

/** Records `neurons` columns of row 0 of a spike buffer, step by step, into a Raster (shared by the spiking
 *  simulators). */
export class RasterRecorder {
  readonly raster: Raster;
  private readonly max: number;
  constructor(layer: number, steps: number, width: number, o: RasterOptions = {}) {
    const neurons = Math.max(0, Math.min(o.neurons ?? 64, width));
    this.max = o.maxSpikes ?? 2000;
    this.raster = { layer, steps, neurons, spikes: [], total: 0 };
  }

  /** Adds step t's spikes from a 0/1 buffer whose row 0 starts at index 0. */
  record(t: number, spikes: Float32Array): void {
    const r = this.raster;
    for (let i = 0; i < r.neurons; i++) {
      if (spikes[i] === 0) continue;
      r.total!++;
      if (r.spikes.length < this.max) r.spikes.push([t, i]);
    }
  }
}
