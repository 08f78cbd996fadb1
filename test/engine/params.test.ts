/**
 * What the stage contract adds to loading: params that refer to params (`${stage.param}`),
 * params that apply only to one variant (the optimizers), a stage's own checks between
 * params, the ids rxlab keeps for itself, and ports whose kind is not a kind.
 */
import { EMPTY } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { defineStage } from '../../src/contract/stage.ts';
import { resolveStage } from '../../src/stages/registry.ts';
import { load, problemsOf, writePipeline } from '../helpers/loader.ts';

const perceptron = (extra = '', chartTitle = 'Loss (${train.optimizer.name} lr ${train.optimizer.lr})'): string => `stages:
  data: { uses: blobs, with: { n_samples: 10, random_state: 3 } }
  model: { uses: model, with: { layers: [2, 1], init: { seed: 2 } } }
  train:
    uses: train
    inputs: { dataset: data, model: model }
    with: { optimizer: { name: sgd, lr: 0.01 ${extra} }, epochs: 5 }
  chart: { uses: loss-chart, inputs: { history: train.history }, with: { title: "${chartTitle}" } }
`;

const builtin = { resolve: resolveStage };

describe('${stage.param} in params', () => {
  it('fills in the value the param has in this run: after --set, defaults included', async () => {
    const file = writePipeline(perceptron());
    const title = async (set: string[] = []) => (await load(file, { resolve: resolveStage, overrides: set })).stages[3].params.title;
    expect(await title()).toBe('Loss (sgd lr 0.01)');
    expect(await title(['train.optimizer.lr=0.1'])).toBe('Loss (sgd lr 0.1)');
    const momentum = writePipeline(perceptron('', 'momentum ${train.optimizer.momentum}, layers ${model.layers}, first ${model.layers.0}, seed ${data.random_state}'));
    expect((await load(momentum, builtin)).stages[3].params.title).toBe('momentum 0, layers [2,1], first 2, seed 3');
  });

  it('follows a reference to a string that refers on, and writes $${ as a literal ${', async () => {
    const chained = writePipeline(`stages:
  data: { uses: blobs }
  one: { uses: scatter-chart, inputs: { dataset: data }, with: { title: "n=\${data.n_samples}", subtitle: "costs $\${5}" } }
  two: { uses: scatter-chart, inputs: { dataset: data }, with: { title: "copy of \${one.title}" } }
`);
    const spec = await load(chained, builtin);
    expect(spec.stages[1].params).toEqual({ title: 'n=100', subtitle: 'costs ${5}' });
    expect(spec.stages[2].params.title).toBe('copy of n=100');
  });

  it('reports an unknown stage or param, an unclosed ${ and a cycle, at the string, all at once', async () => {
    const file = `stages:
  data: { uses: blobs }
  one: { uses: scatter-chart, inputs: { dataset: data }, with: { title: "\${dta.n_samples} \${data.n_sample} \${data.n_samples" } }
  two: { uses: scatter-chart, inputs: { dataset: data }, with: { title: "\${three.title}" } }
  three: { uses: scatter-chart, inputs: { dataset: data }, with: { title: "\${two.title}" } }
`;
    expect(await problemsOf(file, builtin)).toEqual([
      '3:73 stages.one.with.title: unknown stage "dta" (did you mean "data"?) in "${dta.n_samples}"',
      '3:73 stages.one.with.title: data has no param "n_sample" (did you mean "n_samples"?) in "${data.n_sample}"',
      '3:73 stages.one.with.title: unclosed "${" in "${dta.n_samples} ${data.n_sample} ${data.n_samples"; write ${stage.param}, or $${ for a literal ${',
      // Found once, where the circle closes.
      '5:75 stages.three.with.title: references form a cycle: two.title → three.title → two.title',
    ]);
  });

  it('changes the params hash, so a chart whose title names a swept param is redrawn', async () => {
    const file = writePipeline(perceptron());
    const a = (await load(file, builtin)).stages[3].params;
    const b = (await load(file, { resolve: resolveStage, overrides: ['train.optimizer.lr=0.5'] })).stages[3].params;
    expect(a).not.toEqual(b);
  });
});

