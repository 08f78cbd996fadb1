/**
 * Limits before work: the memory a pipeline's data, models and training need is
 * estimated from their params before anything runs, and a pipeline past `--max-memory`
 * (default: the smaller of Node's heap limit and half the machine's memory) is refused at
 * the param that decides it (exit 2); a sweep runs no more trials at once than there are
 * cores, unless told to (`--oversubscribe`), or than fit in memory.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAndPlan } from '../../src/engine/run-pipeline.ts';
import { defaultMaxMemory } from '../../src/engine/plan/preflight.ts';
import { PipelineInputError } from '../../src/engine/errors.ts';
import { resolveStage } from '../../src/stages/registry.ts';
import { withoutExcerpts, rxlab, ROOT } from '../helpers/cli.ts';
import { expectRefused, project } from './helpers.ts';

/** The diagnostics loading `text` gives, or [] when it loads. */
async function refusals(text: string, maxMemory?: number): Promise<string[]> {
  const dir = project(text, 'p.yaml');
  try {
    await loadAndPlan(join(dir, 'p.yaml'), { resolve: resolveStage, maxMemory });
    return [];
  } catch (err) {
    if (!(err instanceof PipelineInputError)) throw err;
    return err.diagnostics.map((d) => `${d.line}:${d.col} ${d.path}: ${d.message}`);
  }
}

const GIB = 2 ** 30;

describe('memory, estimated before anything runs', () => {
  it('a billion blobs are refused at n_samples, before a byte is allocated (exit 2)', () => {
    const dir = project('name: big\nstages:\n  data:\n    uses: blobs\n    with: { n_samples: 1000000000 }\n', 'big.yaml');
    const started = performance.now();
    const result = rxlab(['run', 'big.yaml'], { cwd: dir });
    expect(performance.now() - started).toBeLessThan(30_000);
    expectRefused(result, /^big\.yaml:5:24 stages\.data\.with\.n_samples: needs about \d+(\.\d)? GiB of memory for 1000000000 samples of 2 features, more than the \d+(\.\d)? [GM]iB rxlab may use \(--max-memory, the smaller of Node's heap limit and half this machine's memory\); make it smaller, or allow more with --max-memory SIZE$/m);
  });

  it('a model of two 30000-wide layers is refused at layers, not left to abort V8 (exit 2)', async () => {
    expect(await refusals('stages:\n  model: { uses: model, with: { layers: [2, 30000, 30000, 1] } }\n')).toEqual([
      expect.stringMatching(/^2:41 stages\.model\.with\.layers: needs about \d+(\.\d)? GiB of memory for 900150001 parameters \(layers \[2,30000,30000,1\]\), more than/),
    ]);
  });

  it('a billion epochs (their losses are kept) are refused at epochs', async () => {
    const text = `stages:
  data: { uses: xor }
  model: { uses: model, with: { layers: [2, 2, 1] } }
  train: { uses: train, inputs: { dataset: data, model: model }, with: { optimizer: { name: sgd, lr: 1 }, epochs: 1000000000 } }
`;
    expect(await refusals(text)).toEqual([expect.stringMatching(/^4:115 stages\.train\.with\.epochs: needs about \d+(\.\d)? GiB of memory for training 9 parameters for 1000000000 epochs on 4 samples/)]);
  });

  it('a chart of millions of points is refused too', async () => {
    expect(await refusals('stages:\n  data: { uses: moons, with: { n_samples: 3000000 } }\n  chart: { uses: scatter-chart, inputs: { dataset: data } }\n', 4 * GIB)).toEqual([
      expect.stringMatching(/^3:52 stages\.chart\.inputs\.dataset: needs about 5\.\d GiB of memory for a chart of 3000000 points \(the whole pipeline about [\d.]+ GiB\), more than the 4 GiB/),
    ]);
  });

  it('--max-memory sets the limit, in the units people write', async () => {
    const blobs = 'stages:\n  data: { uses: blobs, with: { n_samples: 100000 } }\n';
    expect(await refusals(blobs)).toEqual([]);
    expect(await refusals(blobs, 1024 * 1024)).toEqual([expect.stringContaining('more than the 1 MiB rxlab may use (--max-memory); make it smaller')]);
    const dir = project(blobs, 'p.yaml');
    expectRefused(rxlab(['plan', 'p.yaml', '--max-memory', '10M'], { cwd: dir }), /more than the 10 MiB rxlab may use/);
    expect(rxlab(['plan', 'p.yaml', '--max-memory', '1G'], { cwd: dir }).status).toBe(0);
    const bad = rxlab(['plan', 'p.yaml', '--max-memory', 'lots'], { cwd: dir });
    expect([bad.status, bad.stderr]).toEqual([2, 'rxlab: --max-memory expects a size such as 2G, 512M or 1500000 (bytes), found "lots"\n']);
  });

  it("the default is the smaller of Node's heap limit and half the machine's memory; the seed pipelines fit it many times over", async () => {
    const { getHeapStatistics } = await import('node:v8');
    const { totalmem } = await import('node:os');
    expect(defaultMaxMemory()).toBe(Math.min(getHeapStatistics().heap_size_limit, Math.floor(totalmem() / 2)));
    for (const name of ['perceptron', 'xor-mlp', 'moons-split', 'early-stop', 'label-noise']) {
      const plan = await loadAndPlan(join(ROOT, 'pipelines', `${name}.yaml`), { resolve: resolveStage });
      expect(plan.memory!).toBeLessThan(defaultMaxMemory() / 100);
    }
  });
});

describe('sweeps', () => {
  it(`--jobs above the cores is capped at them, and said so; --oversubscribe allows it`, () => {
    const dir = project(`name: tiny
stages:
  data: { uses: xor, with: { jitter: 0.1 } }
`, 'p.yaml');
    const cores = availableParallelism();
    const capped = rxlab(['sweep', 'p.yaml', '--grid', 'data.seed=1,2,3,4,5,6', '--jobs', String(cores + 38), '--out', 'sw'], { cwd: dir });
    expect(capped.status, capped.stderr).toBe(0);
    expect(capped.stdout).toContain(`--jobs ${cores + 38} is more than the ${cores} cores here; running ${cores} at a time (--oversubscribe to run ${cores + 38})`);
    expect(capped.stdout).toContain(`sweep tiny: 6 trials, ${Math.min(cores, 6)} at a time`);
    const forced = rxlab(['sweep', 'p.yaml', '--grid', 'data.seed=1,2,3', '--jobs', String(cores + 1), '--oversubscribe', '--out', 'sw2'], { cwd: dir });
    expect(forced.stdout).toContain(`sweep tiny: 3 trials, ${Math.min(cores + 1, 3)} at a time`);
    expect(withoutExcerpts(forced.stderr)).toBe('');
  });

  it('runs no more trials at once than fit in --max-memory', () => {
    const dir = project('name: tiny\nstages:\n  data: { uses: blobs, with: { n_samples: 20000 } }\n', 'p.yaml');
    const result = rxlab(['sweep', 'p.yaml', '--grid', 'data.random_state=1,2', '--jobs', '2', '--oversubscribe', '--max-memory', '6M', '--out', 'sw'], { cwd: dir });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/a trial needs up to about \d MiB; running 1 at a time to stay within 6 MiB \(--max-memory\)/);
    expect(result.stdout).toContain('sweep tiny: 2 trials, 1 at a time');
  });
});
