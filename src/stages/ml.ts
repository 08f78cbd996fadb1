/**
 * What the TensorFlow.js stages share: one backend set-up per run and the model files.
 * `src/ml` is imported on first use, so commands that never train (plan, --help) start fast.
 */
import type { ModelSpec } from '../data.ts';
import { artifact, type ArtifactEvent } from '../contract/stage.ts';

export const loadMl = () => import('../ml/index.ts');

/** The packages whose code computes what the TensorFlow.js stages produce (those installed are recorded). */
export const ML_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'] as const;

/** Picks the tfjs backend once per run; run.json records it and the CLI prints it. */
export async function mlSetup(): Promise<Record<string, string>> {
  const { initBackend } = await loadMl();
  return { backend: await initBackend() };
}

/** `model.json` + `weights.bin`, the pair `tf.loadLayersModel` loads in a browser. */
export async function modelFiles(spec: ModelSpec): Promise<ArtifactEvent[]> {
  const { saveModel } = await loadMl();
  const files = await saveModel(spec);
  return [artifact('model.json', files['model.json']), artifact('weights.bin', files['weights.bin'])];
}
