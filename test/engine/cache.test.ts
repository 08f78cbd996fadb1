import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { of } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { hashValue } from '../../src/util/canonical.ts';
import { executeRun } from '../../src/engine/run/execute.ts';
import { planPipeline } from '../../src/engine/plan/plan.ts';
import { defineStage } from '../../src/contract/stage.ts';
import { chain, runCached, runs, ticker, watcher } from '../helpers/counting-stages.ts';
import { pipelineOf, tempDir } from '../helpers/engine.ts';

const read = (out: string, path: string): string => readFileSync(join(out, path), 'utf8');

describe('stage cache', () => {
  beforeEach(() => runs.clear());

  it('reuses every stage of an unchanged pipeline, verified, without running any', async () => {
    const out = tempDir();
    const first = await runCached(chain(), out);
    expect(first.said).toEqual(['sum: started (never run)', 'total: started (never run)', 'x: started (never run)', 'y: started (never run)']);
    const mtime = statSync(join(out, 'total', 'sum.txt')).mtimeMs;
    runs.clear();

    const second = await runCached(chain(), out, first.lock);
    expect(second.said).toEqual(['sum: cached', 'total: cached', 'x: cached', 'y: cached']);
    expect(runs.size).toBe(0);
    expect(second.lock).toEqual(first.lock);
    expect(read(out, 'total/sum.txt')).toBe('5\n');
    expect(statSync(join(out, 'total', 'sum.txt')).mtimeMs).toBe(mtime);
    // run.json says so, with the artifacts it verified.
    expect(second.manifest.stages.total).toMatchObject({ status: 'cached', artifacts: { 'sum.txt': { bytes: 2 } } });
  });

  it('runs a changed stage and what its new outputs change downstream, nothing upstream', async () => {
    const out = tempDir();
    const { lock } = await runCached(chain(1), out);
    runs.clear();
    const next = await runCached(chain(5), out, lock);
    expect(next.said).toEqual([
      'sum: started (input a changed (x.value))',
      'total: started (input a changed (sum.value))',
      'x: started (params changed: n 1 → 5)',
      'y: cached',
    ]);
    expect(read(out, 'total/sum.txt')).toBe('9\n');
    expect(next.lock.stages.sum.inputs.a).toBe(hashValue(5));
  });

  it('keeps a downstream stage cached when a re-run upstream produces the same value', async () => {
    const out = tempDir();
    const { lock } = await runCached(chain(), out);
    runs.clear();
    const forced = await runCached(chain(), out, lock, new Set(['sum']));
    expect(forced.said).toEqual(['sum: started (forced)', 'total: cached', 'x: cached', 'y: cached']);
    expect((await runCached(chain(), out, lock, 'all')).said.every((s) => s.endsWith('(forced)'))).toBe(true);
  });

  it('never trusts a tampered or missing file: the stage runs again', async () => {
    const out = tempDir();
    const { lock } = await runCached(chain(), out);
    writeFileSync(join(out, 'sum', 'sum.txt'), '6\n');
    expect((await runCached(chain(), out, lock)).said).toContain('sum: started (artifact sum.txt modified)');
    expect(read(out, 'sum/sum.txt')).toBe('3\n');

    rmSync(join(out, 'x', 'value.json'));
    expect((await runCached(chain(), out, lock)).said).toContain('x: started (artifact value.json missing)');

    // The recorded output values are checked too: a tampered one would feed consumers a lie.
    writeFileSync(join(out, '.rxlab', 'y', 'output-value.json'), '3');
    const after = await runCached(chain(), out, lock);
    expect(after.said).toEqual(['sum: cached', 'total: cached', 'x: cached', 'y: started (recorded output value modified)']);

    rmSync(join(out, '.rxlab', 'total'), { recursive: true });
    expect((await runCached(chain(), out, lock)).said).toContain('total: started (no record of what made it (.rxlab/total/record.json missing))');
  });

  it('keeps recorded values apart from the artifacts, and forgets them when a stage starts', async () => {
    const out = tempDir();
    await runCached(chain(), out);
    expect(readdirSync(join(out, 'sum'))).toEqual(['sum.txt']);
    expect(JSON.parse(read(out, '.rxlab/sum/output-value.json'))).toBe(3);
    expect(JSON.parse(read(out, '.rxlab/sum/record.json'))).toMatchObject({ metrics: {}, madeWith: { packages: {} } });
  });

  it('runs a stage and its live consumers together, or reuses them together', async () => {
    const out = tempDir();
    const plan = (stopAt: number) =>
      planPipeline(pipelineOf({ tick: { stage: ticker, params: { count: 50 } }, watch: { stage: watcher, inputs: { ticks: 'tick.ticks' }, params: { stopAt } } }));
    const first = await runCached(plan(3), out);
    expect(read(out, 'tick/last.json')).toBe('4\n');
    // A live input is recorded as its producer's key: stream values carry wall times.
    expect(first.lock.stages.watch.inputs.ticks).toMatch(/^[0-9a-f]{64}$/);
    expect((await runCached(plan(3), out, first.lock)).said).toEqual(['tick: cached', 'watch: cached']);

    // The consumer needs the live stream to run again, so its producer runs with it.
    rmSync(join(out, '.rxlab', 'watch'), { recursive: true });
    runs.clear();
    const again = await runCached(plan(3), out, first.lock);
    expect(again.said).toEqual([
      'tick: started (live consumer watch: no record of what made it (.rxlab/watch/record.json missing))',
      'watch: started (upstream tick runs and feeds live input ticks)',
    ]);
    expect(again.lock).toEqual(first.lock);
    expect((await runCached(plan(3), out, first.lock, new Set(['watch']))).said).toEqual([
      'tick: started (live consumer watch: forced)',
      'watch: started (upstream tick runs and feeds live input ticks)',
    ]);

    // A changed consumer may stop the producer elsewhere: both run, and the producer makes something else.
    const changed = await runCached(plan(7), out, first.lock);
    expect(changed.said).toEqual([
      'tick: started (live consumer watch: params changed: stopAt 3 → 7)',
      'watch: started (upstream tick runs and feeds live input ticks)',
    ]);
    expect(read(out, 'tick/last.json')).toBe('8\n');
  });

  it('fails a stage whose output is not JSON data, naming the output and where', async () => {
    const typed = defineStage({
      name: 'typed',
      description: 'emits a typed array',
      params: {},
      inputs: {},
      outputs: { weights: { kind: 'x-weights' } },
      run: (ctx) => of(ctx.output('weights', { layers: [{ w: new Float32Array(2) }] })),
    });
    const { manifest } = await executeRun(planPipeline(pipelineOf({ m: { stage: typed } })), { outDir: tempDir() });
    expect(manifest.error).toBe(
      'stage "m" failed: output "weights": a Float32Array at layers[0].w is not JSON data; outputs must be plain JSON data, since they are hashed, cached and replayed',
    );
  });

  it('fails a stage that emits a finished-value output twice', async () => {
    const twice = defineStage({
      name: 'twice',
      description: 'emits twice',
      params: {},
      inputs: {},
      outputs: { value: { kind: 'x-number' } },
      run: (ctx) => of(ctx.output('value', 1), ctx.output('value', 2)),
    });
    const { manifest } = await executeRun(planPipeline(pipelineOf({ t: { stage: twice } })), { outDir: tempDir() });
    expect(manifest.error).toBe('stage "t" failed: emitted its output "value" twice; only a stream output may emit more than one value');
  });
});
