/**
 * What the stages that train and predict share: the backend param, the computation it
 * selects, and the model files. The fused trainer (src/ml/fused) is the default; a
 * TensorFlow.js backend is loaded only when a stage asks for one, so a run on the fused
 * trainer never loads TensorFlow.js.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type { ModelSpec } from '../data.ts';
import { artifact, type ArtifactEvent, type ParamsProblem } from '../contract/stage.ts';
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

/**
 * The backend param's problem, found before anything runs: `tensorflow` needs
 * @tensorflow/tfjs-node, an optional dependency whose install fails where libtensorflow
 * cannot be downloaded.
 */
export function backendProblems(backend: Backend): ParamsProblem[] {
  if (backend !== 'tensorflow' || installed('@tensorflow/tfjs-node')) return [];
  return [
    {
      path: ['backend'],
      message: 'backend tensorflow needs @tensorflow/tfjs-node, which is not installed here (npm install @tensorflow/tfjs-node; its install downloads libtensorflow); use fused, cpu or wasm',
    },
  ];
}

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

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

/** What computed, for the user: `fused (WebAssembly SIMD, 1 thread)`, `cpu (TensorFlow.js)`. */
export function describeBackend(backend: Backend, threads: number): string {
  return backend === 'fused' ? `fused (WebAssembly SIMD, ${threads} thread${threads === 1 ? '' : 's'})` : `${backend} (TensorFlow.js)`;
}

/** `model.json` + `weights.bin`, the pair `tf.loadLayersModel` loads in a browser (written without TensorFlow.js). */
export function modelArtifacts(spec: ModelSpec): ArtifactEvent[] {
  const files = modelFiles(spec);
  return [artifact('model.json', files['model.json']), artifact('weights.bin', files['weights.bin'])];
}
