/**
 * Dense networks built from a `ModelSpec`. Parameters travel as plain data in PyTorch's
 * layout (weight out × in); tfjs keeps dense kernels in × out, so they are transposed
 * on the way in and out.
 */
import type { Activation, DenseParams, ModelSpec } from '../data.ts';
import { tf } from './backend.ts';

/** A network as trainable variables and a forward pass, for training and prediction. */
export interface Network {
  /** Kernel (in × out) and bias of each layer, in layer order: `[k0, b0, k1, b1, …]`. */
  readonly variables: tf.Variable[];
  /** Output probabilities (n × out) for inputs (n × in). */
  forward(x: tf.Tensor2D): tf.Tensor2D;
  /** The current parameters in PyTorch layout, as exact float32 values. */
  readParams(): DenseParams[];
  /** Frees the variables. */
  dispose(): void;
}

const activations: Record<Activation, (x: tf.Tensor) => tf.Tensor> = {
  sigmoid: (x) => tf.sigmoid(x),
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
};

/** Throws a descriptive error unless `spec.params` fits `spec.layers`. */
export function validateSpec(spec: ModelSpec): void {
  const { layers, params } = spec;
  if (layers.length < 2 || !layers.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`layers must list at least two positive sizes, got [${layers.join(', ')}]`);
  }
  if (!(spec.activation in activations)) throw new Error(`unknown activation '${spec.activation}'`);
  if (params.length !== layers.length - 1) {
    throw new Error(`layers [${layers.join(', ')}] need ${layers.length - 1} parameter sets, got ${params.length}`);
  }
  params.forEach(({ weight, bias }, l) => {
    const [nIn, nOut] = [layers[l], layers[l + 1]];
    if (weight.length !== nOut || weight.some((row) => row.length !== nIn) || bias.length !== nOut) {
      throw new Error(`layer ${l} needs weight ${nOut}×${nIn} and bias ${nOut}`);
    }
  });
}

/** Creates the variables of `spec` initialised from its params. */
export function createNetwork(spec: ModelSpec): Network {
  validateSpec(spec);
  const last = spec.params.length - 1;
  const hidden = activations[spec.activation];
  // tidy frees the initial-value tensors; variables are not tracked by it.
  const variables = tf.tidy(() =>
    spec.params.flatMap(({ weight, bias }) => [
      tf.variable(tf.tensor2d(toKernel(weight), [weight[0].length, weight.length])),
      tf.variable(tf.tensor1d(bias)),
    ]),
  );
  return {
    variables,
    forward: (x) => {
      let h: tf.Tensor = x;
      for (let l = 0; l <= last; l++) {
        const z = tf.add(tf.matMul(h, variables[2 * l]), variables[2 * l + 1]);
        h = l === last ? tf.sigmoid(z) : hidden(z);
      }
      return h as tf.Tensor2D;
    },
    readParams: () =>
      spec.params.map((_, l) => {
        const [nIn, nOut] = [spec.layers[l], spec.layers[l + 1]];
        const k = variables[2 * l].dataSync();
        const weight = Array.from({ length: nOut }, (_, o) => Array.from({ length: nIn }, (_, i) => k[i * nOut + o]));
        return { weight, bias: Array.from(variables[2 * l + 1].dataSync()) };
      }),
    dispose: () => variables.forEach((v) => v.dispose()),
  };
}

/**
 * The same network as a `tf.Sequential`, for saving in the LayersModel format. Layer
 * and model names are fixed so the saved topology does not depend on how many models
 * the process created before (tfjs numbers generated names with a global counter).
 */
export function toLayersModel(spec: ModelSpec): tf.Sequential {
  validateSpec(spec);
  const last = spec.params.length - 1;
  const model = tf.sequential({ name: 'rxlab_mlp' });
  spec.params.forEach((_, l) => {
    model.add(
      tf.layers.dense({
        name: `dense_${l}`,
        units: spec.layers[l + 1],
        activation: l === last ? 'sigmoid' : spec.activation,
        ...(l === 0 ? { inputShape: [spec.layers[0]] } : {}),
      }),
    );
  });
  tf.tidy(() =>
    model.setWeights(
      spec.params.flatMap(({ weight, bias }) => [
        tf.tensor2d(toKernel(weight), [weight[0].length, weight.length]),
        tf.tensor1d(bias),
      ]),
    ),
  );
  return model;
}

/** PyTorch's out × in weight as a flat, row-major in × out kernel. */
function toKernel(weight: number[][]): Float32Array {
  const [nOut, nIn] = [weight.length, weight[0].length];
  const k = new Float32Array(nIn * nOut);
  for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) k[i * nOut + o] = weight[o][i];
  return k;
}
