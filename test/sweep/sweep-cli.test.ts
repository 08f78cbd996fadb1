/** `rxlab sweep` as a user runs it: real child processes, trials in parallel, shared stages run once. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.ts';
import { ROOT, rxlab as runRxlab } from '../helpers/cli.ts';

const rxlab = (...args: string[]) => runRxlab(args, { cwd: ROOT });
const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The perceptron pipeline, shortened, in a temp folder (its lock and outputs stay there). */
function smallPerceptron(extra = ''): { dir: string; file: string } {
  const dir = tempDir();
  const file = join(dir, 'small.yaml');
  writeFileSync(
    file,
    `name: small
stages:
  data: { uses: blobs, with: { n_samples: 40, centers: [[-0.5, 0.5], [0.5, -0.5]], cluster_std: 0.4, random_state: 123 } }
  model: { uses: model, with: { layers: [2, 1], init: { seed: 2 } } }
  train:
    uses: train
    inputs: { dataset: data.dataset, model: model.model }
    with: { optimizer: { name: sgd, lr: 0.01 }, epochs: 30 }
  evaluate: { uses: evaluate, inputs: { model: train.model, dataset: data.dataset } }
${extra}`,
  );
  return { dir, file };
}

interface SweepJson {
  shared: string[];
  objective?: { metric: string; direction: string; from: string; candidates: string[] };
  best?: string;
  trials: { id: string; values: Record<string, unknown>; status: string; metrics?: Record<string, number>; error?: string }[];
}
interface RunJson {
  stages: Record<string, { status: string }>;
}

