/**
 * Reproducibility as a user meets it: `rxlab run`, `status` and `check` as child processes
 * on temporary copies of the pipelines (never the committed lock files).
 */
import { copyFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { RunManifest } from '../src/engine/record/manifest.ts';
import type { Lockfile } from '../src/engine/record/lock.ts';
import { tempDir } from './helpers/engine.ts';
import { rxlab as runRxlab } from './helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..');

const rxlab = (cwd: string, ...args: string[]) => runRxlab(args, { cwd });

/** A copy of pipelines/perceptron.yaml in a fresh folder. */
function perceptronCopy(): string {
  const dir = tempDir();
  copyFileSync(join(ROOT, 'pipelines', 'perceptron.yaml'), join(dir, 'perceptron.yaml'));
  return dir;
}

/** The perceptron in a fresh folder, kept quick: 20 epochs, and of its charts only the loss chart. */
function smallPerceptron(): string {
  const dir = tempDir();
  const pipeline = parse(readFileSync(join(ROOT, 'pipelines', 'perceptron.yaml'), 'utf8')) as { stages: Record<string, { with?: object }> };
  for (const id of ['data-chart', 'initial-fit', 'trained-fit']) delete pipeline.stages[id];
  pipeline.stages.train.with = { ...pipeline.stages.train.with, epochs: 20 };
  writeFileSync(join(dir, 'perceptron.yaml'), stringify(pipeline));
  return dir;
}

function setEpochs(file: string, epochs: number): void {
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^(\s+epochs:) \d+$/m, `$1 ${epochs}`));
}

/** Every file under `dir` by relative path, but run.json, the report and recorded streams, which hold wall times. */
function contents(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile() && !/(^|\/)(run\.json|report\.html|streams\.json)$/.test(f))
    .sort();
  return new Map(files.map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
}

const PERCEPTRON_ARTIFACTS = [
  'data/dataset.json',
  'data-chart/chart.svg',
  'data-chart/chart.vg.json',
  'evaluate/metrics.json',
  'evaluate/predictions.json',
  'initial-fit/chart.svg',
  'initial-fit/chart.vg.json',
  'loss-chart/chart.svg',
  'loss-chart/chart.vg.json',
  'model/model.json',
  'model/params.json',
  'model/weights.bin',
  'train/history.json',
  'train/model.json',
  'train/params.json',
  'train/weights.bin',
  'trained-fit/chart.svg',
  'trained-fit/chart.vg.json',
];
const STAGES = ['data', 'model', 'train', 'evaluate', 'loss-chart'];

describe('two runs of pipelines/perceptron.yaml', () => {
  it('write byte-identical artifacts and the same lock', () => {
    const dir = perceptronCopy();
    const first = rxlab(dir, 'run', 'perceptron.yaml', '--out', 'a');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('lock perceptron.lock.json written');
    const lock = readFileSync(join(dir, 'perceptron.lock.json'), 'utf8');
    const second = rxlab(dir, 'run', 'perceptron.yaml', '--out', 'b');
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('(8 ran, 0 cached)');
    expect(second.stdout).toContain('lock perceptron.lock.json unchanged');
    expect(readFileSync(join(dir, 'perceptron.lock.json'), 'utf8')).toBe(lock);

    const [a, b] = [contents(join(dir, 'a')), contents(join(dir, 'b'))];
    expect([...a.keys()].filter((f) => !f.startsWith('.rxlab'))).toEqual([...PERCEPTRON_ARTIFACTS].sort());
    for (const [file, bytes] of a) expect(b.get(file), file).toBe(bytes);
    expect([...b.keys()]).toEqual([...a.keys()]);
    // run.json lists the artifacts, never the engine's hidden records.
    const manifest = JSON.parse(readFileSync(join(dir, 'a', 'run.json'), 'utf8')) as RunManifest;
    expect(Object.keys(manifest.stages.train.artifacts).sort()).toEqual(['history.json', 'model.json', 'params.json', 'weights.bin']);
  });
});

