/**
 * The stage contract as a user meets it through `rxlab` (child processes, temporary
 * folders): the files a stage reads are part of its cache key, metrics are recorded,
 * chart titles say what ran, and the contract's rules are enforced on every stage.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { of, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { artifact, defineStage, type StageEvent } from '../src/contract/stage.ts';
import type { Lockfile } from '../src/engine/record/lock.ts';
import type { RunManifest } from '../src/engine/record/manifest.ts';
import { executeRun } from '../src/engine/run/execute.ts';
import { planPipeline } from '../src/engine/plan/plan.ts';
import { rxlab as runRxlab } from './helpers/cli.ts';
import { pipelineOf, tempDir } from './helpers/engine.ts';

const rxlab = (cwd: string, ...args: string[]) => runRxlab(args, { cwd });

/** A pipeline reading `points.csv` beside it, trained briefly and evaluated on the same points. */
function csvProject(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'points.csv'), 'x1,x2,label\n0,0,0\n0,1,0\n1,0,1\n1,1,1\n');
  writeFileSync(
    join(dir, 'csv.yaml'),
    `stages:
  data: { uses: dataset, with: { path: points.csv } }
  model: { uses: model, with: { layers: [2, 1], init: { seed: 1 } } }
  train: { uses: train, inputs: { dataset: data, model: model }, with: { optimizer: { name: sgd, lr: 0.5 }, epochs: 20 } }
  evaluate: { uses: evaluate, inputs: { model: train.model, dataset: data } }
  chart: { uses: loss-chart, inputs: { history: train.history }, with: { title: "loss (lr \${train.optimizer.lr})" } }
`,
  );
  return dir;
}

describe('the files a stage reads', () => {
  it('are keyed by content: a changed data file is seen by status, run and --frozen, never served as cached', () => {
    const dir = csvProject();
    expect(rxlab(dir, 'run', 'csv.yaml').status).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, 'csv.lock.json'), 'utf8')) as Lockfile;
    expect(Object.keys(lock.stages.data.files!)).toEqual(['points.csv']);
    expect(rxlab(dir, 'status', 'csv.yaml').status).toBe(0);

    writeFileSync(join(dir, 'points.csv'), 'x1,x2,label\n0,0,1\n0,1,0\n1,0,1\n1,1,1\n');
    const status = rxlab(dir, 'status', 'csv.yaml');
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/^data +changed +points\.csv changed$/m);
    const frozen = rxlab(dir, 'run', 'csv.yaml', '--frozen');
    expect(frozen.status).toBe(1);
    expect(frozen.stderr).toContain('  data: points.csv changed');
    const rerun = rxlab(dir, 'run', 'csv.yaml');
    expect(rerun.stdout).toContain('data: started (points.csv changed)');
    expect(JSON.parse(readFileSync(join(dir, 'outputs', 'csv', 'data', 'dataset.json'), 'utf8')).y).toEqual([1, 0, 1, 1]);

    // A file gone is a mistake in the pipeline, found before anything runs (status included): never a cached stage.
    rmSync(join(dir, 'points.csv'));
    for (const command of ['status', 'run']) {
      const missing = rxlab(dir, command, 'csv.yaml');
      expect(missing.status).toBe(2);
      expect(missing.stderr).toContain(`csv.yaml:2:40 stages.data.with.path: points.csv: not found (looked for ${join(dir, 'points.csv')}); path is relative to the pipeline file`);
    }
  });
});

describe('metrics and titles', () => {
  it('records each stage.metric in run.json and the lock, and a chart title names the params that ran', () => {
    const dir = csvProject();
    expect(rxlab(dir, 'run', 'csv.yaml', '--set', 'train.optimizer.lr=0.25').status).toBe(0);
    const out = join(dir, 'outputs', 'csv', 'runs', 'lr=0.25');
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunManifest;
    const loss = (JSON.parse(readFileSync(join(out, 'train', 'history.json'), 'utf8')) as { loss: number[] }).loss.at(-1);
    expect(manifest.stages.train.metrics).toEqual({ loss });
    expect(manifest.stages.evaluate.metrics).toEqual({ accuracy: JSON.parse(readFileSync(join(out, 'evaluate', 'metrics.json'), 'utf8')).accuracy });
    const lock = JSON.parse(readFileSync(join(out, 'rxlab.lock.json'), 'utf8')) as Lockfile;
    expect(lock.stages.train.metrics).toEqual({ loss });
    // Every default of the optimizer is recorded, as it ran.
    expect(manifest.stages.train.params.optimizer).toEqual({ name: 'sgd', lr: 0.25, momentum: 0, dampening: 0, nesterov: false, weight_decay: 0 });
    expect(readFileSync(join(out, 'chart', 'chart.svg'), 'utf8')).toContain('loss (lr 0.25)');
  });
});

describe('the contract, enforced on every stage', () => {
  const failure = async (run: () => Observable<StageEvent>, metrics = {}): Promise<string | undefined> => {
    const stage = defineStage({ name: 'rogue', description: 'breaks a rule', params: { type: 'object' }, metrics, run });
    const { manifest } = await executeRun(planPipeline(pipelineOf({ r: { stage } })), { outDir: tempDir() });
    return manifest.error;
  };

  it('refuses an artifact name that is not a plain file name', async () => {
    for (const name of ['../escape.txt', 'a/b.txt', '.hidden', '']) {
      expect(await failure(() => of(artifact(name, 'x')))).toBe(
        `stage "r" failed: artifact name ${JSON.stringify(name)} is not a plain file name; a stage writes only into its own folder (no "/", "\\" or leading ".")`,
      );
    }
  });

  it('refuses a metric it did not declare, and one that is not a finite number', async () => {
    expect(await failure(() => of({ type: 'metric', name: 'f1', value: 1 }))).toBe('stage "r" failed: reported an undeclared metric "f1"; its metrics are (none: declare them in the stage definition)');
    const declared = { f1: { direction: 'maximize', description: 'f1' } } as const;
    expect(await failure(() => of({ type: 'metric', name: 'f1', value: NaN }), declared)).toBe('stage "r" failed: metric "f1" is NaN, not a finite number');
  });

  it('refuses a metric measured on an input that is not one of its optional inputs, when the stage is defined', () => {
    const define = (inputs: Record<string, { kind: 'dataset'; optional?: true }>) => () =>
      defineStage({ name: 'scorer', description: 'x', params: { type: 'object' }, inputs, metrics: { held: { direction: 'minimize', description: 'x', input: 'heldOut' } }, run: () => of() });
    expect(define({ heldOut: { kind: 'dataset' } })).toThrow('stage scorer: metric held is measured on input "heldOut", which is not one of its optional inputs');
    expect(define({})).toThrow('stage scorer: metric held is measured on input "heldOut"');
    expect(define({ heldOut: { kind: 'dataset', optional: true } })).not.toThrow();
  });

  it('refuses a .json artifact that is not JSON, naming it', async () => {
    expect(await failure(() => of(artifact('result.json', '{ not json')))).toMatch(/^stage "r" failed: artifact result\.json is not valid JSON \(.*\); give a \.json artifact JSON content, or another name$/);
  });
});
