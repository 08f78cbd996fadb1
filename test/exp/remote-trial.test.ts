/**
 * A trial that ran on another machine (a queued trial) put on record on the machine that
 * swept (src/exp/record.ts's recordRemoteTrial): from the run.json its worker wrote into the
 * trial's folder, as the run would have recorded itself.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAndPlan, runMetrics, runPipeline } from '../../src/engine/index.ts';
import { readRecords } from '../../src/exp/history.ts';
import { recordRemoteTrial } from '../../src/exp/record.ts';
import { resolveStage } from '../../src/stages/registry.ts';
import { ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/engine.ts';

/** A project of its own holding the perceptron, and one trial of it run into `trial` unrecorded, as a queue's worker runs it. */
async function trialOfAProject(overrides: string[]) {
  const project = tempDir();
  writeFileSync(join(project, 'package.json'), '{"type": "module"}\n');
  mkdirSync(join(project, 'pipelines'));
  const file = join(project, 'pipelines', 'perceptron.yaml');
  cpSync(join(ROOT, 'pipelines', 'perceptron.yaml'), file);
  const trial = tempDir();
  const { manifest } = await runPipeline(file, { resolve: resolveStage, set: overrides, out: trial });
  const plan = await loadAndPlan(file, { resolve: resolveStage, set: overrides });
  return { project, plan, trial, manifest };
}

describe('a trial run on another machine', () => {
  it('is recorded in the sweep\'s history from its run.json, with its folder here and the worker it ran on; its report is written beside it', async () => {
    const { project, plan, trial, manifest } = await trialOfAProject(['train.optimizer.lr=0.05', 'train.epochs=50']);
    expect(existsSync(join(trial, 'report.html'))).toBe(false);
    const warnings: string[] = [];
    await recordRemoteTrial(plan, trial, { host: 'gpu-box-2', pid: 48211 }, { sweep: { dir: join(project, 'sweep'), trial: 'trial-001' }, git: null, onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual([]);
    const { records } = readRecords(join(project, 'outputs', 'perceptron', '.history'));
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({
      kind: 'trial',
      name: 'epochs=50,lr=0.05',
      overrides: ['train.optimizer.lr=0.05', 'train.epochs=50'],
      status: manifest.status,
      startedAt: manifest.startedAt,
      host: 'gpu-box-2',
      pid: 48211,
      outDir: trial,
      sweep: { dir: join(project, 'sweep'), trial: 'trial-001' },
      metrics: runMetrics(manifest),
    });
    expect(record.status).toBe('completed');
    expect(record.artifacts['train/history.json']).toBe(manifest.stages.train.artifacts['history.json'].sha256);
    expect(readFileSync(join(trial, 'report.html'), 'utf8')).toContain('epochs=50,lr=0.05');
  });

  it('without a readable run.json is not recorded, and the caller is told why', async () => {
    const { project, plan, trial } = await trialOfAProject(['train.epochs=20']);
    for (const damage of [() => rmSync(join(trial, 'run.json')), () => writeFileSync(join(trial, 'run.json'), '{"status": "compl')]) {
      damage();
      const warnings: string[] = [];
      await recordRemoteTrial(plan, trial, { host: 'h', pid: 1 }, { sweep: { dir: project, trial: 'trial-001' }, git: null, onWarning: (w) => warnings.push(w) });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(new RegExp(`^the trial in ${trial} was not recorded: its run.json could not be read \\(.+\\)$`));
    }
    expect(existsSync(join(project, 'outputs', 'perceptron', '.history'))).toBe(false);
  });
});
