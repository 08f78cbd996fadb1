/**
 * What the cache keys on, through the real CLI: the content of every file a stage reads,
 * a user's stage module and the files it imports, rxlab's own code and the versions of
 * the packages a stage declares. `status` names which changed, `run` runs the stage
 * again, `--frozen` refuses what would change the lock, and `check` compares the lock's
 * recorded values (metrics, small JSON artifacts), not only its hashes.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashCode, rxlabSourceHash } from '../../src/code-identity.ts';
import { readLock } from '../../src/engine/record/lock.ts';
import { pipelineStatus } from '../../src/engine/reuse/status.ts';
import { loadAndPlan } from '../../src/engine/run-pipeline.ts';
import { resolveStage } from '../../src/stages/registry.ts';
import type { Lockfile } from '../../src/engine/record/lock.ts';
import { tempDir } from '../helpers/engine.ts';
import { ROOT, expectNoCrash, rxlab as runRxlab } from '../helpers/cli.ts';
import { project } from './helpers.ts';

const rxlab = (cwd: string, ...args: string[]) => runRxlab(args, { cwd });
const CONTRACT = join(ROOT, 'src', 'contract', 'stage.ts');

/** Edits a stage's record in the output folder (what made it), as another rxlab or another package version would have left it. */
function editRecord(dir: string, stage: string, edit: (record: { madeWith: { rxlab: string; packages: Record<string, string> }; metrics: Record<string, number> }) => void): void {
  const file = join(dir, 'outputs', 'tiny', '.rxlab', stage, 'record.json');
  const record = JSON.parse(readFileSync(file, 'utf8'));
  edit(record);
  writeFileSync(file, JSON.stringify(record));
}

