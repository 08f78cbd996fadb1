/** Small counting stages and a run-with-cache helper for the lock, cache, status and check tests. */
import { Observable, of } from 'rxjs';
import { map, takeWhile, toArray } from 'rxjs/operators';
import { executeRun } from '../../src/engine/run/execute.ts';
import { lockFromRun, type Lockfile } from '../../src/engine/record/lock.ts';
import type { RunManifest } from '../../src/engine/record/manifest.ts';
import { planPipeline, type Plan } from '../../src/engine/plan/plan.ts';
import type { EngineEvent } from '../../src/engine/run/stream.ts';
import { artifact, defineStage, type StageEvent } from '../../src/contract/stage.ts';
import { pipelineOf } from './engine.ts';

/** How many times each stage id ran. */
export const runs = new Map<string, number>();
const count = (id: string): void => void runs.set(id, (runs.get(id) ?? 0) + 1);

/** Emits `{ n }` as its output, as `value.json` and as its metric `n`. */
export const source = defineStage({
  name: 'source',
  description: 'emits n',
  params: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
  outputs: { value: { kind: 'x-number' } },
  metrics: { n: { direction: 'maximize', description: 'the number it emits' } },
  run: (ctx) => {
    count(ctx.id);
    return of(artifact('value.json', `${JSON.stringify({ n: ctx.params.n })}\n`), ctx.metric('n', ctx.params.n), ctx.output('value', ctx.params.n));
  },
});

/** Adds its two inputs into `sum.txt` and its output. */
export const adder = defineStage({
  name: 'adder',
  description: 'adds two numbers',
  params: { type: 'object' },
  inputs: { a: { kind: 'x-number' }, b: { kind: 'x-number' } },
  outputs: { value: { kind: 'x-number' } },
  run: (ctx, inputs) => {
    count(ctx.id);
    const [a, b] = [inputs.a as number, inputs.b as number];
    return of(artifact('sum.txt', `${a + b}\n`), ctx.output('value', a + b));
  },
});

/** Emits 0..count-1 on a live stream (with a wall time, as train does) unless stopped, then how far it got. */
export const ticker = defineStage({
  name: 'ticker',
  description: 'ticks',
  params: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
  outputs: { ticks: { kind: 'x-tick', stream: true }, last: { kind: 'x-number' } },
  run: (ctx) =>
    new Observable<StageEvent>((subscriber) => {
      count(ctx.id);
      let stopped = false;
      const stop = ctx.stopRequested.subscribe(() => (stopped = true));
      let n = 0;
      // One tick per macrotask, so a consumer's stop can arrive between ticks.
      const next = (): void => {
        if (stopped || n === ctx.params.count) {
          subscriber.next(artifact('last.json', `${n}\n`));
          subscriber.next(ctx.output('last', n));
          subscriber.complete();
          return;
        }
        subscriber.next(ctx.output('ticks', { n: n++, at: Date.now() }));
        timer = setTimeout(next, 0);
      };
      let timer = setTimeout(next, 0);
      return () => {
        clearTimeout(timer);
        stop.unsubscribe();
      };
    }),
});

/** Reads ticks live and stops the ticker once it has seen `stopAt`. */
export const watcher = defineStage({
  name: 'watcher',
  description: 'stops the ticker',
  params: { type: 'object', properties: { stopAt: { type: 'integer' } }, required: ['stopAt'] },
  inputs: { ticks: { kind: 'x-tick', stream: true } },
  outputs: { seen: { kind: 'x-list' } },
  run: (ctx, { ticks }) => {
    count(ctx.id);
    return (ticks.values as Observable<{ n: number }>).pipe(
      takeWhile((t) => t.n < ctx.params.stopAt, true),
      map((t) => t.n),
      toArray(),
      map((seen): StageEvent => {
        ticks.stop(`seen ${ctx.params.stopAt}`);
        return ctx.output('seen', seen);
      }),
    );
  },
});

/** x (source n) and y (source 2) feed sum (adder), which feeds total (adder of sum and y). */
export const chain = (n = 1): Plan =>
  planPipeline(
    pipelineOf({
      x: { stage: source, params: { n } },
      y: { stage: source, params: { n: 2 } },
      sum: { stage: adder, inputs: { a: 'x', b: 'y' } },
      total: { stage: adder, inputs: { a: 'sum', b: 'y' } },
    }),
  );

export interface CachedRun {
  manifest: RunManifest;
  lock: Lockfile;
  events: EngineEvent[];
  /** What each stage did, as the CLI's plain display says it (`x: cached`, `sum: started (…)`), sorted: concurrent stages report in any order. */
  said: string[];
}

/** Runs `plan` into `outDir` with the cache on, as `rxlab run` does, and returns the lock it would write. */
export async function runCached(plan: Plan, outDir: string, lock?: Lockfile, force?: 'all' | Set<string>): Promise<CachedRun> {
  const events: EngineEvent[] = [];
  const { manifest, values } = await executeRun(plan, { outDir, cache: { lock, force }, onEvent: (e) => events.push(e) });
  if (manifest.status !== 'completed') throw new Error(manifest.error);
  const said = events.flatMap((e) =>
    e.type === 'stage-cached' ? [`${e.stage}: cached`] : e.type === 'stage-start' ? [`${e.stage}: started (${e.reason})`] : [],
  ).sort();
  return { manifest, lock: lockFromRun(plan, manifest, values, lock), events, said };
}
