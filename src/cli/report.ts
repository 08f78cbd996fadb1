/**
 * `rxlab report FILE [RUN…]`: writes a report again from the record — the latest run's
 * `report.html`, RUN's, or a sweep's (RUN is then its folder) — or, given several RUNs, a
 * page that sets them side by side, `outputs/<name>/compare.html`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EnvironmentError, pipelineSpace } from '../engine/index.ts';
import type { RunRecord } from '../exp/history.ts';
import { writeCompareReport, writeRunReport } from '../exp/report.ts';
import { findRun, openHistory, type History } from '../exp/runs.ts';
import { resolveStage } from '../stages/registry.ts';
import { writeSweepReport } from '../sweep/report.ts';
import { SWEEP_FILE, trialLosses, type SweepSummary } from '../sweep/summary.ts';
import { shown } from '../util/paths.ts';
import { EXIT } from './exit.ts';
import type { ParsedArgs } from './options.ts';

const say = (text: string): void => void process.stdout.write(`${text}\n`);

export async function reportCommand(file: string, args: ParsedArgs): Promise<number> {
  const history = await openHistory(file, resolveStage);
  const space = pipelineSpace(history.plan.pipeline);
  const [first, ...more] = args.args;
  const sweep = first === undefined || more.length > 0 ? undefined : sweepFolder(first, space);
  if (sweep) {
    const summary = JSON.parse(await readFile(join(sweep, SWEEP_FILE), 'utf8')) as SweepSummary;
    say(`report of the sweep in ${shown(sweep)}: ${shown(await writeSweepReport(sweep, summary, await trialLosses(summary)))}`);
    return EXIT.ok;
  }
  const runs = first === undefined ? [latestWithOutputs(history)] : args.args.map((ref) => findRun(history, ref));
  for (const run of runs) {
    if (run.status === 'running') throw new EnvironmentError(`run ${run.id} (${run.name}) is still running; it writes its report when it ends`, 1);
  }
  if (runs.length === 1) {
    const [run] = runs;
    const written = await writeRunReport(run);
    if (!written) throw new EnvironmentError(`run ${run.id} (${run.name}) is a check: its outputs were in a temporary folder, and there is nothing to report but its record`, 2);
    say(`report of run ${run.id} (${run.name}): ${shown(written)}`);
    return EXIT.ok;
  }
  const page = join(space, 'compare.html');
  await writeCompareReport(runs, page);
  say(`${runs.map((r) => `${r.name} (${r.id})`).join(', ')} side by side: ${shown(page)}`);
  return EXIT.ok;
}

/** `ref` as a sweep's folder (given as a path, or inside the pipeline's space), when it is one. */
function sweepFolder(ref: string, space: string): string | undefined {
  return [resolve(ref), join(space, ref)].find((dir) => existsSync(join(dir, SWEEP_FILE)));
}

/** The latest run that has a folder of outputs (a check has none). */
function latestWithOutputs(history: History): RunRecord {
  const run = history.records.filter((r) => r.outDir !== undefined).at(-1);
  if (!run) throw new EnvironmentError(`${history.plan.pipeline.name} has no run on record to report; run it first (rxlab run ${shown(history.plan.pipeline.file)})`, 1);
  return run;
}
