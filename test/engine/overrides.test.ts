import { describe, expect, it } from 'vitest';
import { PipelineInputError, formatDiagnostic } from '../../src/engine/errors.ts';
import { applyOverrides, overrideAt, parseOverrides } from '../../src/engine/load/overrides.ts';
import { load, problemsOf, writePipeline } from '../helpers/loader.ts';

const pipeline = `stages:
  data:
    uses: blobs
    with: { centers: [[0, 0], [1, 1]] }
  model:
    uses: model
    with: { layers: [2, 1] }
  train:
    uses: train
    inputs: { dataset: data, model: model }
    with:
      epochs: 10
      optimizer: { name: sgd, lr: 0.01 }
`;

const paramsWith = async (overrides: string[]): Promise<Record<string, Record<string, unknown>>> =>
  Object.fromEntries((await load(writePipeline(pipeline), { overrides })).stages.map((s) => [s.id, s.params]));

describe('--set overrides', () => {
  it('reads values as YAML and sets them before validation (defaults still filled)', async () => {
    const params = await paramsWith(['train.optimizer.lr=0.1', 'train.epochs=200', 'data.centers=[[1, 2], [3, 4]]', 'model.activation=relu', 'data.centers.1.0=9']);
    expect(params.train).toEqual({ epochs: 200, optimizer: { name: 'sgd', lr: 0.1 }, batch_size: 32 });
    expect(params.data).toEqual({ centers: [[1, 2], [9, 4]], n_samples: 100, noise: 0.1, seed: 0 });
    expect(params.model).toEqual({ layers: [2, 1], activation: 'relu', init: { scheme: 'torch', seed: 0 } });
  });

  it('creates the maps on the way, and the last --set of a path wins', async () => {
    const params = await paramsWith(['model.init.seed=3', 'train.optimizer={name: adam}', 'train.epochs=1', 'train.epochs=2']);
    expect(params.model.init).toEqual({ seed: 3, scheme: 'torch' });
    expect(params.train).toMatchObject({ epochs: 2, optimizer: { name: 'adam' } });
  });

  it('sets a key named __proto__ as a plain key, never as a prototype', async () => {
    const problems = await problemsOf(pipeline, { overrides: ['train.__proto__.polluted=1'] });
    expect(problems).toEqual(['--set train.__proto__.polluted=1 stages.train.with.__proto__: unknown key; expected one of "epochs", "batch_size", "optimizer", "patience"']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports a bad value as validation does, placed on the command line', async () => {
    const error = await load(writePipeline(pipeline), { overrides: ['train.optimizer.lr=fast'] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PipelineInputError);
    expect((error as PipelineInputError).diagnostics).toEqual([
      { file: '--set train.optimizer.lr=fast', line: 0, col: 0, path: 'stages.train.with.optimizer.lr', message: 'expected a number, found "fast"' },
    ]);
    expect(formatDiagnostic((error as PipelineInputError).diagnostics[0])).toContain('--set train.optimizer.lr=fast');
  });

  it('reports unknown params and bad values with the same words as the file', async () => {
    expect(await problemsOf(pipeline, { overrides: ['train.epoch=5', 'train.epochs=0', 'train.optimizer.name=sgdd'] })).toEqual([
      '--set train.epoch=5 stages.train.with.epoch: unknown key (did you mean "epochs"?)',
      '--set train.epochs=0 stages.train.with.epochs: expected an integer ≥ 1, found 0',
      '--set train.optimizer.name=sgdd stages.train.with.optimizer.name: expected one of "sgd", "adam", found "sgdd" (did you mean "sgd"?)',
    ]);
  });

  it('reports an unknown stage id with did-you-mean, or the ids there are', async () => {
    expect(await problemsOf(pipeline, { overrides: ['trian.epochs=5', 'zzzzzz.x=1'] })).toEqual([
      '--set trian.epochs=5 stages.trian: unknown stage "trian" (did you mean "train"?)',
      '--set zzzzzz.x=1 stages.zzzzzz: unknown stage "zzzzzz"; the stages are "data", "model", "train"',
    ]);
  });

  it('reports malformed --set arguments', async () => {
    expect(await problemsOf(pipeline, { overrides: ['train.epochs', '=5', 'train=5', 'train..lr=1', 'train.epochs=[1,', 'train.epochs=*a'] })).toEqual([
      '--set train.epochs: no "=" found; expected --set stage.param=value, e.g. --set train.epochs=200',
      '--set =5: no stage id before "="; expected --set stage.param=value, e.g. --set train.epochs=200',
      '--set train=5 stages.train.with: no param after the stage id; expected --set stage.param=value, e.g. --set train.epochs=200',
      '--set train..lr=1 stages.train.with..lr: empty name in the param path ".lr"; expected --set stage.param=value, e.g. --set train.epochs=200',
      expect.stringMatching(/^--set train\.epochs=\[1, stages\.train\.with\.epochs: the value is not valid YAML: .+; quote it to pass a string$/),
      '--set train.epochs=*a stages.train.with.epochs: the value is not valid YAML: Alias resolution is disabled',
    ]);
  });

  it('refuses to set inside a value that is not a map or list', async () => {
    expect(await problemsOf(pipeline, { overrides: ['train.epochs.x=1', 'data.centers.2=[0, 0]'] })).toEqual([
      '--set train.epochs.x=1 stages.train.with.epochs.x: cannot set: stages.train.with.epochs is 10, not a map',
      '--set data.centers.2=[0, 0] stages.data.with.centers.2: cannot set: stages.data.with.centers is a list of 2, which has no item 2',
    ]);
  });

  it("lists the file's problems first, by position, then the command line's in order", async () => {
    const text = pipeline.replace('epochs: 10', 'epochs: 0').replace('uses: model', 'uses: modle');
    expect(await problemsOf(text, { overrides: ['train.optimizer.lr=-1', 'nope'] })).toEqual([
      '6:11 stages.model.uses: unknown stage "modle" (did you mean "model"?)',
      '12:15 stages.train.with.epochs: expected an integer ≥ 1, found 0',
      '--set train.optimizer.lr=-1 stages.train.with.optimizer.lr: expected a number > 0, found -1',
      '--set nope: no "=" found; expected --set stage.param=value, e.g. --set train.epochs=200',
    ]);
  });

  it('never changes another stage through a shared alias', () => {
    const shared = { epochs: 1 };
    const data = { stages: { a: { uses: 'train', with: shared }, b: { uses: 'train', with: structuredClone(shared) } } };
    const { overrides } = parseOverrides(['a.epochs=2']);
    expect(applyOverrides(data, overrides)).toEqual([]);
    expect(data.stages.b.with).toEqual({ epochs: 1 });
  });

  it('finds the override that set a path or one of its ancestors', () => {
    const { overrides } = parseOverrides(['t.optimizer={lr: x}', 't.optimizer.name=sgd', 't.epochs=1']);
    expect(overrideAt(overrides, ['stages', 't', 'with', 'optimizer', 'lr'])?.text).toBe('t.optimizer={lr: x}');
    expect(overrideAt(overrides, ['stages', 't', 'with', 'optimizer', 'name'])?.text).toBe('t.optimizer.name=sgd');
    expect(overrideAt(overrides, ['stages', 't', 'with'])).toBeUndefined();
  });
});
