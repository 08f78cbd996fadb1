/**
 * `rxlab run --json`: every line of real runs (completed, cached, failed, refused) checked
 * against the published event schema (schemas/events.schema.json) with ajv, and what
 * the events say checked against run.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ROOT, copyPipeline, rxlab } from './helpers/cli.ts';

const schema = JSON.parse(readFileSync(join(ROOT, 'schemas', 'events.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true }).compile(schema);

/** The run's stdout as events, each valid against the schema. */
function events(stdout: string): Record<string, unknown>[] {
  const lines = stdout.trimEnd().split('\n');
  return lines.map((line) => {
    const event = JSON.parse(line) as Record<string, unknown>;
    expect(validate(event), `${line}\n${JSON.stringify(validate.errors)}`).toBe(true);
    return event;
  });
}

describe('rxlab run --json', () => {
  const perceptron = () => copyPipeline(join(ROOT, 'pipelines', 'perceptron.yaml'), join(ROOT, 'pipelines', 'perceptron.lock.json'));

  it('prints versioned events that fit the schema: started, progress with its data, results, metrics, finished', () => {
    const { dir } = perceptron();
    const result = rxlab(['run', 'perceptron.yaml', '--json'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const all = events(result.stdout);
    expect(all.every((e) => e.v === 1)).toBe(true);
    expect(all[0]).toMatchObject({ type: 'started', pipeline: 'perceptron', out: join(dir, 'outputs', 'perceptron') });
    expect((all[0].stages as string[]).length).toBe(8);
    const types = new Set(all.map((e) => e.type));
    expect([...types].sort()).toEqual(['artifact', 'finished', 'message', 'metric', 'progress', 'result', 'stage-started', 'started']);
    // Progress carries its data: train's loss at each epoch, 1000 of them.
    const progress = all.filter((e) => e.type === 'progress' && e.stage === 'train');
    expect(progress).toHaveLength(1000);
    expect(progress[999]).toMatchObject({ current: 1000, total: 1000, data: { loss: expect.any(Number) } });
    const manifest = JSON.parse(readFileSync(join(dir, 'outputs', 'perceptron', 'run.json'), 'utf8'));
    expect(all.filter((e) => e.type === 'result').map((e) => e.stage).sort()).toEqual(Object.keys(manifest.stages).sort());
    expect(all.find((e) => e.type === 'result' && e.stage === 'evaluate')).toMatchObject({ metrics: { accuracy: manifest.stages.evaluate.metrics.accuracy } });
    expect(all[all.length - 1]).toEqual({
      v: 1,
      type: 'finished',
      durationMs: expect.any(Number),
      ran: 8,
      cached: 0,
      out: join(dir, 'outputs', 'perceptron'),
      lock: { file: join(dir, 'perceptron.lock.json'), update: 'unchanged' },
      metrics: { 'train.loss': manifest.stages.train.metrics.loss, 'evaluate.accuracy': manifest.stages.evaluate.metrics.accuracy },
    });

    const cached = events(rxlab(['run', 'perceptron.yaml', '--json'], { cwd: dir }).stdout);
    expect(cached.filter((e) => e.type === 'stage-cached')).toHaveLength(8);
    expect(cached[cached.length - 1]).toMatchObject({ type: 'finished', ran: 0, cached: 8 });
  });

  it('ends a failed run with a failed event carrying the error and the stage', () => {
    const { dir } = perceptron();
    const result = rxlab(['run', 'perceptron.yaml', '--json', '--set', 'train.optimizer.lr=1e39'], { cwd: dir });
    expect(result.status).toBe(1);
    const all = events(result.stdout);
    expect(all[all.length - 1]).toMatchObject({
      type: 'failed',
      status: 'failed',
      error: { stage: 'train', message: expect.stringMatching(/^stage "train" failed: loss became (NaN|Infinity) at epoch \d+;.* train\/history\.incomplete\.json$/) },
    });
  });

  it('reports a refused file as a failed event with every diagnostic', () => {
    const { dir } = perceptron();
    const result = rxlab(['run', 'perceptron.yaml', '--json', '--set', 'train.epochs=0', '--set', 'train.lr=1'], { cwd: dir });
    expect(result.status).toBe(2);
    const [event] = events(result.stdout);
    expect(event).toEqual({
      v: 1,
      type: 'failed',
      status: 'invalid',
      error: {
        message: 'the pipeline file or the command line is invalid; nothing was run',
        diagnostics: [
          { file: '--set train.epochs=0', line: 0, col: 0, path: 'stages.train.with.epochs', message: 'expected an integer ≥ 1, found 0' },
          { file: '--set train.lr=1', line: 0, col: 0, path: 'stages.train.with.lr', message: 'unknown key (did you mean "optimizer.lr"?)' },
        ],
      },
    });
  });
});
