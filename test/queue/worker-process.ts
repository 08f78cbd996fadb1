/**
 * A queue worker process for the tests, as `rxlab worker` is: `startQueueWorker` with
 * trials run as `rxlab worker` runs them (`queuedTrial`), the
 * queue's URL from REDIS_URL, options as JSON in RXLAB_TEST_WORKER. SIGTERM/SIGINT stop
 * it. It prints `ready` once it listens, then the worker's log lines.
 *
 * The benchmark runs it bundled, as the CLI runs: `rxlabSources` then names the sources
 * its identity must claim, those the coordinator (running them) hashes.
 */
import { renderOnThisThread } from '../../src/charts/render.ts';
import { queuedTrial } from '../../src/cli/worker.ts';
import { hashCode } from '../../src/code-identity.ts';
import { checkoutIdentity } from '../../src/queue/identity.ts';
import { startQueueWorker, type QueueWorkerOptions } from '../../src/queue/worker.ts';

const { rxlabSources, ...options } = JSON.parse(process.env.RXLAB_TEST_WORKER ?? '{}') as Partial<QueueWorkerOptions> & { rxlabSources?: string };
// As a sweep's local trial worker does: charts on this thread, not one more.
renderOnThisThread();
const controller = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => controller.abort());

const root = options.root ?? process.cwd();
const worker = startQueueWorker({
  ...options,
  ...(rxlabSources ? { identity: checkoutIdentity(root, () => hashCode({ dir: rxlabSources, from: 'src' }).hash) } : {}),
  url: process.env.REDIS_URL ?? '',
  signal: controller.signal,
  log: (line) => void process.stdout.write(`${line}\n`),
  runTrial: queuedTrial,
});
await worker.ready;
process.stdout.write(`ready ${worker.name}\n`);
await worker.closed;
process.stdout.write('closed\n');
process.exit(0);
