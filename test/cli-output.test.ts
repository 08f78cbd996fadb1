/**
 * What a run prints when piped, and the pieces of the terminal display: numbers rounded
 * for people (full precision stays in the artifacts), a line per file only with -v, a
 * first run worded as one, a closing summary on every run, check's table first, a long
 * sweep trial's progress, and the live region fitting the terminal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { liveRegion, resultLines, startReason } from '../src/cli/display.ts';
import { progressReporter, type WorkerMessage } from '../src/sweep/worker.ts';
import { forPeople, roundNumbersIn } from '../src/util/numbers.ts';
import { ROOT, copyPipeline, rxlab } from './helpers/cli.ts';

describe('numbers for people', () => {
  it('keeps 4 significant digits, integers as they are, tiny ones in exponent form', () => {
    expect(forPeople(0.9083333333333333)).toBe('0.9083');
    expect(forPeople(0.2561521530151367)).toBe('0.2562');
    expect(forPeople(1)).toBe('1');
    expect(forPeople(1000)).toBe('1000');
    expect(forPeople(3.1e-7)).toBe('3.1e-7');
    expect(forPeople(-12.345678)).toBe('-12.35');
    expect(roundNumbersIn('final loss 0.2561521530151367 after 1000 epochs, lr 0.01')).toBe('final loss 0.2562 after 1000 epochs, lr 0.01');
  });
});

describe('the result lines', () => {
  it('words a first run and a lock without outputs as what they are, not as errors', () => {
    expect(startReason('never run')).toBe('first run');
    expect(startReason('artifact dataset.json missing')).toBe('no dataset.json in the output folder');
    expect(startReason('params changed: epochs 20 → 30')).toBe('params changed: epochs 20 → 30');
  });

  it("shows a stage's metrics on its done line", () => {
    const line = resultLines();
    expect(line({ type: 'metric', stage: 'evaluate', name: 'accuracy', value: 0.9083333333333333 })).toBeUndefined();
    expect(line({ type: 'stage-done', stage: 'evaluate', durationMs: 1234.5, outputs: {} })).toBe('evaluate: done in 1.23 s (accuracy 0.9083)');
    expect(line({ type: 'artifact', stage: 'data', name: 'd.json', path: '/x', sha256: 'a'.repeat(64), bytes: 2048 })).toBeUndefined();
    expect(resultLines({ verbose: true })({ type: 'artifact', stage: 'data', name: 'd.json', path: '/x', sha256: 'a'.repeat(64), bytes: 2048 })).toBe(
      'data: wrote d.json (2 kB, sha256 aaaaaaaaaaaa)',
    );
  });

  it('draws the live region within the terminal: rows cut to its width, at most half its height', () => {
    const running = new Map(Array.from({ length: 30 }, (_, i) => [`stage-${i}`, { started: 0, current: 500, total: 1000, state: { loss: 0.25615 } }]));
    const region = liveRegion([...running.keys(), 'waiting-one'], running, { done: 0, cached: 0 }, 1500, { columns: 40, rows: 24 }).split('\n');
    expect(region).toHaveLength(12);
    expect(region.every((row) => row.length < 40)).toBe(true);
    expect(region[0]).toBe('stage-0      ██████████░░░░░░░░░░  500…');
    expect(region[10]).toBe('… and 20 more running');
    expect(region[11]).toBe('0 of 31 stages finished (0 cached), 30…');
  });
});

describe('a run into a pipe', () => {
  it('prints result lines, progress every tenth, rounded numbers and a summary; -v adds the files', () => {
    const { dir } = copyPipeline(join(ROOT, 'pipelines', 'perceptron.yaml'));
    const first = rxlab(['run', 'perceptron.yaml'], { cwd: dir });
    expect(first.status).toBe(0);
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.endsWith(': started (first run)'))).toHaveLength(8);
    expect(lines.filter((l) => l.startsWith('train: ') && /^train: \d+\/1000 loss /.test(l))).toHaveLength(11);
    expect(lines).toContain('train: final loss 0.2562 after 1000 epochs');
    expect(lines).toContain('evaluate: red: probability 0.9424, class 1');
    expect(lines).toContain('evaluate: black: probability 0.05055, class 0');
    expect(lines.some((l) => l.includes(' wrote '))).toBe(false);
    expect(lines.slice(-3)).toEqual([
      expect.stringMatching(/^run completed in [\d.]+ s \(8 ran, 0 cached\); artifacts in outputs\/perceptron$/),
      'lock perceptron.lock.json written',
      'metrics: train.loss 0.2562, evaluate.accuracy 1',
    ]);
    // Full precision stays in the artifacts.
    const predictions = JSON.parse(readFileSync(join(dir, 'outputs', 'perceptron', 'evaluate', 'predictions.json'), 'utf8'));
    // Full precision stays in the artifacts: PyTorch's probability for the red point, to the last float32 bit.
    const torch = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'train-reference.json'), 'utf8')).train.probs[0] as number;
    expect(predictions[0].probability).toBe(torch);

    const verbose = rxlab(['run', 'perceptron.yaml', '--force', 'data', '-v'], { cwd: dir });
    expect(verbose.stdout).toMatch(/^data: wrote dataset\.json \([\d.]+ kB, sha256 [0-9a-f]{12}\)$/m);
    expect(verbose.stdout).toMatch(/^run completed in [\d.]+ s \(1 ran, 7 cached\); artifacts in outputs\/perceptron\nlock perceptron\.lock\.json unchanged\n/m);
  });

  it('check prints its table first, and the run only with -v', () => {
    const { dir } = copyPipeline(join(ROOT, 'pipelines', 'xor-mlp.yaml'), join(ROOT, 'pipelines', 'xor-mlp.lock.json'));
    const quiet = rxlab(['check', 'xor-mlp.yaml'], { cwd: dir });
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout.split('\n')[0]).toBe('check xor-mlp against xor-mlp.lock.json');
    const verbose = rxlab(['check', 'xor-mlp.yaml', '-v'], { cwd: dir });
    const [header, ...log] = verbose.stderr.split('\n');
    expect(header).toMatch(/^check: running xor-mlp from scratch in /);
    // data and model have no inputs: they start together, in either order.
    expect(log.slice(0, 2).sort()).toEqual(['data: started', 'model: started']);
    expect(verbose.stdout).toBe(quiet.stdout);
  });
});

describe("a sweep's long trials", () => {
  it('tell their progress at each tenth of a stage, at most every 2 s', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const told: WorkerMessage[] = [];
      const report = progressReporter((m) => told.push(m));
      const progress = (current: number) => report({ type: 'progress', stage: 'train', current, total: 1000, state: { loss: 1 / current } });
      progress(100);
      vi.advanceTimersByTime(2500);
      progress(150); // same tenth as 100
      progress(200);
      progress(300); // within 2 s of the last
      vi.advanceTimersByTime(2500);
      progress(400);
      expect(told).toEqual([
        { type: 'progress', text: 'train 200/1000 loss 0.005' },
        { type: 'progress', text: 'train 400/1000 loss 0.0025' },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
