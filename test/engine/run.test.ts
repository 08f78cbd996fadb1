import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Observable, interval, of, timer } from 'rxjs';
import { map, take, toArray } from 'rxjs/operators';
import { describe, expect, it } from 'vitest';
import { executeRun } from '../../src/engine/run/execute.ts';
import { planPipeline } from '../../src/engine/plan/plan.ts';
import { sha256 } from '../../src/util/canonical.ts';
import { runPlan, type EngineEvent } from '../../src/engine/run/stream.ts';
import { artifact, defineStage } from '../../src/contract/stage.ts';
import { collect, pipelineOf, tempDir } from '../helpers/engine.ts';

/** Emits its output after `ms`, logging when it starts and ends. */
function delayed(name: string, ms: number, log: string[]) {
  return defineStage({
    name,
    description: 'waits, then emits',
    params: {},
    inputs: {},
    outputs: { value: { kind: 'x-number' } },
    run: (ctx) => {
      log.push(`${ctx.id} start`);
      return timer(ms).pipe(
        map(() => {
          log.push(`${ctx.id} end`);
          return ctx.output('value', ms);
        }),
      );
    },
  });
}

const adder = defineStage({
  name: 'adder',
  description: 'adds two numbers',
  params: {},
  inputs: { a: { kind: 'x-number' }, b: { kind: 'x-number' } },
  outputs: { value: { kind: 'x-number' } },
  run: (ctx, inputs) => {
    const sum = (inputs.a as number) + (inputs.b as number);
    return of(artifact('sum.txt', `${sum}\n`), ctx.output('value', sum));
  },
});

