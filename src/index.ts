// bioprop's public surface: re-exports only (and load()).
import './disposable.js';
import { loadKernels, type LoadOptions } from './wasm/load.js';
import { Backend } from './ops.js';

// the WASM core and its kernel API
export { Backend, SURROGATES, type GemmOptions, type LifParams, type LifBuffers, type AlifParams, type SurrogateShape } from './ops.js';
export { Heap, type Shape } from './heap.js';
export { Tensor } from './tensor.js';
export { Workspace } from './workspace.js';
export { WasmRng } from './wasm-rng.js';
export { Rng } from './rng.js';
export { IntBuffer, type IntKind, type IntArray } from './intbuf.js';
export { ACTIVATIONS, ACT_NAMES, type ActName, type ActParams, type ActivationSpec } from './activations.js';
export { loadKernels, hasSimd, type Build, type LoadOptions } from './wasm/load.js';
export type {
  Kernels, CoreKernels, Blas1Kernels, RngKernels, SpikeKernels, EventKernels, GatherKernels, ElementwiseKernels, ActKernels, ActKernel,
  SpikeActKernels, InverseKernels, InverseKernel, LossKernels, OptimKernels, SettleKernels, GemmKernels,
} from './wasm/kernels.js';
// data
export * from './data/index.js';
// networks, rules, training, checkpoints
export { Network, type NetworkOptions, type Layer, type LayerAct, type LossName } from './net/network.js';
export { SpikingNetwork, SpikingSim, simOf, SPIKING_DEFAULTS, type SimCounters, type SpikingOptions, type SpikingNetworkOptions, type SpikeLayer, type Readout, type Raster, type RasterOptions } from './net/spiking.js';
export { neurons, getNeuron, defineNeuron, neuronParams, type Neuron, type NeuronParams, type NeuronState, type Resolved } from './neurons/index.js';
export { makeEncoder, ENCODERS, type Encoder, type EncoderName, type EncoderOptions } from './encode/index.js';
export { INIT_SCHEMES, type InitScheme } from './net/init.js';
export { rules, getRule, registerRule } from './rules/index.js';
export { defineRule, OBJECTIONS, type Rule, type AnyRule, type Objection, type Param, type StepContext, type TrainDefaults, type Phase } from './rules/types.js';
export { chain, direct, localGrads, outputDelta } from './rules/common.js';
export { Alignment, angleDeg, tensorAngleDeg, normRatio, type AlignmentRecord } from './metrics/alignment.js';
export type { FeedbackPath, BackpropSignals } from './rules/types.js';
export { Trainer, evaluateNetwork, DivergenceError, configDifferences, type ConfigDifference, type TrainerOptions, type EpochRecord, type FitOptions, type FitResult, type BatchInfo, type TrainingState, type TrainerConfig } from './train/trainer.js';
export { makeOptimizer, OPTIMIZERS, type Optimizer, type OptimizerName, type OptimizerOptions } from './train/optimizers.js';
export { schedule, SCHEDULES, type ScheduleName, type ScheduleOptions } from './train/schedules.js';
export { encodeCheckpoint, decodeCheckpoint, networkFromCheckpoint, crc32, CHECKPOINT_FORMAT, type CheckpointHeader } from './io/checkpoint.js';
export { encodeTrainingState, decodeTrainingState, isTrainingState, TRAINING_STATE_VERSION } from './io/training-state.js';
export { VERSION } from './version.js';

/** Instantiates the WASM core (once per build) and returns the shape-checked kernel API over it. */
export async function load(opts: LoadOptions = {}): Promise<Backend> {
  return new Backend(await loadKernels(opts));
}
