/**
 * A sweep's coordinator in a process of its own, for the test that kills it: runs the
 * trials in RXLAB_TEST_SWEEP (JSON: file, trials, their folders) through the queue at
 * REDIS_URL, printing each progress line.
 */
import { QueueLauncher } from '../../src/queue/launcher.ts';
import type { Trial } from '../../src/sweep/grid.ts';

const { file, root, trials, dirs } = JSON.parse(process.env.RXLAB_TEST_SWEEP ?? '{}') as { file: string; root: string; trials: Trial[]; dirs: Record<string, string> };
const launcher = new QueueLauncher({ url: process.env.REDIS_URL ?? '', root });
const outcomes = await launcher.run(trials, {
  file,
  dirOf: (t) => dirs[t.id],
  failFast: false,
  signal: new AbortController().signal,
  report: (line) => void process.stdout.write(`${line}\n`),
});
await launcher.close();
process.stdout.write(`${outcomes.map((o) => o.status).join(' ')}\n`);
process.exit(0);
