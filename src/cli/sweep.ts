/** `rxlab sweep FILE --grid stage.param=v1,v2 …`: runs the sweep (src/sweep/sweep.ts) and prints its table. */
import { join } from 'node:path';
import { resolveStage } from '../stages/registry.ts';
import { describeBest, summaryTable } from '../sweep/summary.ts';
import { runSweep } from '../sweep/sweep.ts';
import type { LiveView } from '../report/index.ts';
import { shown } from '../util/paths.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import type { ParsedArgs } from './options.ts';
import { closeLiveView, openLiveView } from './live.ts';
import { formatTable } from './table.ts';

export async function sweepCommand(file: string, args: ParsedArgs): Promise<number> {
  const view = args.serve !== undefined ? await openLiveView(file, args.serve) : undefined;
  try {
    return await sweep(file, args, view);
  } finally {
    await closeLiveView(view);
  }
}

async function sweep(file: string, args: ParsedArgs, view: LiveView | undefined): Promise<number> {
  const say = (text: string): void => void process.stdout.write(`${text}\n`);
  if (view) say(`live view: ${view.url}`);
  const { dir, summary, charts = [], error } = await untilInterrupted((signal) =>
    runSweep(file, {
      resolve: resolveStage,
      grid: args.grid,
      set: args.set,
      random: args.random,
      seed: args.seed,
      jobs: args.jobs,
      failFast: args.failFast,
      metric: args.metric,
      direction: args.direction,
      out: args.out,
      signal,
      report: say,
      ...(view ? { live: view.publish } : {}),
    }),
  );
  if (!summary) {
    say(`sweep failed: ${error}`);
    return EXIT.failed;
  }
  const [header, ...rows] = summaryTable(summary);
  say(`\n${formatTable(header, rows)}`);
  const best = describeBest(summary);
  if (best) say(`best: ${best}`);
  const failed = summary.trials.filter((t) => t.status !== 'completed').length;
  say(`${summary.trials.length - failed} of ${summary.trials.length} trials completed; summary in ${shown(join(dir, 'sweep.json'))}${charts.length ? `, charts ${charts.join(' and ')}` : ''}, report ${shown(join(dir, 'report.html'))}`);
  return failed === 0 ? EXIT.ok : EXIT.failed;
}
