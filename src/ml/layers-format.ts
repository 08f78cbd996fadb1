/**
 * A `ModelSpec` as TensorFlow.js LayersModel files — `model.json` and `weights.bin`, the
 * pair `tf.loadLayersModel` loads in a browser — written without TensorFlow.js, so a run on
 * the fused trainer never loads it. The bytes are those tfjs-layers' own `model.save`
 * writes for the same network (test/ml/layers-format.test.ts holds the two together).
 */
import type { ModelSpec } from '../data.ts';
import { validateSpec } from './options.ts';

/** The two files of a saved model, by file name. */
export interface ModelFiles {
  'model.json': string;
  'weights.bin': Uint8Array;
}

/** The tfjs-layers release whose format this writes (its `keras_version` and `generatedBy`). */
export const LAYERS_FORMAT_VERSION = '4.22.0';

/**
 * The files of `spec`: a Sequential of Dense layers named `dense_<l>` (the names fixed, so
 * the topology does not depend on what else a process built), hidden layers with
 * `spec.activation`, the output sigmoid; weights as float32, each layer's kernel in × out
 * (PyTorch's out × in weight transposed) and then its bias.
 */
export function modelFiles(spec: ModelSpec): ModelFiles {
  validateSpec(spec);
  const last = spec.params.length - 1;
  const layers = spec.params.map((_, l) => ({
    class_name: 'Dense',
    config: {
      units: spec.layers[l + 1],
      activation: l === last ? 'sigmoid' : spec.activation,
      use_bias: true,
      kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name: `dense_${l}`,
      trainable: true,
      // Only the first layer states its input shape and dtype.
      ...(l === 0 ? { batch_input_shape: [null, spec.layers[0]], dtype: 'float32' } : {}),
    },
  }));
  const weights = spec.params.flatMap((_, l) => [
    { name: `dense_${l}/kernel`, shape: [spec.layers[l], spec.layers[l + 1]], dtype: 'float32' },
    { name: `dense_${l}/bias`, shape: [spec.layers[l + 1]], dtype: 'float32' },
  ]);
  const json = {
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'rxlab_mlp', layers },
      keras_version: `tfjs-layers ${LAYERS_FORMAT_VERSION}`,
      backend: 'tensor_flow.js',
    },
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${LAYERS_FORMAT_VERSION}`,
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights }],
  };
  const values = new Float32Array(spec.params.reduce((n, p) => n + p.weight.length * (p.weight[0].length + 1), 0));
  let at = 0;
  for (const { weight, bias } of spec.params) {
    const [nOut, nIn] = [weight.length, weight[0].length];
    for (let i = 0; i < nIn; i++) for (let o = 0; o < nOut; o++) values[at++] = weight[o][i];
    for (const b of bias) values[at++] = b;
  }
  // Float32Array is the platform's byte order; TensorFlow.js writes little-endian, as every machine Node runs on is.
  return { 'model.json': JSON.stringify(json), 'weights.bin': new Uint8Array(values.buffer) };
}
