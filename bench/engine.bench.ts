/**
 * Engine overhead: a synthetic stage emits 100,000 states on a live stream (as train
 * does once per epoch), consumed by two downstream stages while it runs. Target: ≤ 2 µs
 * per event, so streaming an epoch's state costs under 1% of even a 0.2 ms epoch.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { count, map } from 'rxjs/operators';
import type { PipelineSpec } from '../src/engine/load/pipeline.ts';
import { planPipeline } from '../src/engine/plan/plan.ts';
import { runPlan } from '../src/engine/run/stream.ts';
import { defineStage, type StageEvent } from '../src/contract/stage.ts';
import { median } from './stats.ts';

const EVENTS = 100_000;
const RUNS = 7;

const producer = defineStage({
  name: 'producer',
  description: 'emits EVENTS states on a live stream',
  params: {},
  inputs: {},
  outputs: { states: { kind: 'x-state', stream: true } },
  run: (ctx) =>
    new Observable<StageEvent>((subscriber) => {
      for (let epoch = 0; epoch < EVENTS && !subscriber.closed; epoch++) {
        subscriber.next(ctx.output('states', { epoch, loss: 1 / (epoch + 1), elapsedMs: epoch }));
      }
      subscriber.complete();
    }),
});

const consumer = defineStage({
  name: 'consumer',
  description: 'counts the states it sees',
  params: {},
  inputs: { states: { kind: 'x-state', stream: true } },
  outputs: { seen: { kind: 'x-count' } },
  run: (ctx, { states }) => states.values.pipe(count(), map((n) => ctx.output('seen', n))),
});

function pipeline(): PipelineSpec {
  const stage = (id: string, s: typeof producer | typeof consumer, inputs: Record<string, string>) => ({
    id, uses: s.name, stage: s, params: {}, inputs, pos: { line: 1, col: 1 }, inputPos: {},
  });
  return {
    name: 'bench', file: 'bench.yaml', dir: '.', source: '', overrides: [],
    stages: [stage('source', producer, {}), stage('first', consumer, { states: 'source.states' }), stage('second', consumer, { states: 'source.states' })],
  };
}

const plan = planPipeline(pipeline());
const outDir = mkdtempSync(join(tmpdir(), 'rxlab-bench-'));
const perEvent: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const start = performance.now();
  let delivered = 0;
  await new Promise<void>((resolve, reject) =>
    runPlan(plan, { outDir }).subscribe({ next: () => delivered++, error: reject, complete: resolve }),
  );
  perEvent.push(((performance.now() - start) * 1000) / EVENTS);
  if (delivered < EVENTS) throw new Error(`only ${delivered} engine events for ${EVENTS} states`);
}
const med = median(perEvent);
console.log(`## Engine: ${EVENTS.toLocaleString('en')} live events to two consumers

| runs | median per event | min | max | target |
|---|---|---|---|---|
| ${RUNS} | ${med.toFixed(2)} µs | ${Math.min(...perEvent).toFixed(2)} µs | ${Math.max(...perEvent).toFixed(2)} µs | ≤ 2 µs (${med <= 2 ? 'met' : 'missed'}) |

Each run: plan → runPlan with a producer stage emitting ${EVENTS.toLocaleString('en')} states on a live stream and two stages consuming it while it runs (time includes stage folders being reset).`);