describe('optimizers as torch.optim has them', () => {
  it('fills every default of the chosen optimizer, and only its own', async () => {
    const sgd = await load(writePipeline(perceptron()), builtin);
    expect(sgd.stages[2].params.optimizer).toEqual({ name: 'sgd', lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weight_decay: 0 });
    const adam = await load(writePipeline(perceptron().replace('name: sgd', 'name: adam')), builtin);
    expect(adam.stages[2].params.optimizer).toEqual({ name: 'adam', lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false });
  });

  it("refuses a param of the other optimizer, saying which takes it, and an unknown optimizer with the ones there are", async () => {
    expect(await problemsOf(perceptron(', betas: [0.9, 0.99], amsgrad: true'), builtin)).toEqual([
      '7:48 stages.train.with.optimizer.betas: betas applies only to name "adam"; remove it, or change name',
      '7:68 stages.train.with.optimizer.amsgrad: amsgrad applies only to name "adam"; remove it, or change name',
    ]);
    expect(await problemsOf(perceptron(', momentum: 0.9').replace('name: sgd', 'name: adam'), builtin)).toEqual([
      '7:49 stages.train.with.optimizer.momentum: momentum applies only to name "sgd"; remove it, or change name',
    ]);
    expect(await problemsOf(perceptron().replace('name: sgd', 'name: momentum'), builtin)).toEqual([
      '7:32 stages.train.with.optimizer.name: expected one of "sgd", "adam", found "momentum"',
    ]);
  });

  it("runs the stage's own check between params: Nesterov needs momentum and no dampening", async () => {
    expect(await problemsOf(perceptron(', nesterov: true'), builtin)).toEqual([
      '7:58 stages.train.with.optimizer.nesterov: Nesterov momentum needs momentum > 0 and dampening 0 (as in torch.optim.SGD); found momentum 0, dampening 0',
    ]);
    const nesterov = await load(writePipeline(perceptron(', nesterov: true, momentum: 0.9')), builtin);
    expect(nesterov.stages[2].params.optimizer).toMatchObject({ nesterov: true, momentum: 0.9, dampening: 0 });
  });
});

describe('what rxlab keeps for itself', () => {
  it('refuses the stage ids that name the folders of other runs', async () => {
    expect(await problemsOf('stages:\n  runs: { uses: blobs }\n  sweeps: { uses: blobs }\n')).toEqual([
      `2:3 stages.runs: stage id "runs" is reserved: rxlab keeps the pipeline's other runs in outputs/<name>/runs/; rename the stage`,
      `3:3 stages.sweeps: stage id "sweeps" is reserved: rxlab keeps the pipeline's other runs in outputs/<name>/sweeps/; rename the stage`,
    ]);
  });

  it("refuses a stage whose port has a kind that is neither rxlab's nor x-<name>", async () => {
    const misspelt = defineStage({
      name: 'misspelt',
      description: 'declares a kind that does not exist',
      params: { type: 'object' },
      outputs: { data: { kind: 'datset' as 'dataset' } },
      run: () => EMPTY,
    });
    const own = defineStage({ name: 'own', description: 'a kind of its own', params: { type: 'object' }, outputs: { t: { kind: 'x-tokenizer' } }, run: () => EMPTY });
    const resolve = async (uses: string) => ({ stage: uses === 'own' ? own : misspelt, module: '/virtual/stage.ts' });
    expect(await problemsOf('stages:\n  a: { uses: misspelt }\n  b: { uses: own }\n', { resolve })).toEqual([
      '2:14 stages.a.uses: stage "misspelt" declares port "data" of unknown kind "datset" (did you mean "dataset"?); kinds are dataset, model, history, predictions, epoch-state, checkpoint, early-stop, or x-<name> for a kind of your own',
    ]);
  });
});
