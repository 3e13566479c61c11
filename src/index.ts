// bioprop's public surface: re-exports only (and load()).
import './disposable.js';
import { loadKernels, type LoadOptions } from './wasm/load.js';
import { Backend } from './backend.js';

// the WASM core and its kernel API
export { Backend, ConvGeometry, PoolGeometry, SURROGATES, RESET_MODES, INVERSE_KERNELS, type BackendOptions, type GemmOptions, type GemmTrans, type LifParams, type AlifParams, type LayerStepBuffers, type SpikeLists, type LitPixels, type DendriticStepBuffers, type DendriticStepConstants, type DendriticLayerBuffers, type DendriticLayerConstants, type DendriticInputBuffers, type LifAdjointParams, type SurrogateShape, type ResetMode, type InvertibleName } from './backend.js';
export { Heap } from './core/heap.js';
export { Tensor, type Shape } from './core/tensor.js';
export { Workspace } from './core/workspace.js';
export { WasmRng } from './wasm/rng.js';
export { Rng } from './core/rng.js';
export { IntBuffer, type IntKind, type IntArray } from './core/intbuf.js';
export { HeapBuffer, type Allocator, type View } from './core/buffer.js';
export { ACTIVATIONS, ACT_NAMES, resolveAct, type ActName, type ActParams, type ActivationSpec, type ResolvedAct } from './activations.js';
export { loadKernels, hasSimd, type Build, type LoadOptions } from './wasm/load.js';
export type { Kernels, ActKernels, ActKernelName, InverseKernels } from './wasm/kernels.js';
// data
export * from './data/index.js';
// networks, rules, training, checkpoints
export { Network, type NetworkOptions, type Layer, type LossName, type Param, type ConvStage, type PoolStage } from './net/network.js';
export type { LayerSpec, ConvSpec, DenseSpec, PoolSpec } from './net/arch.js';
export { SpikingNetwork, SpikingSim, simOf, SPIKING_DEFAULTS, type SimCounters, type SpikingOptions, type SpikingNetworkOptions, type SpikeLayer, type Readout } from './net/spiking.js';
export { neurons, getNeuron, defineNeuron, neuronParams, type Neuron, type NeuronParams, type NeuronState, type Resolved } from './neurons/index.js';
export type { LayerBuffers } from './neurons/types.js';
export { StepProfile, PROFILE_PARTS, type ProfilePart } from './net/profile.js';
export { makeEncoder, ENCODERS, type Encoder, type EncoderName, type EncoderOptions } from './encode/index.js';
export { INIT_SCHEMES, type InitScheme } from './net/init.js';
export { rules, getRule, registerRule } from './rules/index.js';
export { defineRule, OBJECTIONS, type Rule, type AnyRule, type Objection, type StepContext, type TrainDefaults, type SpikingForm, type SpikingParts, SPIKING_PARTS } from './rules/types.js';
export { chain, direct, localGrads, outputDelta } from './rules/shared/common.js';
export { angleDeg, normRatio } from './metrics/alignment.js';
export { Alignment, type AlignmentRecord } from './train/alignment.js';
export type { FeedbackPath, BackpropSignals } from './rules/types.js';
export type { Raster, RasterOptions, RasterSource } from './net/raster.js';
export { Trainer, evaluateNetwork, DivergenceError, type TrainerOptions, type FitOptions, type FitResult, type BatchInfo } from './train/trainer.js';
export type { EpochRecord } from './train/history.js';
export { configDifferences, type ConfigDifference, type TrainingState, type TrainerConfig } from './train/resume.js';
export { makeOptimizer, OPTIMIZERS, type Optimizer, type OptimizerName, type OptimizerOptions } from './optim/optimizers.js';
export { schedule, SCHEDULES, type ScheduleName, type ScheduleOptions } from './optim/schedules.js';
export { encodeCheckpoint, decodeCheckpoint, networkFromCheckpoint, crc32, CHECKPOINT_FORMAT, type CheckpointHeader } from './io/checkpoint.js';
export { encodeTrainingState, decodeTrainingState, isTrainingState, TRAINING_STATE_VERSION } from './io/training-state.js';
export { VERSION } from './version.js';

/** Instantiates the WASM core (once per build) and returns the shape-checked kernel API over it. */
export async function load(opts: LoadOptions = {}): Promise<Backend> {
  return new Backend(await loadKernels(opts), { debug: opts.build === 'debug' });
}
