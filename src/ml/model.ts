/**
 * Dense networks built from a `ModelSpec`. Parameters travel as plain data in PyTorch's
 * layout (weight out × in); tfjs keeps dense kernels in × out, so they are transposed
 * on the way in and out.
 */
import type { Activation, DenseParams, ModelSpec } from '../data.ts';
import { tf } from './backend.ts';
import { validateSpec } from './options.ts';

export { validateSpec };

/** A network as trainable variables and a forward pass, for training and prediction. */
export interface Network {
  /** Kernel (in × out) and bias of each layer, in layer order: `[k0, b0, k1, b1, …]`. */
  readonly variables: tf.Variable[];
  /** Output probabilities (n × out) for inputs (n × in). */
  forward(x: tf.Tensor2D): tf.Tensor2D;
  /** The forward pass keeping what `backward` needs; its last output is `forward(x)`. */
  trace(x: tf.Tensor2D): Trace;
  /** Gradients of the loss for each of `variables` (same order), from dLoss/dOutput. */
  backward(trace: Trace, dOutput: tf.Tensor): tf.Tensor[];
  /** The current parameters in PyTorch layout, as exact float32 values. */
  readParams(): DenseParams[];
  /** Frees the variables. */
  dispose(): void;
}

/** Each layer's input and pre-activation, and the network's output. */
export interface Trace {
  inputs: tf.Tensor[];
  preActivations: tf.Tensor[];
  output: tf.Tensor2D;
}

interface ActivationFn {
  forward: (z: tf.Tensor) => tf.Tensor;
  /** dLoss/dz from dLoss/da, with z the pre-activation, a = forward(z) and `one` the scalar 1. */
  backward: (da: tf.Tensor, z: tf.Tensor, a: tf.Tensor, one: tf.Scalar) => tf.Tensor;
}

/**
 * The backward formulas are tfjs's own gradients (tfjs-core/src/gradients), op for op, so
 * the explicit backward pass gives the same bits its autodiff gave.
 */
const activations: Record<Activation, ActivationFn> = {
  sigmoid: { forward: (z) => tf.sigmoid(z), backward: (da, _, a, one) => tf.mul(da, tf.mul(a, tf.sub(one, a))) },
  relu: { forward: (z) => tf.relu(z), backward: (da, z) => tf.mul(da, tf.cast(tf.step(z), 'float32')) },
  tanh: { forward: (z) => tf.tanh(z), backward: (da, _, a, one) => tf.mul(tf.sub(one, tf.square(a)), da) },
};

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
  const activationOf = (l: number): ActivationFn => (l === last ? activations.sigmoid : hidden);
  const one = tf.scalar(1);
  const trace = (x: tf.Tensor2D): Trace => {
    const inputs: tf.Tensor[] = [];
    const preActivations: tf.Tensor[] = [];
    let h: tf.Tensor = x;
    for (let l = 0; l <= last; l++) {
      inputs.push(h);
      const z = tf.add(tf.matMul(h, variables[2 * l]), variables[2 * l + 1]);
      preActivations.push(z);
      h = activationOf(l).forward(z);
    }
    return { inputs, preActivations, output: h as tf.Tensor2D };
  };
  return {
    variables,
    forward: (x) => trace(x).output,
    trace,
    // Backpropagation through z = h·K + b, a = act(z): dz from da; dK = hᵀ·dz; db = the
    // column sums of dz; and dh = dz·Kᵀ for the layer below (not needed below the first).
    backward: ({ inputs, preActivations, output }, dOutput) => {
      const grads: tf.Tensor[] = new Array(variables.length);
      let da = dOutput;
      let a: tf.Tensor = output;
      for (let l = last; l >= 0; l--) {
        const dz = activationOf(l).backward(da, preActivations[l], a, one);
        grads[2 * l] = tf.matMul(inputs[l], dz, true, false);
        grads[2 * l + 1] = tf.sum(dz, 0);
        if (l > 0) {
          da = tf.matMul(dz, variables[2 * l], false, true);
          a = inputs[l];
        }
      }
      return grads;
    },
    readParams: () =>
      spec.params.map((_, l) => {
        const [nIn, nOut] = [spec.layers[l], spec.layers[l + 1]];
        const k = variables[2 * l].dataSync();
        const weight = Array.from({ length: nOut }, (_, o) => Array.from({ length: nIn }, (_, i) => k[i * nOut + o]));
        return { weight, bias: Array.from(variables[2 * l + 1].dataSync()) };
      }),
    dispose: () => [...variables, one].forEach((t) => t.dispose()),
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