describe('cache, status, check and --frozen on a small perceptron', () => {
  let dir: string;
  let out: string;
  const lockFile = (): string => join(dir, 'perceptron.lock.json');
  const run = (...args: string[]) => rxlab(dir, 'run', 'perceptron.yaml', '--out', 'out', ...args);

  beforeAll(() => {
    dir = smallPerceptron();
    out = join(dir, 'out');
    expect(run().status).toBe(0);
  });

  it('reuses every stage on a second run, leaving every file as it was', () => {
    const before = contents(out);
    const again = run();
    expect(again.status).toBe(0);
    for (const stage of STAGES) expect(again.stdout).toMatch(new RegExp(`^${stage}: cached$`, 'm'));
    expect(again.stdout).toContain('(0 ran, 5 cached)');
    expect(again.stdout).toContain('lock perceptron.lock.json unchanged');
    expect(contents(out)).toEqual(before);
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunManifest;
    expect(Object.values(manifest.stages).every((s) => s.status === 'cached')).toBe(true);

    const status = rxlab(dir, 'status', 'perceptron.yaml', '--out', 'out');
    expect(status.status).toBe(0);
    expect(status.stdout).toContain('all 5 stages up to date; rxlab run would run nothing');
  });

  it('finds a tampered artifact with status and never reuses it', () => {
    const dataset = join(out, 'data', 'dataset.json');
    const original = readFileSync(dataset, 'utf8');
    writeFileSync(dataset, original.replace('0.', '1.'));
    const status = rxlab(dir, 'status', 'perceptron.yaml', '--out', 'out');
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/^data +changed +artifact dataset\.json modified$/m);
    expect(status.stdout).toMatch(/^train +up to date$/m);
    expect(status.stdout).toContain('1 of 5 stages would run: data');

    const again = run();
    expect(again.stdout).toContain('data: started (artifact dataset.json modified)');
    // Made again, it is what the lock says: its consumers stay cached.
    expect(again.stdout).toContain('train: cached');
    expect(readFileSync(dataset, 'utf8')).toBe(original);
  });

  it('check passes a pipeline that reproduces its lock', () => {
    const check = rxlab(dir, 'check', 'perceptron.yaml');
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/^train +history\.json +bytes +same$/m);
    expect(check.stdout).toContain('ok: 12 same; the pipeline reproduces its lock');
  });

  it('check fails on drift with a readable table, and --tolerance accepts a drift within it only', () => {
    const original = readFileSync(lockFile(), 'utf8');
    const lock = JSON.parse(original) as Lockfile;
    const history = lock.stages.train.values['history.json'] as { loss: number[] };
    history.loss[5] += 3.1e-7;
    lock.stages.train.artifacts['history.json'] = 'f'.repeat(64);
    writeFileSync(lockFile(), JSON.stringify(lock));
    try {
      const drift = rxlab(dir, 'check', 'perceptron.yaml');
      expect(drift.status).toBe(1);
      expect(drift.stdout).toMatch(/^stage +artifact +compared +result +detail$/m);
      expect(drift.stdout).toMatch(/^train +history\.json +bytes +changed +loss\[5\] differs by 3\.1e-7$/m);
      expect(drift.stdout).toContain('drift: 11 same, 1 changed; the pipeline does not reproduce perceptron.lock.json');

      const within = rxlab(dir, 'check', 'perceptron.yaml', '--tolerance', '1e-6');
      expect(within.status).toBe(0);
      expect(within.stdout).toMatch(/^train +history\.json +values ±1e-6 +same +largest difference: loss\[5\] differs by 3\.1e-7$/m);
      expect(within.stdout).toMatch(/^train +weights\.bin +bytes +same$/m);

      const beyond = rxlab(dir, 'check', 'perceptron.yaml', '--tolerance', '1e-7');
      expect(beyond.status).toBe(1);
      expect(beyond.stdout).toMatch(/^train +history\.json +values ±1e-7 +changed +loss\[5\] differs by 3\.1e-7$/m);

      // The output folder no longer matches the lock: status says so, and --frozen will not record it.
      expect(rxlab(dir, 'status', 'perceptron.yaml', '--out', 'out').stdout).toMatch(/^train +changed +artifact history\.json modified$/m);
      const frozen = run('--frozen');
      expect(frozen.status).toBe(1);
      expect(frozen.stdout).toContain('rxlab run --frozen: the run does not match perceptron.lock.json; the lock was not written');
      expect(frozen.stdout).toContain('train: history.json changed (loss[5] differs by 3.1e-7)');
      expect(readFileSync(lockFile(), 'utf8')).toBe(JSON.stringify(lock));
    } finally {
      writeFileSync(lockFile(), original);
    }
  });

  it('--frozen refuses a changed pipeline before running; a plain run re-runs the change and what it feeds', () => {
    setEpochs(join(dir, 'perceptron.yaml'), 30);
    const frozen = run('--frozen');
    expect(frozen.status).toBe(1);
    expect(frozen.stderr).toBe('rxlab run --frozen: the lock perceptron.lock.json would change; nothing was run\n  train: params changed: epochs 20 → 30\n');
    expect(frozen.stdout).toBe('');

    const status = rxlab(dir, 'status', 'perceptron.yaml', '--out', 'out');
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/^train +changed +params changed: epochs 20 → 30$/m);
    expect(status.stdout).toMatch(/^loss-chart +changed +upstream train changed$/m);
    expect(status.stdout).toMatch(/^model +up to date$/m);

    const rerun = run();
    expect(rerun.status).toBe(0);
    for (const stage of ['data', 'model']) expect(rerun.stdout).toMatch(new RegExp(`^${stage}: cached$`, 'm'));
    expect(rerun.stdout).toContain('train: started (params changed: epochs 20 → 30)');
    expect(rerun.stdout).toContain('evaluate: started (input model changed (train.model))');
    expect(rerun.stdout).toContain('loss-chart: started (input history changed (train.history))');
    expect(rerun.stdout).toContain('(3 ran, 2 cached)');
    expect(rerun.stdout).toContain('lock perceptron.lock.json updated');
    expect((JSON.parse(readFileSync(lockFile(), 'utf8')) as Lockfile).stages.train.params.epochs).toBe(30);
  });

  it('puts a --set run in its own folder with its own lock, records the overrides, and leaves the committed lock alone', () => {
    const committed = readFileSync(lockFile(), 'utf8');
    const first = rxlab(dir, 'run', 'perceptron.yaml', '--set', 'train.epochs=25', '--set', 'evaluate.points=[[0, 0]]');
    expect(first.status).toBe(0);
    // Named after what it set, params in the order of their paths.
    const folder = 'outputs/perceptron/runs/points=[[0,0]],epochs=25';
    expect(first.stdout).toContain(`artifacts in ${folder}\n`);
    expect(first.stdout).toContain(`lock ${folder}/rxlab.lock.json written`);
    const manifest = JSON.parse(readFileSync(join(dir, folder, 'run.json'), 'utf8')) as RunManifest;
    expect(manifest.overrides).toEqual(['train.epochs=25', 'evaluate.points=[[0, 0]]']);
    expect(readFileSync(lockFile(), 'utf8')).toBe(committed);

    // The same overrides in another order: the same folder, and nothing to run.
    const again = rxlab(dir, 'run', 'perceptron.yaml', '--set', 'evaluate.points=[[0, 0]]', '--set', 'train.epochs=25');
    expect(again.stdout).toContain(`(0 ran, 5 cached); artifacts in ${folder}`);
  });
});

