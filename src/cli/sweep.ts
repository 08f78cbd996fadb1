/**
 * `rxlab sweep FILE --grid stage.param=v1,v2 …`: every combination of the grid (or the
 * file's `sweep:` block) as its own trial. Stages no swept param reaches run once and are
 * shared; trials run in up to --jobs long-lived worker processes, each running trial
 * after trial (src/sweep/trials.ts); a failed trial is reported and the others finish
 * (unless --fail-fast). Re-running the same sweep reuses what finished.
 */
import { join, resolve } from 'node:path';
import { hashValue } from '../util/canonical.ts';
import { PipelineInputError, type Diagnostic } from '../engine/errors.ts';
import { loadPipeline } from '../engine/load/load.ts';
import { planPipeline } from '../engine/plan/plan.ts';
import { expandGrid, parseGridArg, SweepSpecError, type Grid } from '../sweep/grid.ts';
import { runShared, seedTrial } from '../sweep/prepare.ts';
import { sharedStages } from '../sweep/shared.ts';
import { summarise, summaryTable, writeSummary } from '../sweep/summary.ts';
import { TrialPool } from '../sweep/trials.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import { UsageError, type ParsedArgs } from './options.ts';
import { shown } from './paths.ts';
import { formatTable } from './table.ts';

export async function sweepCommand(file: string, args: ParsedArgs): Promise<number> {
  const pipeline = await loadPipeline(file);
  let grid: Grid | undefined;
  try {
    grid = args.grid.length > 0 ? Object.fromEntries(args.grid.map(parseGridArg)) : pipeline.sweep?.grid;
    if (!grid) throw new SweepSpecError(`nothing to sweep: give --grid STAGE.PARAM=V1,V2,… or add a sweep: block to ${file}`);
  } catch (err) {
    if (err instanceof SweepSpecError) throw new UsageError(err.message);
    throw err;
  }
  const random = args.random ?? pipeline.sweep?.random;
  const seed = args.seed ?? pipeline.sweep?.seed ?? 0;
  const trials = expandGrid(grid, { random, seed });
  // The workers start now: their start overlaps checking the trials and running the shared stages.
  const pool = new TrialPool(Math.min(args.jobs, trials.length));
  try {
    await checkTrials(file, trials.map((t) => t.overrides));

    const plan = planPipeline(pipeline);
    const shared = sharedStages(plan, new Set(Object.keys(grid).map((k) => k.split('.')[0])));
    const dir = resolve(args.out ?? join('outputs', pipeline.name, `sweep-${hashValue({ grid, random, seed }).slice(0, 10)}`));
    const say = (text: string): void => void process.stdout.write(`${text}\n`);
    say(`sweep ${pipeline.name}: ${trials.length} trials, ${args.jobs} at a time, in ${shown(dir)}`);
    say(shared.length ? `shared by every trial (run once): ${shared.join(', ')}` : 'no stage is shared: every stage depends on a swept param');

    return await untilInterrupted(async (signal) => {
      const sharedDir = join(dir, 'shared');
      if (shared.length > 0) {
        const { manifest, lock } = await runShared(plan, shared, sharedDir, signal, (e) => {
          if (e.type === 'stage-cached' || e.type === 'stage-done') say(`shared ${e.stage}: ${e.type === 'stage-cached' ? 'cached' : 'done'}`);
        });
        if (!lock) {
          say(`sweep ${manifest.status}: the shared stages did not complete: ${manifest.error}`);
          return EXIT.failed;
        }
        for (const trial of trials) await seedTrial(join(dir, trial.id), sharedDir, lock);
      }
      const outcomes = await pool.run(trials, { file, dirOf: (t) => join(dir, t.id), failFast: args.failFast, signal, report: say });
      const { summary, losses } = await summarise(pipeline.name, grid, shared, outcomes);
      await writeSummary(dir, summary, losses);
      const [header, ...rows] = summaryTable(summary);
      say(`\n${formatTable(header, rows)}`);
      const failed = summary.trials.filter((t) => t.status !== 'completed').length;
      say(`${summary.trials.length - failed} of ${summary.trials.length} trials completed; summary in ${shown(join(dir, 'sweep.json'))}, charts final-loss.svg and loss-curves.svg`);
      return failed === 0 ? EXIT.ok : EXIT.failed;
    });
  } finally {
    await pool.close();
  }
}

/** Loads the pipeline with each trial's overrides first, so a bad value is reported (all at once) before anything runs. */
async function checkTrials(file: string, overrideSets: string[][]): Promise<void> {
  const seen = new Map<string, Diagnostic>();
  for (const overrides of overrideSets) {
    try {
      await loadPipeline(file, { overrides });
    } catch (err) {
      if (!(err instanceof PipelineInputError)) throw err;
      for (const d of err.diagnostics) seen.set(JSON.stringify(d), d);
    }
  }
  if (seen.size > 0) throw new PipelineInputError([...seen.values()]);
}
