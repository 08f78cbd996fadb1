/**
 * What the command line says when something is wrong: every problem of a file at once
 * (the loader's and the planner's together), the flag that gave a bad value named, the
 * YAML traps of a comma in a { … } map and of a key glued to its value explained, and the
 * param meant when one is near.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, rxlab, withoutExcerpts } from './helpers/cli.ts';
import { tempDir } from './helpers/engine.ts';

const pipeline = (text: string): { dir: string; file: string } => {
  const dir = tempDir();
  const file = join(dir, 'p.yaml');
  writeFileSync(file, text);
  return { dir, file };
};

describe('errors of a pipeline file', () => {
  it('reports schema errors and reference errors together, in file order, each with its line and a caret', () => {
    const { dir } = pipeline(`stages:
  data: { uses: moons, with: { n_samples: 0 } }
  model: { uses: model, with: { layers: [2, 1] } }
  train:
    uses: train
    inputs: { dataset: dta.dataset, model: model.model }
    with: { optimizer: { name: sgd, lr: 0.1 }, epochs: 5 }
  chart:
    uses: loss-chart
    inputs: { history: train.histry }
  broken: { uses: no-such-stage }
  uses-broken: { uses: loss-chart, inputs: { history: broken.history } }
`);
    const result = rxlab(['run', 'p.yaml'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(withoutExcerpts(result.stderr).split('\n')).toEqual([
      'p.yaml:2:43 stages.data.with.n_samples: expected an integer ≥ 1, found 0',
      'p.yaml:6:24 stages.train.inputs.dataset: unknown stage "dta" in reference "dta.dataset" (did you mean "data"?)',
      'p.yaml:10:24 stages.chart.inputs.history: stage "train" has no output "histry" (did you mean "history"?); its outputs are model, history, epochs, checkpoints',
      expect.stringMatching(/^p\.yaml:11:19 stages\.broken\.uses: unknown stage "no-such-stage"; built-in stages are /),
      '4 errors; nothing was run',
      '',
    ]);
    // A reference to a stage that did not load is not an error of its own: the stage's is enough.
    expect(result.stderr).not.toContain('broken.history');
    expect(result.stderr).toContain(' 6 |     inputs: { dataset: dta.dataset, model: model.model }\n   |                        ^');
  });

  it('explains an unquoted comma in a { … } map, which YAML reads as a new key', () => {
    const { dir } = pipeline(`stages:
  data: { uses: moons }
  chart:
    uses: scatter-chart
    inputs: { dataset: data.dataset }
    with: { title: Moons, ReLU MLP }
`);
    const result = rxlab(['plan', 'p.yaml'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(withoutExcerpts(result.stderr)).toBe(
      'p.yaml:6:27 stages.chart.with.ReLU MLP: unknown key; expected one of "title", "subtitle"; a comma ends an unquoted value in a { … } map: if it is part of title\'s value, quote it: title: "Moons, ReLU MLP"\n1 error; nothing was run\n',
    );
  });

  it('explains a key glued to its value, which YAML reads as one key', () => {
    const { dir } = pipeline('stages:\n  data: { uses: moons, with: {n_samples:50} }\n');
    const result = rxlab(['plan', 'p.yaml'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(withoutExcerpts(result.stderr)).toBe(
      'p.yaml:2:31 stages.data.with.n_samples:50: unknown key (did you mean "n_samples"?); YAML needs a space after a key\'s colon: n_samples: 50\n1 error; nothing was run\n',
    );
  });

  it('suggests the param path meant, when the key is deeper than where it was given', () => {
    const result = rxlab(['plan', 'pipelines/perceptron.yaml', '--set', 'train.lr=0.1', '--set', 'train.momentm=0.9'], { cwd: ROOT });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      [
        '--set train.lr=0.1: stages.train.with.lr: unknown key (did you mean "optimizer.lr"?)',
        '--set train.momentm=0.9: stages.train.with.momentm: unknown key (did you mean "optimizer.momentum"?)',
        '2 errors; nothing was run',
        '',
      ].join('\n'),
    );
  });

  it('names --grid, not --set, for a bad value of a sweep', () => {
    const result = rxlab(['sweep', 'pipelines/perceptron.yaml', '--grid', 'train.epochs=0,5', '--jobs', '1'], { cwd: ROOT });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('--grid train.epochs=0: stages.train.with.epochs: expected an integer ≥ 1, found 0\n1 error; nothing was run\n');
  });
});

describe('outputs of two pipeline files', () => {
  it('refuses to run a copy that kept the name of another pipeline into that one’s folder (exit 2), and runs it with its own name', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{}\n');
    const text = 'name: twin\nstages:\n  data: { uses: xor }\n';
    writeFileSync(join(dir, 'a.yaml'), text);
    writeFileSync(join(dir, 'b.yaml'), text);
    expect(rxlab(['run', 'a.yaml'], { cwd: dir }).status).toBe(0);
    const copy = rxlab(['run', 'b.yaml'], { cwd: dir });
    expect(copy).toMatchObject({
      status: 2,
      stdout: '',
      stderr: 'rxlab run: outputs/twin holds the runs of a.yaml, which is also named "twin"; give b.yaml a name of its own (name: in the file), or its own folder with --out DIR; nothing was run\n',
    });
    writeFileSync(join(dir, 'b.yaml'), text.replace('twin', 'twin-b'));
    expect(rxlab(['run', 'b.yaml'], { cwd: dir }).stdout).toMatch(/artifacts in outputs\/twin-b$/m);
    expect(rxlab(['run', 'a.yaml'], { cwd: dir }).stdout).toMatch(/^data: cached$/m);
  });
});
