/**
 * The model as TF.js LayersModel files, in memory: `model.json` and `weights.bin`, the
 * pair `tf.loadLayersModel` reads in a browser. The engine writes them to disk.
 */
import type { ModelSpec } from '../data.ts';
import { tf } from './backend.ts';
import { toLayersModel } from './model.ts';

/** The two files of a saved model, by file name. */
export interface ModelFiles {
  'model.json': string;
  'weights.bin': Uint8Array;
}

/**
 * Serialises `spec` in the LayersModel format. The output is byte-identical for the
 * same spec: layer names are fixed (see `toLayersModel`) and the manifest points at
 * `weights.bin` relative to `model.json`.
 */
export async function saveModel(spec: ModelSpec): Promise<ModelFiles> {
  const model = toLayersModel(spec);
  let files: ModelFiles | undefined;
  try {
    await model.save({
      save: async (artifacts) => {
        const { weightSpecs, weightData, modelTopology, format, generatedBy, convertedBy } = artifacts;
        const json = {
          modelTopology,
          format,
          generatedBy,
          convertedBy,
          weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs ?? [] }],
        };
        files = {
          'model.json': JSON.stringify(json),
          'weights.bin': new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData as ArrayBuffer | ArrayBuffer[])),
        };
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      },
    });
  } finally {
    model.dispose();
  }
  if (!files) throw new Error('tfjs did not hand over the model artifacts');
  return files;
}

/** An IOHandler that loads saved files, for `tf.loadLayersModel(loadModelFiles(files))`. */
export function loadModelFiles(files: ModelFiles): tf.io.IOHandler {
  const json = JSON.parse(files['model.json']) as tf.io.ModelJSON;
  const bytes = files['weights.bin'];
  // Copy into an ArrayBuffer of its own: the Uint8Array may be a view into a larger one.
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => [manifest.flatMap((group) => group.weights), weightData]),
  };
}
