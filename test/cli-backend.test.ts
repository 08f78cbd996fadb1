/**
 * Choosing what computes from the command line: `--backend NAME` sets the backend param of
 * every stage that has one (train, evaluate, decision-chart), the run says which backend
 * trained, and a backend that is not there is refused before anything runs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, copyPipeline, expectNoCrash, rxlab } from './helpers/cli.ts';

const hasTfjsNode = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

describe('--backend', () => {
  it('trains on the fused trainer unless told otherwise, and says so', () => {
    const { dir } = copyPipeline(join(ROOT, 'pipelines', 'perceptron.yaml'));
    const run = rxlab(['run', 'perceptron.yaml'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.split('\n')).toContain('train: backend fused (WebAssembly SIMD, 1 thread)');
  });

  it('--backend cpu runs every model stage on TensorFlow.js, as a run of its own, with the seed\'s numbers', () => {
    const { dir } = copyPipeline(join(ROOT, 'pipelines', 'perceptron.yaml'));
    const run = rxlab(['run', 'perceptron.yaml', '--backend', 'cpu'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain('train: backend cpu (TensorFlow.js)');
    expect(lines).toContain('train: final loss 0.2562 after 1000 epochs');
    expect(lines).toContain('evaluate: red: probability 0.9424, class 1');
    const folder = join(dir, 'outputs', 'perceptron', 'runs', 'backend=cpu');
    const manifest = JSON.parse(readFileSync(join(folder, 'run.json'), 'utf8')) as { stages: Record<string, { params: { backend?: string } }> };
    const backends = Object.fromEntries(Object.entries(manifest.stages).flatMap(([id, s]) => (s.params.backend ? [[id, s.params.backend]] : [])));
    expect(backends).toEqual({ train: 'cpu', evaluate: 'cpu', 'initial-fit': 'cpu', 'trained-fit': 'cpu' });
  });

  it.skipIf(hasTfjsNode)('refuses tensorflow where @tensorflow/tfjs-node is not installed, before anything runs (exit 2), at every stage that would use it', () => {
    const { dir } = copyPipeline(join(ROOT, 'pipelines', 'perceptron.yaml'));
    const run = rxlab(['run', 'perceptron.yaml', '--backend', 'tensorflow'], { cwd: dir });
    expectNoCrash(run);
    expect(run.status).toBe(2);
    const why = 'backend tensorflow needs @tensorflow/tfjs-node, which is not installed here (npm install @tensorflow/tfjs-node; its install downloads libtensorflow); use fused, cpu or wasm';
    expect(run.stderr).toBe(
      ['train', 'evaluate', 'initial-fit', 'trained-fit'].map((id) => `--set *.backend=tensorflow: stages.${id}.with.backend: ${why}\n`).join('') + '4 errors; nothing was run\n',
    );
    expect(existsSync(join(dir, 'outputs'))).toBe(false);
  });

  it('refuses a backend that does not exist, naming the one meant', () => {
    const { dir } = copyPipeline(join(ROOT, 'pipelines', 'perceptron.yaml'));
    const run = rxlab(['run', 'perceptron.yaml', '--backend', 'gpu'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--set *.backend=gpu: stages.train.with.backend: expected one of "fused", "cpu", "wasm", "tensorflow", found "gpu" (did you mean "cpu"?)\n');
    expect(existsSync(join(dir, 'outputs'))).toBe(false);
  });
});