describe('the cache sees the code that computes', () => {
  it("rxlab's own code: a stage made by other code is not reused, and status says why", () => {
    const dir = project();
    expect(rxlab(dir, 'run', 'tiny.yaml').status).toBe(0);
    editRecord(dir, 'data', (r) => (r.madeWith.rxlab = '0'.repeat(64)));
    const status = rxlab(dir, 'status', 'tiny.yaml');
    expect(status.stdout).toMatch(/^data +changed +rxlab's code changed$/m);
    expect(status.status).toBe(1);
    const again = rxlab(dir, 'run', 'tiny.yaml');
    expect(again.stdout).toContain("data: started (rxlab's code changed)");
    expect(again.stdout).toContain('lock tiny.lock.json unchanged');
    expect(rxlab(dir, 'status', 'tiny.yaml').status).toBe(0);
  });

  it('the same checkout run from the bundle (bin/rxlab.js) and from the sources (in process) is the same code', async () => {
    const dir = project();
    expect(rxlab(dir, 'run', 'tiny.yaml').status).toBe(0);
    const plan = await loadAndPlan(join(dir, 'tiny.yaml'), { resolve: resolveStage });
    const rows = await pipelineStatus(plan, await readLock(join(dir, 'tiny.lock.json')), join(dir, 'outputs', 'tiny'));
    expect(rows).toEqual([{ stage: 'data', state: 'up to date' }]);
    const record = JSON.parse(readFileSync(join(dir, 'outputs', 'tiny', '.rxlab', 'data', 'record.json'), 'utf8'));
    expect(record.madeWith.rxlab).toBe(rxlabSourceHash());
  });

  it("rxlab's code hash is of the code's content: any byte changes it, the folder and file times do not", () => {
    const [a, b] = [tempDir(), tempDir()];
    for (const dir of [a, b]) {
      mkdirSync(join(dir, 'stages'));
      writeFileSync(join(dir, 'cli.ts'), 'export const x = 1;\n');
      writeFileSync(join(dir, 'stages', 'train.ts'), 'export const lr = 0.1;\n');
    }
    expect(hashCode({ dir: a, from: 'src' }).hash).toBe(hashCode({ dir: b, from: 'src' }).hash);
    writeFileSync(join(b, 'stages', 'train.ts'), 'export const lr = 0.2;\n');
    expect(hashCode({ dir: a, from: 'src' }).hash).not.toBe(hashCode({ dir: b, from: 'src' }).hash);
  });

  it('the version of a package the stage declares: a stage computed with another is not reused', () => {
    const dir = project(EVALUATED);
    expect(rxlab(dir, 'run', 'tiny.yaml').status).toBe(0);
    const installed = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@tensorflow', 'tfjs-core', 'package.json'), 'utf8')).version as string;
    editRecord(dir, 'train', (r) => {
      expect(r.madeWith.packages['@tensorflow/tfjs-core']).toBe(installed);
      r.madeWith.packages['@tensorflow/tfjs-core'] = '0.0.1';
    });
    expect(rxlab(dir, 'status', 'tiny.yaml').stdout).toMatch(new RegExp(`^train +changed +package @tensorflow/tfjs-core changed: 0\\.0\\.1 → ${installed.replaceAll('.', '\\.')}$`, 'm'));
    expect(rxlab(dir, 'run', 'tiny.yaml').stdout).toContain(`train: started (package @tensorflow/tfjs-core changed: 0.0.1 → ${installed})`);
  });

  it("a user's stage and the files it imports: an edited helper is seen by status, run and --frozen", () => {
    const dir = project(`name: tiny
stages:
  data: { uses: dataset, with: { X: [[0, 0], [1, 1]], y: [0, 1] } }
  shifted: { uses: ./stages/shift.mts, inputs: { dataset: data } }
`);
    mkdirSync(join(dir, 'stages', 'lib'), { recursive: true });
    // The project's packages (rxjs), as a user's project has them installed.
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'stages', 'lib', 'amount.mts'), 'export const amount = 1;\n');
    writeFileSync(join(dir, 'stages', 'helper.mts'), "export { amount } from './lib/amount.mts';\n");
    writeFileSync(
      join(dir, 'stages', 'shift.mts'),
      `import { of } from 'rxjs';
import { defineStage, jsonArtifact } from ${JSON.stringify(CONTRACT)};
import { amount } from './helper.mts';
export default defineStage({
  name: 'shift', description: 'adds an amount to every feature', params: { type: 'object' },
  inputs: { dataset: { kind: 'dataset' } }, outputs: { dataset: { kind: 'dataset' } },
  run: (ctx, { dataset }) => {
    const shifted = { X: dataset.X.map((row) => row.map((v) => v + amount)), y: dataset.y };
    return of(jsonArtifact('dataset.json', shifted, false), ctx.output('dataset', shifted));
  },
});
`,
    );
    const first = rxlab(dir, 'run', 'tiny.yaml');
    expectNoCrash(first);
    expect(first.status).toBe(0);
    const lock = JSON.parse(readFileSync(join(dir, 'tiny.lock.json'), 'utf8')) as Lockfile;
    expect(Object.keys(lock.stages.shifted.imports!)).toEqual(['stages/helper.mts', 'stages/lib/amount.mts']);

    writeFileSync(join(dir, 'stages', 'lib', 'amount.mts'), 'export const amount = 2;\n');
    expect(rxlab(dir, 'status', 'tiny.yaml').stdout).toMatch(/^shifted +changed +code changed \(stages\/lib\/amount\.mts changed\)$/m);
    const frozen = rxlab(dir, 'run', 'tiny.yaml', '--frozen');
    expect(frozen.status).toBe(1);
    expect(frozen.stderr).toContain('  shifted: code changed (stages/lib/amount.mts changed)');
    const again = rxlab(dir, 'run', 'tiny.yaml');
    expect(again.stdout).toContain('shifted: started (code changed (stages/lib/amount.mts changed))');
    expect(JSON.parse(readFileSync(join(dir, 'outputs', 'tiny', 'shifted', 'dataset.json'), 'utf8')).X).toEqual([
      [2, 2],
      [3, 3],
    ]);
  });

  it('a data file: changed or deleted, it is never served as cached', () => {
    const dir = project(`name: tiny\nstages:\n  data: { uses: dataset, with: { path: points.csv } }\n`);
    writeFileSync(join(dir, 'points.csv'), 'a,b,label\n0,0,0\n1,1,1\n');
    expect(rxlab(dir, 'run', 'tiny.yaml').status).toBe(0);
    writeFileSync(join(dir, 'points.csv'), 'a,b,label\n0,0,0\n1,2,1\n');
    expect(rxlab(dir, 'status', 'tiny.yaml').stdout).toMatch(/^data +changed +points\.csv changed$/m);
    expect(rxlab(dir, 'run', 'tiny.yaml', '--frozen').stderr).toContain('  data: points.csv changed');
    expect(rxlab(dir, 'run', 'tiny.yaml').stdout).toContain('data: started (points.csv changed)');
  });
});

