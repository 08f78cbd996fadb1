/** `rxlab sweep FILE --grid stage.param=v1,v2 …`: runs the sweep (src/sweep/sweep.ts) and prints its table. */
import { dirname, join, resolve } from 'node:path';
import { QueueLauncher, QueueUnavailableError } from '../queue/launcher.ts';
import { QueueConfigError, redactUrl, resolveQueueUrl } from '../queue/url.ts';
import { projectRoot } from '../engine/index.ts';
import { resolveStage } from '../stages/registry.ts';
import { describeBest, summaryTable } from '../sweep/summary.ts';
import { runSweep, type SweepOptions } from '../sweep/sweep.ts';
import type { LiveView } from '../report/index.ts';
import { shown } from '../util/paths.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import { UsageError, type ParsedArgs } from './options.ts';
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
  let swept;
  try {
    swept = await untilInterrupted((signal) =>
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
        metric: args.metric,
        direction: args.direction,
        out: args.out,
        signal,
        report: say,
        launcher: queued(file, args),
        ...(view ? { live: view.publish } : {}),
      }),
    );
  } catch (err) {
    if (err instanceof QueueConfigError) throw new UsageError(err.message);
    if (!(err instanceof QueueUnavailableError)) throw err;
    say(`sweep stopped: ${err.message}; finished trials are kept, and the same command resumes the sweep once the queue is back`);
    return EXIT.failed;
  }
  const { dir, summary, charts = [], error } = swept;
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

/**
 * The queue's launcher when the sweep is queued (`--queue URL`, `--queue-file FILE`, or the
 * file's `sweep.queue`); undefined for local worker processes.
 */
function queued(file: string, args: ParsedArgs): SweepOptions['launcher'] {
  return ({ queue }) => {
    if (args.queue === undefined && args.queueFile === undefined && queue === undefined) return undefined;
    const url = resolveQueueUrl({ url: args.queue ?? queue, file: args.queueFile, env: process.env });
    return { launcher: new QueueLauncher({ url, root: projectRoot(dirname(resolve(file))) }), where: `on the queue ${redactUrl(url)}` };
  };
}
