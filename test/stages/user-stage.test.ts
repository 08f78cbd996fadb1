/**
 * A user's own stage (stages/label-noise.ts): typed, seeded like NumPy, run by a pipeline
 * as a built-in is; and what the CLI says, with exit code 2, when a user stage's params
 * are wrong or its module cannot be used.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, of } from 'rxjs';
import { toArray } from 'rxjs/operators';
import { describe, expect, it } from 'vitest';
import type { Dataset, StageEvent } from '../../src/index.ts';
import labelNoise from '../../stages/label-noise.ts';
import { runPipeline } from '../helpers/run.ts';
import { rxlab as runRxlab, withoutExcerpts } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'user-stages');
const rxlab = (...args: string[]) => runRxlab(args, { cwd: ROOT });

const run = (params: { fraction: number; seed: number }, dataset: Dataset): Promise<StageEvent[]> =>
  lastValueFrom(labelNoise.run({ id: 'noise', params, pipelineDir: '.', stopRequested: of() }, { dataset }).pipe(toArray()));

describe('stages/label-noise.ts', () => {
  it('declares its params once, as a schema with its default', () => {
    expect(labelNoise.params).toMatchObject({ properties: { seed: { default: 0 } }, required: ['fraction'] });
    expect(labelNoise.inputs).toEqual({ dataset: { kind: 'dataset', description: 'the clean data' } });
  });

  it("flips the labels NumPy's RandomState(seed).choice(n, k, replace=False) picks", async () => {
    const dataset: Dataset = { X: Array.from({ length: 100 }, (_, i) => [i, -i]), y: Array.from({ length: 100 }, (_, i) => i % 2) };
    const events = await run({ fraction: 0.1, seed: 7 }, dataset);
    // np.random.RandomState(7).choice(100, 10, replace=False), sorted
    const picked = [15, 22, 26, 37, 49, 71, 78, 86, 91, 93];
    expect(events[0]).toEqual({ type: 'artifact', name: 'flipped.json', content: `${JSON.stringify(picked)}\n` });
    const noisy = (events.find((e) => e.type === 'output')! as { value: Dataset }).value;
    expect(noisy.X).toBe(dataset.X);
    expect(noisy.y.flatMap((label, i) => (label !== dataset.y[i] ? [i] : []))).toEqual(picked);
    expect(dataset.y[15]).toBe(1); // the input is left as it was
  });

  it('refuses labels other than 0 and 1, naming the stage and the label', async () => {
    await expect(run({ fraction: 0.5, seed: 0 }, { X: [[0], [1]], y: [0, 2] })).rejects.toThrow('stage "noise" failed: label-noise flips 0/1 labels, but y[1] is 2');
  });
});

describe('pipelines/label-noise.yaml', () => {
  it('runs the user stage between the data and training, and scores on the clean labels', async () => {
    const ran = await runPipeline(join(ROOT, 'pipelines', 'label-noise.yaml'));
    expect(ran.manifest.error).toBeUndefined();
    expect(ran.manifest.stages.noise.uses).toBe('../stages/label-noise.ts');
    // np.random.RandomState(0).choice(100, 15, replace=False), sorted
    const flipped = [2, 7, 13, 16, 26, 53, 54, 55, 73, 75, 78, 86, 92, 93, 95];
    expect(ran.json<number[]>('noise/flipped.json')).toEqual(flipped);
    const clean = ran.json<Dataset>('data/dataset.json');
    const noisy = ran.json<Dataset>('noise/dataset.json');
    expect(noisy.y.flatMap((label, i) => (label !== clean.y[i] ? [i] : []))).toEqual(flipped);
    expect(ran.json<{ samples: number }>('evaluate/metrics.json').samples).toBe(100);
  });
});

describe('rxlab run with a user stage that cannot run (exit 2, nothing run)', () => {
  it('points at each bad param of a user stage, checked by its own schema', () => {
    const file = join(FIXTURES, 'bad-param.yaml');
    const result = rxlab('run', file, '--out', mkdtempSync(join(tmpdir(), 'rxlab-test-')));
    expect(result.status).toBe(2);
    expect(withoutExcerpts(result.stderr)).toBe(
      [
        `${file}:10:17 stages.noise.with.fraction: expected a number ≥ 0 and ≤ 1, found 1.5`,
        `${file}:11:7 stages.noise.with.sead: unknown key (did you mean "seed"?)`,
        '2 errors; nothing was run',
        '',
      ].join('\n'),
    );
  });

  it('says why each unusable module cannot be used: missing, throws on import, no stage as default export', () => {
    const file = join(FIXTURES, 'broken-modules.yaml');
    const result = rxlab('run', file);
    expect(result.status).toBe(2);
    expect(withoutExcerpts(result.stderr)).toBe(
      [
        `${file}:5:11 stages.missing.uses: stage module ./no-such-stage.ts not found (looked for ${join(FIXTURES, 'no-such-stage.ts')})`,
        `${file}:7:11 stages.throws.uses: stage module ./throws-on-import.ts failed to load: CUDA device 0 not found`,
        `${file}:9:11 stages.named.uses: stage module ./named-export.ts has no stage as its default export (it exports only noop); export default defineStage({ … })`,
        `${file}:11:11 stages.plain.uses: stage module ./not-a-stage.ts has no stage as its default export (its default export is an object not made with defineStage); export default defineStage({ … })`,
        '4 errors; nothing was run',
        '',
      ].join('\n'),
    );
  });

  // Written at test time: a file that does not compile would break the repository's own tsc and eslint.
  const pipelineWith = (module: string, packageJson?: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'rxlab-user-stage-'));
    writeFileSync(join(dir, 'stage.ts'), module);
    if (packageJson) writeFileSync(join(dir, 'package.json'), packageJson);
    writeFileSync(join(dir, 'p.yaml'), 'name: p\nstages:\n  mine:\n    uses: ./stage.ts\n');
    return join(dir, 'p.yaml');
  };

  it('gives the compiler error, with its place in the module, for one that does not compile', () => {
    const file = pipelineWith("export default defineStage({ name: 'x'\n", '{ "type": "module" }');
    const result = rxlab('run', file);
    expect(result.status).toBe(2);
    expect(withoutExcerpts(result.stderr)).toContain(`${file}:4:11 stages.mine.uses: stage module ./stage.ts does not compile: ${join(file, '..', 'stage.ts')}:2:0: Expected "}" but found end of file\n`);
  });

  it('says what to do for a .ts module outside a "type": "module" package', () => {
    const file = pipelineWith('export default 1;\n');
    const result = rxlab('run', file);
    expect(result.status).toBe(2);
    expect(withoutExcerpts(result.stderr)).toContain(
      `${file}:4:11 stages.mine.uses: stage module ./stage.ts failed to load: it was compiled as CommonJS, as a .ts file is unless the nearest package.json says "type": "module"; add that, or rename the file to .mts\n`,
    );
  });
});
