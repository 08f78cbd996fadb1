/**
 * The fused trainer: forward, loss, backward and the optimizer's update for a whole
 * network in WebAssembly SIMD kernels over preallocated float32 buffers. A drop-in for
 * the TensorFlow.js loop (same options, same states), without TensorFlow.js.
 */
export { accuracy, predict } from './predict.ts';
export { train, type FusedOptions } from './train.ts';
export { adamSpec, sgdSpec, type TrainOptions, type TrainState } from '../options.ts';
export type { OptimizerSpec } from '../optimizers.ts';
