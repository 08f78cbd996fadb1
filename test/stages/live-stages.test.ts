/**
 * Stages on train's live streams: early stopping that really ends training (at the same
 * epoch on every run), checkpoints, and the live loss chart; pipelines/early-stop.yaml
 * end to end, and small producers for the edge cases.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { lossCurveSpec, renderSvg, specJson } from '../../src/charts/index.ts';
import type { DenseParams, EarlyStopDecision, EpochState } from '../../src/data.ts';
import { executeRun } from '../../src/engine/run/execute.ts';
import { planPipeline } from '../../src/engine/plan/plan.ts';
import type { EngineEvent } from '../../src/engine/run/stream.ts';
import { defineStage, type Stage, type StageEvent } from '../../src/contract/stage.ts';
import { checkpointStage } from '../../src/stages/checkpoint.ts';
import { earlyStopStage, patienceWatch } from '../../src/stages/early-stop.ts';
import { liveLossChartStage } from '../../src/stages/live-loss-chart.ts';
import type { History } from '../../src/data.ts';
import { pipelineOf, tempDir } from '../helpers/engine.ts';
import { runPipeline, type Ran } from '../helpers/run.ts';

const PIPELINE = join(import.meta.dirname, '..', '..', 'pipelines', 'early-stop.yaml');
const reference = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'train-reference.json'), 'utf8')) as {
  train: { final: [number[], number[]] };
};

/** Every artifact under `dir` by relative path: not run.json, nor the engine's own state in .rxlab/ (it holds wall times). */
/** Every artifact in `dir` by path (not run.json nor the report, which hold times, nor the lock, which records the params, nor rxlab's state). */
const files = (dir: string): Map<string, Buffer> =>
  new Map(
    (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((e) => e.isFile() && e.name !== 'run.json' && e.name !== 'report.html' && e.name !== 'rxlab.lock.json' && !e.parentPath.includes('.rxlab'))
      .map((e) => [join(e.parentPath, e.name).slice(dir.length + 1), readFileSync(join(e.parentPath, e.name))]),
  );

describe('pipelines/early-stop.yaml', () => {
  let ran: Ran;
  let busier: Ran;
  beforeAll(async () => {
    ran = await runPipeline(PIPELINE);
    // The same run with ten times as many redraws competing with training for the thread.
    busier = await runPipeline(PIPELINE, ['live-loss.every=10']);
  });

  it('ends training well before its 5000 epochs, where early-stop asked, and history says so', () => {
    expect(ran.manifest.error).toBeUndefined();
    const history = ran.json<History>('train/history.json');
    const decision = ran.json<EarlyStopDecision>('early-stop/early-stop.json');
    if (!decision.stopped) throw new Error('early-stop did not stop training');
    expect(decision.stopped_at).toBeLessThan(2500);
    expect(decision.stopped_at).toBe(decision.decided_at + 1);
    expect(decision.decided_at).toBe(decision.best_epoch + 20);
    expect(history.loss).toHaveLength(decision.stopped_at);
    expect(history.stopped_early).toEqual({ epoch: decision.stopped_at, reason: decision.reason });
    expect(decision.reason).toBe(`no improvement > 0.001 for 20 epochs (best ${Number(decision.best_loss.toPrecision(4))} at epoch ${decision.best_epoch})`);
    // The rule, checked on the recorded losses: the best epoch improved on the best before
    // it, and the 20 epochs after it did not improve on it by more than 0.001.
    expect(history.loss[decision.best_epoch - 1]).toBe(decision.best_loss);
    const window = history.loss.slice(decision.best_epoch, decision.decided_at);
    expect(window).toHaveLength(20);
    expect(Math.min(...window)).toBeGreaterThanOrEqual(decision.best_loss - 0.001);
  });

  it('stops at the same epoch with byte-identical artifacts when the thread is busier', () => {
    expect(busier.manifest.error).toBeUndefined();
    const [a, b] = [files(ran.out), files(busier.out)];
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [path, content] of a) expect(b.get(path)?.equals(content), path).toBe(true);
  });

  it('writes a checkpoint every 500 epochs and at the last, equal to what train ends with', () => {
    const { stopped_at } = ran.json<{ stopped_at: number }>('early-stop/early-stop.json');
    const written = readdirSync(join(ran.out, 'checkpoints')).sort((x, y) => Number(x.match(/\d+/)![0]) - Number(y.match(/\d+/)![0]));
    expect(written).toEqual(['epoch-500.json', 'epoch-1000.json', 'epoch-1500.json', `epoch-${stopped_at}.json`]);
    const bytes = (path: string): string => readFileSync(join(ran.out, path), 'utf8');
    expect(bytes(`checkpoints/epoch-${stopped_at}.json`)).toBe(bytes('train/params.json'));
    // At epoch 1000 the run is where the seed's 1000-epoch PyTorch run ends.
    const [layer] = ran.json<DenseParams[]>('checkpoints/epoch-1000.json');
    const expected = [...reference.train.final[0], ...reference.train.final[1]];
    [...layer.weight[0], ...layer.bias].forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-6));
  });

  it('leaves the final live chart drawn from all the losses', () => {
    const { loss } = ran.json<History>('train/history.json');
    const spec = ran.json<{ data: { values: { epoch: number }[] }[] }>('live-loss/chart.vg.json');
    expect(spec.data[0].values).toHaveLength(loss.length);
    expect(readFileSync(join(ran.out, 'live-loss', 'chart.svg'), 'utf8')).not.toContain('training…');
  });
});

