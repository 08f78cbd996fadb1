/** The TensorFlow.js side of rxlab, for stages to import lazily in one piece. */
export { initBackend, tf, type BackendName } from './backend.ts';
export { createNetwork, validateSpec } from './model.ts';
export { accuracy, predict } from './predict.ts';
export { saveModel } from './save.ts';
export { train, type TrainOptions, type TrainState } from './train.ts';