describe('runPlan', () => {
  it('runs independent stages concurrently', async () => {
    const log: string[] = [];
    const plan = planPipeline(pipelineOf({ a: { stage: delayed('slow', 40, log) }, b: { stage: delayed('slow', 40, log) } }));
    await collect(runPlan(plan, { outDir: tempDir() }));
    // Both start before either ends; which starts first is not part of the contract.
    expect(log.slice(0, 2).sort()).toEqual(['a start', 'b start']);
    expect(log.slice(2).sort()).toEqual(['a end', 'b end']);
  });

  it('computes an output with two consumers once and shares it', async () => {
    let runs = 0;
    const counted = defineStage({
      name: 'counted',
      description: 'counts its runs',
      params: {},
      inputs: {},
      outputs: { value: { kind: 'x-number' } },
      run: (ctx) => {
        runs++;
        return of(ctx.output('value', 20));
      },
    });
    const out = tempDir();
    const plan = planPipeline(
      pipelineOf({
        src: { stage: counted },
        one: { stage: adder, inputs: { a: 'src', b: 'src' } },
        two: { stage: adder, inputs: { a: 'src', b: 'one' } },
      }),
    );
    const events = await collect(runPlan(plan, { outDir: out }));
    expect(runs).toBe(1);
    expect(readFileSync(join(out, 'two', 'sum.txt'), 'utf8')).toBe('60\n');
    const written = events.find((e) => e.type === 'artifact' && e.stage === 'two');
    expect(written).toMatchObject({ sha256: sha256('60\n'), bytes: 3 });
  });

  it('hands a live stream to a consumer while the producer still runs, and lets it stop the producer', async () => {
    const log: string[] = [];
    const ticker = defineStage({
      name: 'ticker',
      description: 'ticks until asked to stop',
      params: {},
      inputs: {},
      outputs: { ticks: { kind: 'x-tick', stream: true } },
      run: (ctx) =>
        new Observable((subscriber) => {
          let n = 0;
          const timerId = setInterval(() => {
            log.push(`tick ${n}`);
            subscriber.next(ctx.output('ticks', n++));
          }, 5);
          const stop = ctx.stopRequested.subscribe((reason) => {
            log.push(`stopped: ${reason}`);
            clearInterval(timerId);
            subscriber.complete();
          });
          return () => {
            clearInterval(timerId);
            stop.unsubscribe();
          };
        }),
    });
    const watcher = defineStage({
      name: 'watcher',
      description: 'stops the ticker at 3',
      params: {},
      inputs: { ticks: { kind: 'x-tick', stream: true } },
      outputs: { seen: { kind: 'x-list' } },
      run: (ctx, { ticks }) =>
        ticks.values.pipe(
          take(4),
          toArray(),
          map((seen) => {
            log.push(`watcher saw ${seen.join(',')}`);
            ticks.stop('seen enough');
            return ctx.output('seen', seen);
          }),
        ),
    });
    const plan = planPipeline(pipelineOf({ ticker: { stage: ticker }, watcher: { stage: watcher, inputs: { ticks: 'ticker.ticks' } } }));
    await collect(runPlan(plan, { outDir: tempDir() }));
    expect(log).toEqual(['tick 0', 'tick 1', 'tick 2', 'tick 3', 'watcher saw 0,1,2,3', 'stopped: seen enough']);
  });

  it('cancels the rest of the run when a stage fails, and names the stage', async () => {
    let tornDown = false;
    const forever = defineStage({
      name: 'forever',
      description: 'never finishes on its own',
      params: {},
      inputs: {},
      outputs: { value: { kind: 'x-number' } },
      run: () =>
        new Observable<never>(() => () => {
          tornDown = true;
        }),
    });
    const failing = defineStage({
      name: 'failing',
      description: 'throws after a moment',
      params: {},
      inputs: {},
      outputs: { value: { kind: 'x-number' } },
      run: () =>
        interval(10).pipe(
          map(() => {
            throw new Error('the data is bad');
          }),
        ),
    });
    const out = tempDir();
    const plan = planPipeline(
      pipelineOf({ slow: { stage: forever }, broken: { stage: failing }, after: { stage: adder, inputs: { a: 'broken', b: 'slow' } } }),
    );
    const { manifest } = await executeRun(plan, { outDir: out });
    expect(manifest.status).toBe('failed');
    expect(manifest.error).toBe('stage "broken" failed: the data is bad');
    expect(tornDown).toBe(true);
    expect(manifest.stages.after.status).toBe('pending');
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).status).toBe('failed');
  });

  it('fails a stage that finishes without its declared output', async () => {
    const silent = defineStage({
      name: 'silent',
      description: 'emits nothing',
      params: {},
      inputs: {},
      outputs: { value: { kind: 'x-number' } },
      run: () => of(),
    });
    const { manifest } = await executeRun(planPipeline(pipelineOf({ quiet: { stage: silent } })), { outDir: tempDir() });
    expect(manifest.error).toBe('stage "quiet" failed: finished without producing its output "value"');
  });

  it('records params, timings, hashes and the environment in run.json', async () => {
    const out = tempDir();
    const two = defineStage({
      name: 'two',
      description: 'emits 2',
      params: {},
      inputs: {},
      outputs: { value: { kind: 'x-number' } },
      packages: ['vega', '@tensorflow/tfjs-core', 'a-package-not-installed'],
      setup: async () => ({ backend: 'test-backend' }),
      run: (ctx) => of(ctx.output('value', 2)),
    });
    const plan = planPipeline(pipelineOf({ x: { stage: two, params: { n: 2 } }, sum: { stage: adder, inputs: { a: 'x', b: 'x' } } }));
    const events: EngineEvent[] = [];
    const { manifest } = await executeRun(plan, { outDir: out, onEvent: (e) => events.push(e) });
    const onDisk = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(onDisk.status).toBe('completed');
    // The engine's own packages, and those its stages declare, when installed.
    expect(onDisk.environment).toMatchObject({
      backend: 'test-backend',
      node: process.version,
      'package:rxjs': expect.any(String),
      'package:vega': expect.any(String), // its package.json is hidden by `exports`
      'package:@tensorflow/tfjs-core': expect.any(String),
    });
    expect(Object.keys(onDisk.environment).filter((k) => k.startsWith('package:')).sort()).toEqual(
      ['package:@tensorflow/tfjs-core', 'package:ajv', 'package:rxjs', 'package:rxlab', 'package:vega', 'package:yaml'],
    );
    expect(onDisk.pipeline.sha256).toBe(sha256('test'));
    expect(onDisk.stages.x).toMatchObject({ uses: 'two', params: { n: 2 }, status: 'completed', durationMs: expect.any(Number) });
    expect(onDisk.stages.sum.artifacts['sum.txt']).toEqual({ sha256: sha256('4\n'), bytes: 2 });
    expect(manifest.durationMs).toBeGreaterThan(0);
    expect(events[0]).toEqual({ type: 'environment', facts: { backend: 'test-backend' } });
    // Nothing but the artifacts: no temp file left behind.
    expect(readdirSync(join(out, 'sum'))).toEqual(['sum.txt']);
    expect(existsSync(join(out, 'x'))).toBe(true);
  });
});
