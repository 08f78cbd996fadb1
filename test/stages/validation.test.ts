/**
 * Held-out loss through a pipeline: train's `validation` input (a split's test rows), its
 * `val_loss` beside the loss in history.json, on the live stream and as a metric; the loss
 * chart drawing both; early-stop watching either.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EarlyStopDecision, History } from '../../src/data.ts';
import { patienceWatch } from '../../src/stages/early-stop.ts';
import { tempDir } from '../helpers/engine.ts';
import { runPipeline, type Ran } from '../helpers/run.ts';

/** Moons, split, a small MLP trained on the train rows with the test rows held out, stopped early on `monitor`. */
function pipeline(monitor: 'loss' | 'val_loss', validation = true): string {
  const file = join(tempDir(), 'held-out.yaml');
  writeFileSync(
    file,
    `name: held-out
stages:
  data: { uses: moons, with: { n_samples: 120, noise: 0.3, random_state: 1 } }
  split: { uses: split, inputs: { dataset: data.dataset }, with: { test_size: 0.25, random_state: 0 } }
  model: { uses: model, with: { layers: [2, 8, 1], activation: tanh, init: { seed: 0 } } }
  train:
    uses: train
    inputs: { dataset: split.train, model: model.model${validation ? ', validation: split.test' : ''} }
    with: { optimizer: { name: adam, lr: 0.05 }, epochs: 400 }
  stop: { uses: early-stop, inputs: { epochs: train.epochs }, with: { patience: 15, min_delta: 0.001, monitor: ${monitor} } }
  loss-chart: { uses: loss-chart, inputs: { history: train.history } }
`,
  );
  return file;
}

/** Where the stopping rule decides on `losses`, replayed. */
function decidedAt(losses: number[]): number | undefined {
  const observe = patienceWatch({ patience: 15, min_delta: 0.001 });
  // The watch is one object, updated epoch by epoch: read it as each epoch is fed.
  for (let i = 0; i < losses.length; i++) if (observe(i + 1, losses[i]).stop !== undefined) return i + 1;
  return undefined;
}

describe('train with a validation input', () => {
  let byValidation: Ran;
  let byTraining: Ran;
  beforeAll(async () => {
    [byValidation, byTraining] = await Promise.all([runPipeline(pipeline('val_loss')), runPipeline(pipeline('loss'))]);
  });

  it('records the validation loss of every epoch beside the loss, and the last as the metric val_loss', () => {
    expect(byValidation.manifest.error).toBeUndefined();
    const history = byValidation.json<History>('train/history.json');
    expect(history.val_loss).toHaveLength(history.loss.length);
    expect(byValidation.manifest.stages.train.metrics).toEqual({ loss: history.loss.at(-1), val_loss: history.val_loss!.at(-1) });
    const lines = (byValidation.json<{ data: { values: { series: string }[] }[] }>('loss-chart/chart.vg.json').data[0].values).map((v) => v.series);
    expect(lines.filter((s) => s === 'training')).toHaveLength(history.loss.length);
    expect(lines.filter((s) => s === 'validation')).toHaveLength(history.loss.length);
  });

  it('lets early-stop watch the validation loss: it stops once the model overfits, where the training loss goes on falling', () => {
    const [v, t] = [byValidation, byTraining].map((ran) => ({ history: ran.json<History>('train/history.json'), decision: ran.json<EarlyStopDecision>('stop/early-stop.json') }));
    if (!v.decision.stopped) throw new Error('early-stop on val_loss did not stop training');
    expect(v.decision.decided_at).toBe(decidedAt(v.history.val_loss!));
    expect(v.decision.reason).toMatch(/^no improvement in val_loss > 0\.001 for 15 epochs \(best [\d.]+ at epoch \d+\)$/);
    expect(v.decision.best_loss).toBe(v.history.val_loss![v.decision.best_epoch - 1]);
    expect(v.history.loss).toHaveLength(v.decision.stopped_at);
    // Watching the training loss, the same training runs all 400 epochs: the rule never fires on it.
    expect(t.decision).toMatchObject({ stopped: false, epochs: 400 });
    expect(decidedAt(t.history.loss)).toBeUndefined();
    // The held-out loss is measured, never trained on: both runs trained alike up to the stop.
    expect(t.history.loss.slice(0, v.decision.stopped_at)).toEqual(v.history.loss);
    expect(v.decision.stopped_at).toBeLessThan(250);
  });

  it('fails early-stop on val_loss when train has no validation input, saying what to do', async () => {
    const ran = await runPipeline(pipeline('val_loss', false));
    expect(ran.manifest.status).toBe('failed');
    expect(ran.manifest.error).toBe(
      'stage "stop" failed: monitor is val_loss, but train measures no validation loss; give train a validation input (e.g. inputs: { validation: split.test }), or monitor loss',
    );
  });
});