describe('errors', () => {
  it('--set with a wrong type or an unknown key: positioned errors, exit 2, nothing run', () => {
    const dir = perceptronCopy();
    const result = rxlab(dir, 'run', 'perceptron.yaml', '--set', 'train.epochs=many', '--set', 'train.optimizer.lrr=0.1');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      [
        '--set train.epochs=many: stages.train.with.epochs: expected an integer, found "many"',
        '--set train.optimizer.lrr=0.1: stages.train.with.optimizer.lrr: unknown key (did you mean "lr"?)',
        '2 errors; nothing was run',
        '',
      ].join('\n'),
    );
    expect(readdirSync(dir)).toEqual(['perceptron.yaml']);
  });

  it('check and --frozen without a lock say to run first; --force of an unknown stage is a usage error', () => {
    const dir = perceptronCopy();
    const check = rxlab(dir, 'check', 'perceptron.yaml');
    expect(check.status).toBe(1);
    expect(check.stderr).toBe('rxlab check: no lock file perceptron.lock.json; run `rxlab run perceptron.yaml` first to record one\n');
    const frozen = rxlab(dir, 'run', 'perceptron.yaml', '--frozen');
    expect(frozen.status).toBe(1);
    expect(frozen.stderr).toContain('no lock file perceptron.lock.json to hold the run to; run `rxlab run perceptron.yaml` first; nothing was run');
    const force = rxlab(dir, 'run', 'perceptron.yaml', '--force', 'trian');
    expect(force.status).toBe(2);
    expect(force.stderr).toContain('rxlab run: --force: no stage "trian" in perceptron (did you mean "train"?)');
    const status = rxlab(dir, 'status', 'perceptron.yaml');
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/^data +never run +no lock file$/m);
  });
});