describe('patienceWatch', () => {
  const run = (losses: number[], params: { patience: number; min_delta: number }) => {
    const observe = patienceWatch(params);
    const at = losses.findIndex((loss, i) => observe(i + 1, loss).stop !== undefined);
    return { decidedAt: at + 1, watch: observe(losses.length + 1, Infinity) };
  };

  it('stops once patience epochs in a row bring no lower loss', () => {
    const { decidedAt, watch } = run([5, 4, 4, 4.5, 3], { patience: 2, min_delta: 0 });
    expect(decidedAt).toBe(4);
    expect(watch).toMatchObject({ best_epoch: 2, best_loss: 4, stop: 'no improvement for 2 epochs (best 4 at epoch 2)' });
  });

  it('counts only drops larger than min_delta, measured from the last epoch that made one', () => {
    const { decidedAt, watch } = run([5, 4.6, 4.2, 3.9, 3.8, 1], { patience: 2, min_delta: 0.5 });
    expect(decidedAt).toBe(5);
    expect(watch.stop).toBe('no improvement > 0.5 for 2 epochs (best 4.2 at epoch 3)');
  });

  it('never stops while the loss keeps improving', () => {
    expect(run([5, 4, 3, 2, 1], { patience: 1, min_delta: 0 }).decidedAt).toBe(0);
  });
});

/**
 * Emits `losses` as train's epoch states, synchronously, after a pause standing for train
 * loading its backend (so that consumers have subscribed); honours a stop as train does
 * (the next epoch is the last) unless told not to.
 */
function producer(losses: number[], { honourStop = true } = {}): Stage {
  return defineStage({
    name: 'losses',
    description: 'emits losses as train does',
    params: {},
    inputs: {},
    outputs: {
      epochs: { kind: 'epoch-state', stream: true },
      checkpoints: { kind: 'checkpoint', stream: true, optional: true },
    },
    run: (ctx) =>
      new Observable<StageEvent>((subscriber) => {
        let stop = false;
        const stopping = ctx.stopRequested.subscribe(() => (stop = honourStop));
        const timer = setTimeout(() => {
          for (const [i, loss] of losses.entries()) {
            const last = stop;
            subscriber.next(ctx.output('epochs', { epoch: i + 1, loss, elapsedMs: 0 } satisfies EpochState));
            if (last) break;
          }
          subscriber.complete();
        }, 100);
        return () => {
          clearTimeout(timer);
          stopping.unsubscribe();
        };
      }),
  }) as Stage;
}