/** A pipeline with a metric and small JSON artifacts: inline data, a perceptron, an evaluation. */
const EVALUATED = `name: tiny
stages:
  data: { uses: dataset, with: { X: [[3, -3], [-3, 3], [4, 1], [-1, -4]], y: [1, 0, 1, 0] } }
  model: { uses: model, with: { layers: [2, 1] } }
  train: { uses: train, inputs: { dataset: data, model: model }, with: { optimizer: { name: sgd, lr: 0.1 }, epochs: 5 } }
  evaluate: { uses: evaluate, inputs: { model: train.model, dataset: data } }
`;

describe("check and the cache hold the lock's recorded values to what the run makes", () => {
  /** A project run once, its lock edited by `edit`. */
  function editedLock(edit: (lock: Lockfile) => void): string {
    const dir = project(EVALUATED);
    expect(rxlab(dir, 'run', 'tiny.yaml').status).toBe(0);
    const file = join(dir, 'tiny.lock.json');
    const lock = JSON.parse(readFileSync(file, 'utf8')) as Lockfile;
    edit(lock);
    writeFileSync(file, JSON.stringify(lock, null, 2));
    return dir;
  }

  it('a metric edited in the lock fails check, and the cache runs the stage again rather than report it', () => {
    const dir = editedLock((lock) => (lock.stages.evaluate.metrics.accuracy = 0.01));
    const check = rxlab(dir, 'check', 'tiny.yaml');
    expect(check.stdout).toMatch(/^evaluate +metric accuracy +value +changed +1, the lock has 0\.01 \(differs by 0\.99\)$/m);
    expect(check.stdout).toMatch(/^drift: /m);
    expect(check.status).toBe(1);
    expect(rxlab(dir, 'status', 'tiny.yaml').stdout).toMatch(/^evaluate +changed +the lock's metric accuracy \(0\.01\) is not what it measured \(1; was the lock edited\?\)$/m);
    const run = rxlab(dir, 'run', 'tiny.yaml');
    expect(run.stdout).toContain("evaluate: started (the lock's metric accuracy (0.01) is not what it measured (1; was the lock edited?))");
    expect((JSON.parse(readFileSync(join(dir, 'tiny.lock.json'), 'utf8')) as Lockfile).stages.evaluate.metrics.accuracy).toBe(1);
  });

  it("the lock's copy of a small JSON artifact edited: check fails naming the number, the cache does not reuse it", () => {
    const dir = editedLock((lock) => ((lock.stages.evaluate.values['metrics.json'] as { accuracy: number }).accuracy = 0.01));
    const check = rxlab(dir, 'check', 'tiny.yaml', '--tolerance', '1e-6');
    expect(check.stdout).toMatch(/^evaluate +metrics\.json +values ±1e-6 +changed +the lock's copy of its content does not match its hash: accuracy differs by 0\.99 \(was the lock edited\?\)$/m);
    expect(check.status).toBe(1);
    expect(rxlab(dir, 'status', 'tiny.yaml').stdout).toMatch(/^evaluate +changed +the lock's copy of metrics\.json differs from the file \(was the lock edited\?\)$/m);
  });
});
