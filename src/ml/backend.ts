/**
 * The TensorFlow.js instance every `src/ml` module uses, and the choice of backend.
 */
import * as tf from './tf.ts';

export { tf };

/** A backend `initBackend` can select; `tensorflow` is the native one from `@tensorflow/tfjs-node`. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

// A variable specifier keeps TypeScript and bundlers from resolving the optional
// package statically: it is usually absent (its install downloads libtensorflow).
const TFJS_NODE = '@tensorflow/tfjs-node';

/**
 * Selects a backend and returns the name of the one now active.
 *
 * Without `preferred`: the native `tensorflow` backend when `@tensorflow/tfjs-node`
 * loads, else `cpu` (measured faster than `wasm` for this project's small models; see
 * `bench/backends.bench.ts`). A `preferred` backend that cannot be loaded falls back the
 * same way; the returned name says which one runs.
 */
export async function initBackend(preferred?: BackendName): Promise<BackendName> {
  if (preferred === undefined || preferred === 'tensorflow') {
    if ((await loads(TFJS_NODE)) && (await tf.setBackend('tensorflow'))) return 'tensorflow';
  }
  if (preferred === 'wasm') {
    if ((await loads('@tensorflow/tfjs-backend-wasm')) && (await tf.setBackend('wasm'))) return 'wasm';
  }
  await tf.setBackend('cpu');
  silenceNodeBanner();
  return 'cpu';
}

async function loads(specifier: string): Promise<boolean> {
  try {
    await import(specifier);
    return true;
  } catch {
    return false;
  }
}

/**
 * The cpu backend prints a "install our node backend" banner through `console.warn` on
 * its first tensor write. Making that first write here, with only that message
 * filtered out, keeps CLI output clean while every other warning still shows (tfjs's
 * own switch for this, the PROD flag, would silence all of its warnings).
 */
function silenceNodeBanner(): void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('install our node backend')) return;
    warn(...args);
  };
  try {
    tf.scalar(0).dispose();
  } finally {
    console.warn = warn;
  }
}
