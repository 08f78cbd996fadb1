/** Small counting stages and a run-with-cache helper for the lock, cache, status and check tests. */
import { Observable, of } from 'rxjs';
import { map, takeWhile, toArray } from 'rxjs/operators';
import { executeRun, type RunManifest } from '../../src/engine/run/execute.ts';
import { lockFromRun, type Lockfile } from '../../src/engine/record/lock.ts';
import { planPipeline, type Plan } from '../../src/engine/plan/plan.ts';
import type { EngineEvent } from '../../src/engine/run/stream.ts';
import { artifact, defineStage, output, type LiveInput, type StageEvent } from '../../src/contract/stage.ts';
import { pipelineOf } from './helpers.ts';

/** How many times each stage id ran. */
export const runs = new Map<string, number>();
const count = (id: string): void => void runs.set(id, (runs.get(id) ?? 0) + 1);

/** Emits `{ n }` as its output and as `value.json`. */
export const source = defineStage<{ n: number }>({
  name: 'source',
  description: 'emits n',
  params: {},
  inputs: {},
  outputs: { value: { kind: 'number' } },
  run: (ctx) => {
    count(ctx.id);
    return of(artifact('value.json', `${JSON.stringify({ n: ctx.params.n })}\n`), output('value', ctx.params.n));
  },
});

/** Adds its two inputs into `sum.txt` and its output. */
export const adder = defineStage<unknown, { a: number; b: number }>({
  name: 'adder',
  description: 'adds two numbers',
  params: {},
  inputs: { a: { kind: 'number' }, b: { kind: 'number' } },
  outputs: { value: { kind: 'number' } },
  run: (ctx, { a, b }) => {
    count(ctx.id);
    return of(artifact('sum.txt', `${a + b}\n`), output('value', a + b));
  },
});

/** Emits 0..count-1 on a live stream (with a wall time, as train does) unless stopped, then how far it got. */
export const ticker = defineStage<{ count: number }>({
  name: 'ticker',
  description: 'ticks',
  params: {},
  inputs: {},
  outputs: { ticks: { kind: 'tick', stream: true }, last: { kind: 'number' } },
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
          subscriber.next(output('last', n));
          subscriber.complete();
          return;
        }
        subscriber.next(output('ticks', { n: n++, at: Date.now() }));
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
export const watcher = defineStage<{ stopAt: number }, { ticks: LiveInput<{ n: number }> }>({
  name: 'watcher',
  description: 'stops the ticker',
  params: {},
  inputs: { ticks: { kind: 'tick', stream: true } },
  outputs: { seen: { kind: 'list' } },
  run: (ctx, { ticks }) => {
    count(ctx.id);
    return ticks.values.pipe(
      takeWhile((t) => t.n < ctx.params.stopAt, true),
      map((t) => t.n),
      toArray(),
      map((seen): StageEvent => {
        ticks.stop(`seen ${ctx.params.stopAt}`);
        return output('seen', seen);
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
  const manifest = await executeRun(plan, { outDir, cache: { lock, force }, onEvent: (e) => events.push(e) });
  if (manifest.status !== 'completed') throw new Error(manifest.error);
  const said = events.flatMap((e) =>
    e.type === 'stage-cached' ? [`${e.stage}: cached`] : e.type === 'stage-start' ? [`${e.stage}: started (${e.reason})`] : [],
  ).sort();
  return { manifest, lock: await lockFromRun(plan, manifest, outDir), events, said };
}