const runWith = async (source: Stage, consumer: Stage, port: string, params: Record<string, unknown> = {}) => {
  const out = tempDir();
  const events: EngineEvent[] = [];
  const plan = planPipeline(pipelineOf({ train: { stage: source }, watch: { stage: consumer as Stage, inputs: { [port]: `train.${port}` }, params } }));
  const { manifest } = await executeRun(plan, { outDir: out, onEvent: (e) => events.push(e) });
  return { out, manifest, events };
};

describe('early-stop', () => {
  it('stops a producer that honours the stop, and records where', async () => {
    const { out, manifest } = await runWith(producer([3, 2, 2, 2, 2, 2, 2]), earlyStopStage as Stage, 'epochs', { patience: 2, min_delta: 0 });
    expect(manifest.error).toBeUndefined();
    expect(JSON.parse(readFileSync(join(out, 'watch', 'early-stop.json'), 'utf8'))).toEqual({
      stopped: true,
      decided_at: 4,
      stopped_at: 5,
      best_epoch: 2,
      best_loss: 2,
      reason: 'no improvement for 2 epochs (best 2 at epoch 2)',
    });
  });

  it('records a run that never stalled as not stopped', async () => {
    const { out } = await runWith(producer([3, 2, 1]), earlyStopStage as Stage, 'epochs', { patience: 2, min_delta: 0 });
    expect(JSON.parse(readFileSync(join(out, 'watch', 'early-stop.json'), 'utf8'))).toEqual({ stopped: false, epochs: 3, best_epoch: 3, best_loss: 1 });
  });

  it('fails when training runs on past the epoch after its stop (the stop came too late to reproduce)', async () => {
    const { manifest } = await runWith(producer([3, 2, 2, 2, 2, 2, 2], { honourStop: false }), earlyStopStage as Stage, 'epochs', {
      patience: 2,
      min_delta: 0,
    });
    expect(manifest.error).toBe(
      'stage "watch" failed: training went on to epoch 6 after the stop at epoch 4; the stop came too late to be reproducible',
    );
  });
});

describe('checkpoint', () => {
  it('fails with the fix when train emits no checkpoints', async () => {
    const { manifest } = await runWith(producer([1, 0.5]), checkpointStage as Stage, 'checkpoints');
    expect(manifest.error).toBe('stage "watch" failed: no checkpoint arrived; set checkpoint_every on the train stage that feeds it');
  });
});

describe('live-loss-chart', () => {
  it('redraws while training and ends with the chart loss-chart draws from the same losses', async () => {
    const losses = Array.from({ length: 250 }, (_, i) => 1 / (i + 1));
    const { out, manifest, events } = await runWith(producer(losses), liveLossChartStage as Stage, 'epochs', { title: 'Loss', every: 100 });
    expect(manifest.error).toBeUndefined();
    const written = events.flatMap((e) => (e.type === 'artifact' ? [e.name] : []));
    // At least one redraw while training (the one at 200 may be skipped while 100 renders), then the final pair.
    expect(written.filter((n) => n === 'chart.svg').length).toBeGreaterThanOrEqual(2);
    expect(written.slice(-2)).toEqual(['chart.vg.json', 'chart.svg']);
    expect(written.filter((n) => n === 'chart.vg.json')).toHaveLength(1);
    const spec = lossCurveSpec(losses, { title: 'Loss' });
    expect(readFileSync(join(out, 'watch', 'chart.vg.json'), 'utf8')).toBe(specJson(spec));
    expect(readFileSync(join(out, 'watch', 'chart.svg'), 'utf8')).toBe(await renderSvg(spec));
  });
});
