/** `uses: model` — a stack of dense layers with PyTorch-exact (or Glorot) initial weights. */
import { of } from 'rxjs';
import type { DenseParams, ModelSpec } from '../data.ts';
import { defineStage, jsonArtifact } from '../contract/stage.ts';
import { linearStackInit } from '../numerics/linear-init.ts';
import { TorchGenerator } from '../numerics/torch-generator.ts';
import { modelArtifacts } from './ml.ts';
import { modelBytes, parameterCount } from './preflight.ts';

/**
 * Glorot (Xavier) uniform weights in ±√(6 / (fan_in + fan_out)) and zero biases, as Keras
 * initialises dense layers, drawn from a seeded PyTorch generator so they are reproducible.
 */
function glorotInit(seed: number, layers: number[]): DenseParams[] {
  const gen = new TorchGenerator(seed);
  return layers.slice(1).map((out, l) => {
    const fanIn = layers[l];
    const limit = Math.sqrt(6 / (fanIn + out));
    const flat = gen.uniform(out * fanIn, -limit, limit);
    return { weight: Array.from({ length: out }, (_, r) => flat.slice(r * fanIn, (r + 1) * fanIn)), bias: new Array<number>(out).fill(0) };
  });
}

export const modelStage = defineStage({
  name: 'model',
  description: 'Builds a dense network (sizes input first); writes its initial parameters and the model in TF.js format.',
  params: {
    type: 'object',
    properties: {
      layers: {
        type: 'array',
        description: 'layer sizes, input first, e.g. [2, 1] for a perceptron or [2, 4, 1] for one hidden layer',
        items: { type: 'integer', minimum: 1 },
        minItems: 2,
      },
      activation: {
        enum: ['sigmoid', 'relu', 'tanh'],
        default: 'sigmoid',
        description: 'activation of the hidden layers; the output layer is always sigmoid',
      },
      init: {
        type: 'object',
        description: "initial weights: 'torch' reproduces torch.manual_seed(seed) + nn.Linear exactly; 'glorot' is Keras' default",
        properties: {
          scheme: { enum: ['torch', 'glorot'], default: 'torch' },
          seed: { type: 'integer', minimum: 0, default: 0, description: 'the seed given to torch.manual_seed' },
        },
        additionalProperties: false,
        default: {},
      },
    },
    required: ['layers'],
    additionalProperties: false,
  },
  outputs: { model: { kind: 'model', description: 'the architecture and its initial parameters' } },
  preflight: ({ layers }) => ({
    outputs: { model: { layers } },
    memory: { bytes: modelBytes(layers), path: ['with', 'layers'], what: `${parameterCount(layers)} parameters (layers ${JSON.stringify(layers)})` },
  }),
  run: (ctx) => {
    const { layers, activation, init } = ctx.params;
    const params = init.scheme === 'torch' ? linearStackInit(init.seed, layers) : glorotInit(init.seed, layers);
    const spec: ModelSpec = { layers, activation, params };
    return of(jsonArtifact('params.json', params), ...modelArtifacts(spec), ctx.output('model', spec));
  },
});
