/**
 * The dataset stages through the engine: pipelines/moons-split.yaml end to end (sklearn's
 * numbers for the data and the split, test accuracy reported), and circles + a stratified
 * or unshuffled split from a small pipeline of their own.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data.ts';
import { tempDir } from '../helpers/engine.ts';
import fixture from '../fixtures/sklearn-datasets.json' with { type: 'json' };
import { runPipeline, type Ran } from '../helpers/run.ts';

const PIPELINE = join(import.meta.dirname, '..', '..', 'pipelines', 'moons-split.yaml');

function doubles(hex: string[]): number[] {
  const view = new DataView(new ArrayBuffer(8));
  return hex.map((h) => {
    view.setBigUint64(0, BigInt(`0x${h}`));
    return view.getFloat64(0);
  });
}

/** The fixture's call with exactly these keyword arguments. */
function call<T extends { kwargs: object }>(calls: T[], kwargs: object): T {
  const found = calls.find((c) => JSON.stringify(c.kwargs) === JSON.stringify(kwargs));
  if (!found) throw new Error(`no fixture call ${JSON.stringify(kwargs)}`);
  return found;
}

const rows = (dataset: Dataset, indices: number[]): Dataset => ({ X: indices.map((i) => dataset.X[i]), y: indices.map((i) => dataset.y[i]) });

describe('pipelines/moons-split.yaml', () => {
  let ran: Ran;
  beforeAll(async () => {
    ran = await runPipeline(PIPELINE);
  });

  it('completes with every artifact', () => {
    expect(ran.manifest.error).toBeUndefined();
    expect(ran.manifest.status).toBe('completed');
    for (const file of ['data/dataset.json', 'split/train.json', 'split/test.json', 'train/history.json', 'evaluate/metrics.json', 'region/chart.svg', 'loss-chart/chart.svg']) {
      expect(existsSync(join(ran.out, file)), file).toBe(true);
    }
  });

  it('draws the points make_moons(200, noise=0.2, random_state=0) draws, to the last bit', () => {
    const expected = call(fixture.moons, { n_samples: 200, noise: 0.2, random_state: 0 });
    const data = ran.json<Dataset>('data/dataset.json');
    expect(data.y).toEqual(expected.y);
    expect(data.X.flat()).toEqual(doubles(expected.X));
  });

  it("splits 150/50 into train_test_split's rows for random_state=0", () => {
    const data = ran.json<Dataset>('data/dataset.json');
    const { train, test } = fixture.splits.find((s) => s.n === 200 && JSON.stringify(s.kwargs) === '{"random_state":0}')!;
    expect(ran.json<Dataset>('split/train.json')).toEqual(rows(data, train));
    expect(ran.json<Dataset>('split/test.json')).toEqual(rows(data, test));
    expect([train.length, test.length]).toEqual([150, 50]);
  });

  it('trains on the 150 train rows and reports accuracy on the 50 test rows', () => {
    expect(ran.json<{ loss: number[] }>('train/history.json').loss).toHaveLength(300);
    const metrics = ran.json<{ accuracy: number; samples: number }>('evaluate/metrics.json');
    expect(metrics.samples).toBe(50);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0.95);
  });
});

describe('circles and split stages', () => {
  // make_circles(101, factor=0.3, noise=0.2, random_state=42), as the fixture has it.
  const file = join(tempDir(), 'circles.yaml');
  writeFileSync(
    file,
    [
      'name: circles-split',
      'stages:',
      '  data:',
      '    uses: circles',
      '    with: { n_samples: 101, factor: 0.3, noise: 0.2, random_state: 42 }',
      '  split:',
      '    uses: split',
      '    inputs: { dataset: data.dataset }',
      '    with: { test_size: 0.2, stratify: true, random_state: 3 }',
      '',
    ].join('\n'),
  );

  it('circles draws what make_circles draws', async () => {
    const ran = await runPipeline(file);
    const expected = call(fixture.circles, { n_samples: 101, factor: 0.3, noise: 0.2, random_state: 42 });
    const data = ran.json<Dataset>('data/dataset.json');
    expect(data.X.flat()).toEqual(doubles(expected.X));
    expect(data.y).toEqual(expected.y);

    // Stratified: 21 test rows (ceil(0.2 * 101)), classes 50/51 kept in proportion.
    const train = ran.json<Dataset>('split/train.json');
    const test = ran.json<Dataset>('split/test.json');
    expect([train.y.length, test.y.length]).toEqual([80, 21]);
    const ones = (d: Dataset) => d.y.filter((v) => v === 1).length;
    expect(Math.abs(ones(test) - 21 * (51 / 101))).toBeLessThanOrEqual(1);
    const key = (row: number[]) => row.join(',');
    expect(new Set([...train.X, ...test.X].map(key))).toEqual(new Set(data.X.map(key)));
  });

  it('split without shuffling takes the first rows as train and the next as test', async () => {
    const ran = await runPipeline(file, ['split.shuffle=false', 'split.stratify=false', 'split.train_size=60']);
    const data = ran.json<Dataset>('data/dataset.json');
    expect(ran.json<Dataset>('split/train.json')).toEqual(rows(data, [...Array(60).keys()]));
    expect(ran.json<Dataset>('split/test.json')).toEqual(rows(data, [...Array(21).keys()].map((i) => 60 + i)));
  });

  it("refuses sizes that do not fit, with sklearn's message, before anything runs", async () => {
    await expect(runPipeline(file, ['split.test_size=60', 'split.train_size=60'])).rejects.toThrow(
      '--set split.test_size=60: stages.split.with.test_size: The sum of train_size and test_size = 120, should be smaller than the number of samples 101. Reduce test_size and/or train_size. (data.dataset has 101 samples)',
    );
  });
});
