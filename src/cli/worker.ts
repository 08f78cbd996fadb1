/**
 * `rxlab worker --queue URL [--concurrency N]`: takes the trials of queued sweeps
 * (`rxlab sweep FILE --queue URL`) and runs them from this checkout, each exactly as a
 * local trial runs (`runTrial`, the same code as `rxlab run FILE --set … --out DIR`),
 * until stopped (Ctrl-C or SIGTERM: a running trial goes back to the queue). With
 * `--concurrency N` it starts N worker processes, one trial each at a time: trials never
 * share a process, as they never do in a local sweep.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { renderOnThisThread } from '../charts/render.ts';
import { projectRoot } from '../engine/index.ts';
import { QueueConfigError, redactUrl, resolveQueueUrl } from '../queue/url.ts';
import { startQueueWorker, type RunTrial } from '../queue/worker.ts';
import { resolveStage } from '../stages/registry.ts';
import { runTrial } from '../sweep/worker.ts';
import { rxlabRoot } from '../version.ts';
import { EXIT } from './exit.ts';
import { UsageError, type ParsedArgs } from './options.ts';

export async function workerCommand(args: ParsedArgs): Promise<number> {
  let url: string;
  try {
    url = resolveQueueUrl({ url: args.queue, file: args.queueFile, env: process.env });
  } catch (err) {
    if (err instanceof QueueConfigError) throw new UsageError(err.message);
    throw err;
  }
  return args.concurrency > 1 ? workerProcesses(url, args.concurrency) : serve(url);
}

/** One worker in this process, until a signal stops it. */
async function serve(url: string): Promise<number> {
  // As a local sweep's trial worker does: charts on this thread, not one more per trial.
  renderOnThisThread();
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => controller.abort());
  const root = projectRoot(process.cwd());
  const worker = startQueueWorker({
    url,
    root,
    signal: controller.signal,
    log: (line) => void process.stdout.write(`${line}\n`),
    runTrial: queuedTrial,
  });
  await worker.ready;
  process.stdout.write(`worker ${worker.name} takes trials from ${redactUrl(url)}; Ctrl-C stops it (a running trial goes back to the queue)\n`);
  await worker.closed;
  return EXIT.ok;
}

/**
 * How `rxlab worker` runs a queued trial: as a local sweep's trial runs (`runTrial`), but kept
 * off this checkout's record: the sweep's coordinator records it, with its folder there.
 */
export const queuedTrial: RunTrial = async ({ file, overrides, outDir }, signal) => {
  const { status, error } = await runTrial({ file, overrides: [...overrides], outDir, record: false }, resolveStage, signal, () => undefined);
  return { status, ...(error ? { error } : {}) };
};

/** `count` worker processes (the URL handed over in REDIS_URL, never on a command line); a signal is passed on to each. */
function workerProcesses(url: string, count: number): Promise<number> {
  const children = Array.from({ length: count }, () =>
    fork(join(rxlabRoot(), 'bin', 'rxlab.js'), ['worker'], { env: { ...process.env, REDIS_URL: url }, stdio: 'inherit', execArgv: [] }),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => children.forEach((c) => c.kill(signal)));
  return Promise.all(children.map((c) => new Promise<number>((resolve) => c.on('exit', (code) => resolve(code ?? EXIT.failed))))).then((codes) =>
    Math.max(...codes),
  );
}
