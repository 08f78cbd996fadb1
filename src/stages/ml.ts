/**
 * What the stages that train and predict share: the backend param, the computation it
 * selects, and the model files. The fused trainer (src/ml/fused) is the default; a
 * TensorFlow.js backend is loaded only when a stage asks for one, so a run on the fused
 * trainer never loads TensorFlow.js.
 */
import { availableParallelism } from 'node:os';
import type { ModelSpec } from '../data.ts';
import { artifact, type ArtifactEvent } from '../contract/stage.ts';
import { modelFiles } from '../ml/layers-format.ts';

export const BACKENDS = ['fused', 'cpu', 'wasm', 'tensorflow'] as const;
export type Backend = (typeof BACKENDS)[number];

/** The `backend` param of the stages that compute with a model; part of their params, so of their cache key. */
export const backendParam = {
  enum: BACKENDS,
  default: 'fused',
  description:
    "what computes: fused (rxlab's WebAssembly SIMD trainer, no TensorFlow.js) or a TensorFlow.js backend: cpu, wasm, or tensorflow (native, needs @tensorflow/tfjs-node); each gives PyTorch's numbers within float32 rounding, not the same bits",
} as const;

/** The packages whose code computes with a TensorFlow.js backend (those installed are recorded). */
export const ML_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'] as const;

/** Data this large trains on every core (the fused trainer's result is the same bits for any thread count). */
const THREADED_FROM_SAMPLES = 32_768;

/** Training and prediction on `backend`: the fused trainer, or TensorFlow.js with that backend selected. */
export async function computeWith(backend: Backend) {
  if (backend === 'fused') {
    const fused = await import('../ml/fused/index.ts');
    return {
      ...fused,
      threadsFor: (samples: number): number => (samples >= THREADED_FROM_SAMPLES ? Math.min(availableParallelism(), 4) : 1),
    };
  }
  const tfjs = await import('../ml/index.ts');
  const active = await tfjs.initBackend(backend);
  if (active !== backend) {
    throw new Error(
      backend === 'tensorflow'
        ? 'backend tensorflow needs @tensorflow/tfjs-node, which is not installed here (its install downloads libtensorflow); use backend fused, cpu or wasm'
        : `the TensorFlow.js backend ${backend} could not be loaded; use backend fused or cpu`,
    );
  }
  return { ...tfjs, threadsFor: (): number => 1 };
}

/** `model.json` + `weights.bin`, the pair `tf.loadLayersModel` loads in a browser (written without TensorFlow.js). */
export function modelArtifacts(spec: ModelSpec): ArtifactEvent[] {
  const files = modelFiles(spec);
  return [artifact('model.json', files['model.json']), artifact('weights.bin', files['weights.bin'])];
}
