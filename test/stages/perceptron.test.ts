/**
 * The seed experiment through the pipeline: pipelines/perceptron.yaml is loaded, planned
 * and run, and its artifacts are compared with what PyTorch and scikit-learn computed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DenseParams } from '../../src/data.ts';
import type { History } from '../../src/data.ts';
import type { Prediction } from '../../src/data.ts';
import { runPipeline, type Ran } from '../helpers/run.ts';

const reference = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'train-reference.json'), 'utf8')) as {
  dataset: { X: number[][]; y: number[] };
  train: { init: [number[], number[]]; losses: number[]; final: [number[], number[]]; probs: number[] };
};
const PIPELINE = join(import.meta.dirname, '..', '..', 'pipelines', 'perceptron.yaml');

const maxDiff = (a: number[], b: number[]): number => {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
};

describe('pipelines/perceptron.yaml reproduces the seed', () => {
  let ran: Ran;
  beforeAll(async () => {
    ran = await runPipeline(PIPELINE);
  });

  it('completes', () => {
    expect(ran.manifest.error).toBeUndefined();
    expect(ran.manifest.status).toBe('completed');
    expect(ran.manifest.stages.train.params.backend).toBe('fused');
  });

  it('draws the same 100 points as make_blobs, to the last bit', () => {
    const data = ran.json<{ X: number[][]; y: number[] }>('data/dataset.json');
    expect(data.X).toEqual(reference.dataset.X);
    expect(data.y).toEqual(reference.dataset.y);
  });

  it('starts from the weights torch.manual_seed(2) gives nn.Linear(2, 1), exactly', () => {
    const [layer] = ran.json<DenseParams[]>('model/params.json');
    expect(layer.weight).toEqual([reference.train.init[0]]);
    expect(layer.bias).toEqual(reference.train.init[1]);
  });

  it('follows the loss curve within 1e-6 at every epoch', () => {
    const { loss } = ran.json<History>('train/history.json');
    expect(maxDiff(loss, reference.train.losses)).toBeLessThan(1e-6);
  });

  it('ends at the same parameters and test probabilities within 1e-6', () => {
    const [layer] = ran.json<DenseParams[]>('train/params.json');
    expect(maxDiff([...layer.weight[0], ...layer.bias], [...reference.train.final[0], ...reference.train.final[1]])).toBeLessThan(1e-6);
    const predictions = ran.json<Prediction[]>('evaluate/predictions.json');
    expect(predictions.map((p) => p.name)).toEqual(['red', 'black']);
    expect(predictions.map((p) => p.class)).toEqual([1, 0]);
    expect(maxDiff(predictions.map((p) => p.probability), reference.train.probs)).toBeLessThan(1e-6);
  });

  it('writes every chart as an SVG beside its Vega spec', () => {
    for (const chart of ['data-chart', 'initial-fit', 'loss-chart', 'trained-fit']) {
      const svg = readFileSync(join(ran.out, chart, 'chart.svg'), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(JSON.parse(readFileSync(join(ran.out, chart, 'chart.vg.json'), 'utf8')).$schema).toContain('vega');
    }
    expect(readFileSync(join(ran.out, 'trained-fit', 'chart.svg'), 'utf8')).toContain('Trained model with the test points');
  });

  it('loads the trained model files in the TF.js format', () => {
    const model = ran.json<{ weightsManifest: { paths: string[] }[] }>('train/model.json');
    expect(model.weightsManifest[0].paths).toEqual(['weights.bin']);
    // Two float32 weights and one bias.
    expect(readFileSync(join(ran.out, 'train', 'weights.bin')).byteLength).toBe(12);
  });
});
