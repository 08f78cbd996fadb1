/**
 * Every mistake found before anything runs: checks between stages (a point's size
 * against the model's input, a dataset's features against the model, labels a loss
 * cannot take, checkpoints no one emits), checks between params (list lengths, ranges,
 * names) and checks of the data itself (empty, no features, values that are not finite
 * numbers), each at its place in the file or in the data file, exit 2, nothing run.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineInputError } from '../../src/engine/errors.ts';
import { loadAndPlan } from '../../src/engine/run-pipeline.ts';
import { resolveStage } from '../../src/stages/registry.ts';
import { rxlab } from '../helpers/cli.ts';
import { expectRefused, project } from './helpers.ts';

/** `file:line:col path: message` for every problem loading `text` (with `files` beside it) finds, or [] when it loads. */
async function problems(text: string, files: Record<string, string> = {}): Promise<string[]> {
  const dir = project(text, 'p.yaml');
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  try {
    await loadAndPlan(join(dir, 'p.yaml'), { resolve: resolveStage });
    return [];
  } catch (err) {
    if (!(err instanceof PipelineInputError)) throw err;
    return err.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}${d.path ? ` ${d.path}` : ''}: ${d.message}`.replaceAll(`${dir}/`, ''));
  }
}

const MODEL_AND_TRAIN = `  model: { uses: model, with: { layers: [2, 1] } }
  train: { uses: train, inputs: { dataset: data, model: model }, with: { optimizer: { name: sgd, lr: 0.1 }, epochs: 5 } }
`;

describe('between stages', () => {
  it("an evaluated point whose size is not the model's input", async () => {
    expect(await problems(`stages:\n  data: { uses: xor }\n${MODEL_AND_TRAIN}  evaluate: { uses: evaluate, inputs: { model: train.model }, with: { points: [[1, 1], { name: red, point: [1, 2, 3] }] } }\n`)).toEqual([
      'p.yaml:5:108 stages.evaluate.with.points.1.point: expected 2 coordinates (the model train.model takes 2 features), found 3',
    ]);
  });

  it("a dataset whose features are not the model's input, for training and for evaluation", async () => {
    const text = `stages:
  data: { uses: blobs, with: { n_features: 3, centers: 2 } }
${MODEL_AND_TRAIN}  evaluate: { uses: evaluate, inputs: { model: train.model, dataset: data } }
`;
    expect(await problems(text)).toEqual([
      "p.yaml:4:44 stages.train.inputs.dataset: the model (model.model) takes 2 features, but data.dataset has 3; make the model's layers start with 3",
      'p.yaml:5:70 stages.evaluate.inputs.dataset: the model (train.model) takes 2 features, but data.dataset has 3; evaluate it on data with as many features as the model was trained on',
    ]);
  });

  it('labels other than 0 and 1 under BCE (make_blobs draws 3 centres unless told)', async () => {
    expect(await problems(`stages:\n  data: { uses: blobs }\n${MODEL_AND_TRAIN}`)).toEqual([
      'p.yaml:4:66 stages.train.with.loss: bce needs labels 0 and 1, but data.dataset has labels 0, 1, 2; give it two classes (blobs: centers: 2), or labels of 0 and 1',
    ]);
    expect(await problems(`stages:\n  data: { uses: blobs, with: { centers: 2 } }\n${MODEL_AND_TRAIN}`)).toEqual([]);
  });

  it('a checkpoint stage on a train that emits no checkpoints', async () => {
    const text = `stages:\n  data: { uses: xor }\n${MODEL_AND_TRAIN}  save: { uses: checkpoint, inputs: { checkpoints: train.checkpoints } }\n`;
    expect(await problems(text)).toEqual(['p.yaml:5:52 stages.save.inputs.checkpoints: train.checkpoints emits no checkpoint: set checkpoint_every on the stage train']);
    expect(await problems(text.replace('epochs: 5', 'epochs: 5, checkpoint_every: 2'))).toEqual([]);
  });

  it('a split that leaves no training rows, and a chart of three features', async () => {
    const text = (testSize: number) => `stages:
  data: { uses: blobs, with: { n_samples: 10, n_features: 3, centers: 2 } }
  split: { uses: split, inputs: { dataset: data }, with: { test_size: ${testSize} } }
  chart: { uses: scatter-chart, inputs: { dataset: split.train } }
`;
    expect(await problems(text(10))).toEqual([
      'p.yaml:3:71 stages.split.with.test_size: test_size=10 should be either positive and smaller than the number of samples 10 or a float in the (0, 1) range (data.dataset has 10 samples)',
    ]);
    expect(await problems(text(2))).toEqual([
      'p.yaml:4:52 stages.chart.inputs.dataset: a chart plots 2 features, but split.train has 3; a chart of more features is not drawn: leave this stage out',
    ]);
  });
});

describe("between a stage's params", () => {
  it('cluster_std and n_samples lists of the wrong length, and centre boxes that are no box', async () => {
    expect(
      await problems(`stages:
  a: { uses: blobs, with: { centers: 3, cluster_std: [1, 2] } }
  b: { uses: blobs, with: { n_samples: [10, 20], centers: [[0, 0], [1, 1], [2, 2]] } }
  c: { uses: blobs, with: { center_box: [10, -10] } }
  d: { uses: blobs, with: { center_box: [-1e308, 1e308] } }
  e: { uses: blobs, with: { centers: [[0, 0], [1]] } }
`),
    ).toEqual([
      'p.yaml:2:54 stages.a.with.cluster_std: expected one standard deviation per centre (3), found 2',
      'p.yaml:3:40 stages.b.with.n_samples: expected one count per centre (3), found 2',
      'p.yaml:4:41 stages.c.with.center_box: expected [low, high] with low < high, found [10, -10]',
      'p.yaml:5:41 stages.d.with.center_box: the box [-1e+308, 1e+308] is too wide: high - low must be a finite number',
      'p.yaml:6:47 stages.e.with.centers.1: expected 2 coordinates (as centers[0]), found 1',
    ]);
  });

  it('two evaluated points of one name', async () => {
    expect(await problems(`stages:\n  data: { uses: xor }\n${MODEL_AND_TRAIN}  evaluate: { uses: evaluate, inputs: { model: train.model }, with: { points: [{ name: a, point: [1, 1] }, { name: a, point: [0, 0] }] } }\n`)).toEqual([
      'p.yaml:5:116 stages.evaluate.with.points.1.name: duplicate point name "a" (points[0] has it too); give each point its own name',
    ]);
  });
});

describe('the data itself', () => {
  const csv = (content: string) => problems('stages:\n  data: { uses: dataset, with: { path: d.csv } }\n', { 'd.csv': content });

  it('a CSV with no rows, a header and no rows, or no feature column', async () => {
    expect(await csv('')).toEqual(['p.yaml:2:40 stages.data.with.path: d.csv: the file has no rows; expected numbers separated by commas']);
    expect(await csv('x,y,label\n')).toEqual(['d.csv:1:1: the file has a header row but no data rows']);
    expect(await csv('label\n0\n1\n')).toEqual(['d.csv:1:1: the file has one column, the labels, and no features; expected features, then the label, separated by commas']);
  });

  it('values that are not finite numbers, and labels that are not classes, each at its line and column', async () => {
    expect(await csv('x,y,label\n1,inf,0\nNaN,2,1\n1,2,0.5\n1,2,-1\n')).toEqual([
      'd.csv:2:3: expected a finite number, found "inf"',
      'd.csv:3:1: expected a finite number, found "NaN"',
      'd.csv:4:5: expected a class label (an integer ≥ 0), found 0.5',
      'd.csv:5:5: expected a class label (an integer ≥ 0), found -1',
    ]);
  });

  it('inline data: empty, ragged, or labels not one per row', async () => {
    expect(await problems('stages:\n  data: { uses: dataset, with: { X: [], y: [] } }\n')).toEqual(['p.yaml:2:37 stages.data.with.X: expected a non-empty list of rows']);
    expect(await problems('stages:\n  data: { uses: dataset, with: { X: [[1, 2], [3]], y: [0] } }\n')).toEqual([
      'p.yaml:2:46 stages.data.with.X.1: expected 2 features (as in X[0]), found 1',
      'p.yaml:2:55 stages.data.with.y: expected 2 labels (one per row of X), found 1',
    ]);
  });

  it('a JSON data file that is not a dataset', async () => {
    expect(await problems('stages:\n  data: { uses: dataset, with: { path: d.json } }\n', { 'd.json': '{"X": [[1, null]], "y": [0]}' })).toEqual([
      'p.yaml:2:40 stages.data.with.path: d.json X[0][1]: expected a finite number, found null',
    ]);
  });
});

describe('through the CLI', () => {
  it('every problem at once, exit 2, and nothing written: no outputs folder, no lock', () => {
    const dir = project(`stages:
  data: { uses: blobs }
${MODEL_AND_TRAIN}  evaluate: { uses: evaluate, inputs: { model: train.model }, with: { points: [[1, 2, 3]] } }
`, 'p.yaml');
    const result = rxlab(['run', 'p.yaml'], { cwd: dir });
    expectRefused(result, /^p\.yaml:4:66 stages\.train\.with\.loss: bce needs labels 0 and 1/m);
    expect(result.stderr).toMatch(/^p\.yaml:5:80 stages\.evaluate\.with\.points\.0: expected 2 coordinates/m);
    expect(result.stderr).toMatch(/^2 errors; nothing was run$/m);
    expect(existsSync(join(dir, 'outputs'))).toBe(false);
    expect(existsSync(join(dir, 'p.lock.json'))).toBe(false);
  });
});