describe('rxlab sweep', () => {
  it('runs every combination in parallel, shares the stages no swept param reaches, and summarises', () => {
    const { dir, file } = smallPerceptron();
    const out = join(dir, 'sweep');
    const result = rxlab('sweep', file, '--grid', 'train.optimizer.lr=0.01,0.5', '--grid', 'model.init.seed=1,2', '--jobs', '2', '--out', out);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('shared by every trial (run once): data');
    expect(result.stdout).toContain('4 of 4 trials completed');
    const summary = json<SweepJson>(join(out, 'sweep.json'));
    expect(summary.shared).toEqual(['data']);
    expect(summary.trials.map((t) => [t.id, t.values, t.status])).toEqual([
      ['trial-001', { 'train.optimizer.lr': 0.01, 'model.init.seed': 1 }, 'completed'],
      ['trial-002', { 'train.optimizer.lr': 0.01, 'model.init.seed': 2 }, 'completed'],
      ['trial-003', { 'train.optimizer.lr': 0.5, 'model.init.seed': 1 }, 'completed'],
      ['trial-004', { 'train.optimizer.lr': 0.5, 'model.init.seed': 2 }, 'completed'],
    ]);
    // The data stage ran once, in the shared folder; every trial reused it.
    for (const t of summary.trials) expect(json<RunJson>(join(out, t.id, 'run.json')).stages.data.status).toBe('cached');
    // A trial computes what a plain run with the same --set computes.
    const direct = rxlab('run', file, '--set', 'train.optimizer.lr=0.5', '--set', 'model.init.seed=2', '--out', join(dir, 'direct'));
    expect(direct.status).toBe(0);
    expect(readFileSync(join(out, 'trial-004', 'train', 'history.json'), 'utf8')).toBe(readFileSync(join(dir, 'direct', 'train', 'history.json'), 'utf8'));
    const history = json<{ loss: number[] }>(join(dir, 'direct', 'train', 'history.json'));
    const { accuracy } = json<{ accuracy: number }>(join(dir, 'direct', 'evaluate', 'metrics.json'));
    expect(summary.trials[3].metrics).toEqual({ 'train.loss': history.loss[29], 'evaluate.accuracy': accuracy });
    for (const chart of ['objective.svg', 'loss-curves.svg']) expect(readFileSync(join(out, chart), 'utf8')).toContain('<svg');

    // Again: every trial is reused from the cache.
    const again = rxlab('sweep', file, '--grid', 'train.optimizer.lr=0.01,0.5', '--grid', 'model.init.seed=1,2', '--out', out);
    expect(again.status).toBe(0);
    for (const t of summary.trials) {
      expect(Object.values(json<RunJson>(join(out, t.id, 'run.json')).stages).every((s) => s.status === 'cached')).toBe(true);
    }
  });

  it('finds the best trial by its objective: the last metric unless told, or --metric, in its direction or the one asked for', () => {
    // Two evaluate stages, on the training data and on noisier points: three metrics.
    const noisy = `  noisy: { uses: blobs, with: { n_samples: 40, centers: [[-0.5, 0.5], [0.5, -0.5]], cluster_std: 1.5, random_state: 7 } }
  evaluate-noisy: { uses: evaluate, inputs: { model: train.model, dataset: noisy.dataset } }
`;
    const { dir, file } = smallPerceptron(noisy);
    const grid = ['--grid', 'train.optimizer.lr=30,0.01', '--grid', 'model.init.seed=2,1', '--jobs', '2', '--out', join(dir, 'sweep')];
    const chosen = rxlab('sweep', file, ...grid);
    expect(chosen.status, chosen.stderr).toBe(0);
    expect(chosen.stdout).toContain(
      "objective: evaluate-noisy.accuracy (maximize), the last of the pipeline's metrics (train.loss, evaluate.accuracy, evaluate-noisy.accuracy); choose another with --metric STAGE.METRIC or objective: in the sweep: block\n",
    );
    const summary = json<SweepJson>(join(dir, 'sweep', 'sweep.json'));
    // Each trial's three metrics, from its run.json.
    expect(summary.trials.map((t) => [t.metrics!['evaluate.accuracy'], t.metrics!['evaluate-noisy.accuracy']])).toEqual([
      [0.975, 0.625],
      [0.975, 0.625],
      [0.8, 0.575],
      [0.975, 0.65],
    ]);
    expect([summary.objective?.metric, summary.objective?.from, summary.best]).toEqual(['evaluate-noisy.accuracy', 'last metric', 'trial-004']);
    expect(chosen.stdout).toMatch(/^\*\s+trial-004\s+0\.01\s+1\s+completed\s+0\.65\s/m);
    expect(chosen.stdout).toMatch(/^ +trial +train\.optimizer\.lr +model\.init\.seed +status +evaluate-noisy\.accuracy +train\.loss +evaluate\.accuracy$/m);
    expect(chosen.stdout).toContain('best: trial-004 (train.optimizer.lr=0.01, model.init.seed=1): evaluate-noisy.accuracy 0.65, maximized\n');
    expect(readFileSync(join(dir, 'sweep', 'objective.svg'), 'utf8')).toContain('>evaluate-noisy.accuracy per trial (small)<');

    // The same trials again (from the cache), judged by another metric: the first of the best wins a tie.
    const byAccuracy = rxlab('sweep', file, ...grid, '--metric', 'evaluate.accuracy');
    expect(byAccuracy.stdout).toContain('best: trial-001 (train.optimizer.lr=30, model.init.seed=2): evaluate.accuracy 0.975, maximized\n');
    const worst = rxlab('sweep', file, ...grid, '--metric', 'evaluate-noisy.accuracy', '--minimize');
    expect(worst.stdout).toContain('objective: evaluate-noisy.accuracy (minimize)\n');
    expect(json<SweepJson>(join(dir, 'sweep', 'sweep.json')).best).toBe('trial-003');

    const unknown = rxlab('sweep', file, ...grid, '--metric', 'evaluate.acuracy');
    expect([unknown.status, unknown.stderr]).toEqual([
      2,
      'rxlab sweep: --metric evaluate.acuracy: no metric "evaluate.acuracy" (did you mean "evaluate.accuracy"?); the pipeline\'s metrics are train.loss, evaluate.accuracy, evaluate-noisy.accuracy\n',
    ]);
    expect(rxlab('sweep', file, ...grid, '--maximize').stderr).toBe('rxlab: --maximize needs --metric STAGE.METRIC\n');
  });

  it('takes its objective from the sweep: block, checked when the file is loaded', () => {
    const { dir, file } = smallPerceptron('sweep:\n  grid:\n    train.optimizer.lr: [0.01, 0.5]\n  objective: train.loss\n  direction: maximize\n');
    const result = rxlab('sweep', file, '--out', join(dir, 'sweep'));
    expect(result.stdout).toContain('objective: train.loss (maximize)\n');
    expect(json<SweepJson>(join(dir, 'sweep', 'sweep.json')).best).toBe('trial-001'); // the higher loss: lr 0.01
    writeFileSync(file, readFileSync(file, 'utf8').replace('objective: train.loss', 'objective: evaluate.acc'));
    const bad = rxlab('sweep', file, '--out', join(dir, 'sweep'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${file}:13:14 sweep.objective: no metric "evaluate.acc"; the pipeline's metrics are train.loss, evaluate.accuracy\n`);
  });

  it('reports a failing trial and lets the others finish; --fail-fast stops the rest', () => {
    const { dir, file } = smallPerceptron();
    // lr 1e39 is a valid param whose loss becomes NaN at the second epoch: the trial fails as it runs.
    const out = join(dir, 'sweep');
    const result = rxlab('sweep', file, '--grid', 'train.optimizer.lr=0.01,1e39,0.1', '--jobs', '2', '--out', out);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(
      'trial-002 (train.optimizer.lr=1e+39): failed: run failed after', // …the time, then the stage's error:
    );
    expect(result.stdout).toContain('stage "train" failed: loss became NaN');
    expect(result.stdout).toContain('2 of 3 trials completed');
    const trials = json<SweepJson>(join(out, 'sweep.json')).trials;
    expect(trials.map((t) => t.status)).toEqual(['completed', 'failed', 'completed']);
    expect(trials[1].error).toContain('loss became NaN');

    const fast = rxlab('sweep', file, '--grid', 'train.optimizer.lr=1e39,0.01,0.1', '--jobs', '1', '--fail-fast', '--out', join(dir, 'fast'));
    expect(fast.status).toBe(1);
    expect(json<SweepJson>(join(dir, 'fast', 'sweep.json')).trials.map((t) => t.status)).toEqual(['failed', 'not run', 'not run']);

    // A trial whose params cannot work together (a 3-input model on 2-feature data) is refused before any trial runs.
    const refused = rxlab('sweep', file, '--grid', 'model.layers=[2,1],[3,1]', '--out', join(dir, 'refused'));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("stages.train.inputs.dataset: the model (model.model) takes 3 features, but data.dataset has 2; make the model's layers start with 2");
  });

  it('takes its grid from the file, samples with --random, and rejects a bad value before running anything', () => {
    const { dir, file } = smallPerceptron('sweep:\n  grid:\n    train.optimizer.lr: [0.01, 0.1, 0.2]\n    model.init.seed: [1, 2]\n');
    const sampled = rxlab('sweep', file, '--random', '2', '--seed', '3', '--out', join(dir, 'r'));
    expect(sampled.status).toBe(0);
    expect(json<SweepJson>(join(dir, 'r', 'sweep.json')).trials).toHaveLength(2);

    const bad = rxlab('sweep', file, '--grid', 'train.epochs=10,zero', '--out', join(dir, 'bad'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--grid train.epochs="zero": stages.train.with.epochs: expected an integer, found "zero"');
    expect(bad.stdout).toBe('');
  });
});
