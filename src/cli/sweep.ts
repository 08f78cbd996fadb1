/** `rxlab sweep FILE --grid stage.param=v1,v2 …`: runs the sweep (src/sweep/sweep.ts) and prints its table. */
import { join } from 'node:path';
import { resolveStage } from '../stages/registry.ts';
import { summaryTable } from '../sweep/summary.ts';
import { runSweep } from '../sweep/sweep.ts';
import { shown } from '../util/paths.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import type { ParsedArgs } from './options.ts';
import { formatTable } from './table.ts';

export async function sweepCommand(file: string, args: ParsedArgs): Promise<number> {
  const say = (text: string): void => void process.stdout.write(`${text}\n`);
  const { dir, summary, error } = await untilInterrupted((signal) =>
    runSweep(file, {
      resolve: resolveStage,
      grid: args.grid,
      set: args.set,
      random: args.random,
      seed: args.seed,
      jobs: args.jobs,
      oversubscribe: args.oversubscribe,
      maxMemory: args.maxMemory,
      failFast: args.failFast,
      out: args.out,
      signal,
      report: say,
    }),
  );
  if (!summary) {
    say(`sweep failed: ${error}`);
    return EXIT.failed;
  }
  const [header, ...rows] = summaryTable(summary);
  say(`\n${formatTable(header, rows)}`);
  const failed = summary.trials.filter((t) => t.status !== 'completed').length;
  const drew = summary.trials.some((t) => t.finalLoss !== undefined) ? ', charts final-loss.svg and loss-curves.svg' : '';
  say(`${summary.trials.length - failed} of ${summary.trials.length} trials completed; summary in ${shown(join(dir, 'sweep.json'))}${drew}`);
  return failed === 0 ? EXIT.ok : EXIT.failed;
}
