/**
 * The worker side of a queued sweep (`rxlab worker --queue URL`): a BullMQ worker that
 * takes trial jobs, checks each (its payload against the protocol's schema, its hashes
 * against this checkout), lays the trial's folder out in a fresh temporary folder, runs
 * the trial there with the `runTrial` it is given, and sends back the files the run
 * changed. It needs no file system shared with the coordinator.
 *
 * Stopping: aborting `signal` (the CLI's SIGTERM/SIGINT) interrupts the running trials
 * and hands their jobs back to the queue (BullMQ's `moveToWait`), where another worker
 * takes them; then the worker exits. A worker killed outright (SIGKILL, a lost machine)
 * stops renewing its jobs' locks: once a lock expires (`lockDuration`) another worker's
 * stalled-job check (every `stalledInterval`) puts the job back in the queue.
 *
 * A sweep being cancelled sets its cancel key (protocol.ts); a worker polls it while it
 * runs a trial of that sweep, and interrupts the trial through BullMQ's own job
 * cancellation (`worker.cancelJob`), then reports it `interrupted`.
 */
import { realpath } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { dropConnections } from './connections.ts';
import { download, fileKeys, TrialFolder, upload } from './files.ts';
import { checkoutIdentity, identityDifferences, type IdentityOf } from './identity.ts';
import {
  cancelKey,
  DEFAULT_MAX_RESULT_BYTES,
  JOB_NAME,
  jobProblem,
  KEY_TTL_SECONDS,
  overrideProblem,
  PREFIX,
  PROTOCOL,
  QUEUE_NAME,
  resultKey,
  seedKey,
  type TrialJob,
  type TrialJobResult,
} from './protocol.ts';
import { connectionOptions, redactor, redactUrl } from './url.ts';

/** What a worker asks `runTrial` to do: `rxlab run FILE --set … --out DIR`. */
export interface TrialRequest {
  /** The pipeline file, absolute, inside the worker's checkout. */
  file: string;
  overrides: readonly string[];
  /** A fresh temporary folder holding the trial's folder as the coordinator sent it. */
  outDir: string;
}

export interface TrialRunResult {
  status: 'completed' | 'failed' | 'interrupted';
  /** Why it did not complete, as `rxlab run` would say it. */
  error?: string;
}

/** Runs one trial into `request.outDir`; stops (resolving `interrupted`) when `signal` aborts. */
export type RunTrial = (request: TrialRequest, signal: AbortSignal) => Promise<TrialRunResult>;

/** Stall recovery, as rxlab sets BullMQ's options; see the README's "Sweeping on many machines". */
export const STALL_DEFAULTS = {
  /** A job's lock lives this long unless renewed (every half of it, while the worker's event loop runs). */
  lockDuration: 30_000,
  /** How often a worker looks for jobs whose lock expired and puts them back in the queue. */
  stalledInterval: 15_000,
  /** A job that stalls more often than this fails (a trial that kills every worker it runs on). */
  maxStalledCount: 2,
} as const;

export interface QueueWorkerOptions {
  url: string;
  runTrial: RunTrial;
  /** Trials run at once in this process (BullMQ's `concurrency`); default 1. */
  concurrency?: number;
  /** This checkout's identity for a pipeline file; default `checkoutIdentity(root)`. */
  identity?: IdentityOf;
  /** The checkout jobs' pipeline files are relative to; default the current folder. */
  root?: string;
  /** Aborting it stops the worker: running trials go back to the queue. */
  signal?: AbortSignal;
  /** A line for the user (credentials already redacted). */
  log?: (line: string) => void;
  /** Shown to the coordinator; default `host:pid`. */
  name?: string;
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
  /** The most a trial may send back (the files its run changed), and bring (its folder), in bytes. */
  maxResultBytes?: number;
  /** How often a running trial's sweep is checked for cancellation. */
  cancelPollMs?: number;
}

export interface QueueWorker {
  /** `host:pid`, or the name given. */
  name: string;
  /** Resolves once connected and listening for jobs. */
  ready: Promise<void>;
  /** Resolves once the worker has stopped (after `signal` aborts). */
  closed: Promise<void>;
}

/** Why a trial's signal was aborted. */
const STOPPING = 'the worker is stopping';
const CANCELLED = 'the sweep was cancelled';

const size = (bytes: number): string => (bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/** Starts a worker that runs trial jobs until `signal` aborts. */
export function startQueueWorker(options: QueueWorkerOptions): QueueWorker {
  const { url, runTrial, signal } = options;
  const root = resolve(options.root ?? process.cwd());
  const identity = options.identity ?? checkoutIdentity(root);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const maxResultBytes = options.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
  const cancelPollMs = options.cancelPollMs ?? 250;
  const redact = redactor(url);
  const log = (line: string): void => (options.log ?? ((l: string) => void process.stderr.write(`${l}\n`)))(redact(line));
  const connection = connectionOptions(url);
  // The worker waits out a Redis restart: its commands queue until the connection is back.
  const redis = new Redis({ ...connection, maxRetriesPerRequest: null });
  let lastError = '';
  const reportError = (err: Error): void => {
    const text = redact(err.message);
    if (text !== lastError) log(`worker ${name}: ${redactUrl(url)}: ${text}`);
    lastError = text;
  };
  redis.on('error', reportError);
  redis.on('ready', () => (lastError = ''));

  /** Trial folders between trials (one per trial running at once, at most). */
  const idleFolders: TrialFolder[] = [];
  let stopped = false;

  const processor = async (job: Job, token?: string, jobSignal?: AbortSignal): Promise<TrialJobResult> => {
    const problem = job.name !== JOB_NAME ? `its name is "${job.name}", not "${JOB_NAME}"` : jobProblem(job.data);
    if (problem) throw refuse(`refused job ${job.id}: not an rxlab trial (${problem})`);
    const data = job.data as TrialJob;
    const label = `${data.trial} of sweep ${data.sweep}`;
    const unsafe = data.overrides.map(overrideProblem).find(Boolean);
    if (unsafe) throw refuse(`refused ${label}: ${unsafe}`);
    const file = await pipelineIn(root, data.file);
    if (typeof file !== 'string') throw refuse(`refused ${label}: ${file.problem}`);
    const seedBytes = data.seed.reduce((sum, f) => sum + f.bytes, 0);
    if (seedBytes > maxResultBytes) throw refuse(`refused ${label}: its folder is ${size(seedBytes)}, more than the ${size(maxResultBytes)} a trial may bring (maxResultBytes)`);
    const differences = identityDifferences(data.identity, await identity(data.file), data.file);
    if (differences.length > 0) {
      throw refuse(`worker ${name} refused ${data.trial}: its checkout (${root}) differs from the coordinator's in ${differences.join('; ')}; run the same commit, built alike, on both`);
    }

    const folder = idleFolders.pop() ?? (await TrialFolder.create());
    let reusable = false;
    const poll = setInterval(() => {
      redis.exists(cancelKey(data.sweep)).then(
        (set) => set && worker.cancelJob(job.id!, CANCELLED),
        () => undefined, // Redis unreachable: the next poll tries again
      );
    }, cancelPollMs);
    try {
      // Whether the sweep was stopped before this trial began is asked while its folder is laid out.
      const [cancelled] = await Promise.all([redis.exists(cancelKey(data.sweep)), folder.become(data.seed, (missing) => download(redis, missing, (f) => seedKey(data.sweep, f.sha256)))]);
      if (cancelled) {
        reusable = true;
        return { protocol: PROTOCOL, status: 'not run', error: CANCELLED, durationMs: 0, worker: name, files: data.seed };
      }
      job.updateProgress({ worker: name }).catch(() => undefined); // only tells the coordinator where the trial runs
      log(`${name}: ${label}: started (${data.file}${data.overrides.length ? ` --set ${data.overrides.join(' --set ')}` : ''})`);
      const started = performance.now();
      const outcome = await runTrial({ file, overrides: data.overrides, outDir: folder.dir }, jobSignal ?? new AbortController().signal);
      const durationMs = performance.now() - started;
      clearInterval(poll);
      if (jobSignal?.aborted && jobSignal.reason === STOPPING) {
        // Hand the job back untouched: another worker (or this one, restarted) runs it.
        await job.moveToWait(token);
        log(`${name}: ${label}: handed back to the queue`);
        throw new WaitingError();
      }
      const files = await folder.list();
      reusable = true;
      const seeded = fileKeys(data.seed);
      const changed = files.filter((f) => !seeded.has(`${f.path} ${f.sha256}`));
      const bytes = changed.reduce((sum, f) => sum + f.bytes, 0);
      if (bytes > maxResultBytes) {
        const biggest = [...changed].sort((a, b) => b.bytes - a.bytes)[0];
        throw refuse(
          `${data.trial}: its results are ${size(bytes)}, more than the ${size(maxResultBytes)} a trial may send back through the queue (the largest file, ${biggest.path}, is ${size(biggest.bytes)}); raise maxResultBytes on the workers, or run this sweep locally`,
        );
      }
      await upload(redis, folder.dir, changed, (f) => resultKey(job.id!, f.sha256), KEY_TTL_SECONDS);
      log(`${name}: ${label}: ${outcome.status} in ${(durationMs / 1000).toFixed(1)} s; sent ${changed.length} files (${size(bytes)})`);
      return { protocol: PROTOCOL, status: outcome.status, ...(outcome.error ? { error: outcome.error } : {}), durationMs, worker: name, files };
    } finally {
      clearInterval(poll);
      // A folder whose content is known (listed after its run) serves the next trial; any other is removed.
      if (reusable && !stopped) idleFolders.push(folder);
      else await folder.remove();
    }
  };

  /** A job this worker will not run, or whose results it cannot send: failed for good (no retry elsewhere would differ). */
  const refuse = (message: string): UnrecoverableError => new UnrecoverableError(message);

  const worker = new Worker(QUEUE_NAME, processor, {
    connection,
    prefix: PREFIX,
    name,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDuration ?? STALL_DEFAULTS.lockDuration,
    stalledInterval: options.stalledInterval ?? STALL_DEFAULTS.stalledInterval,
    maxStalledCount: options.maxStalledCount ?? STALL_DEFAULTS.maxStalledCount,
    autorun: false,
  });
  worker.on('error', reportError);
  worker.on('failed', (job, err) => log(`${name}: job ${job?.id ?? '?'} failed: ${err.message}`));

  const ready = Promise.all([worker.waitUntilReady(), redis.status === 'ready' ? undefined : new Promise((r) => redis.once('ready', r))]).then(() => undefined);
  const closed = new Promise<void>((resolveClosed) => {
    const stop = (): void => {
      stopped = true;
      worker.cancelAllJobs(STOPPING);
      // With Redis away, BullMQ's close would wait for it (to hand the jobs back) for ever:
      // then the connections are dropped, and the jobs come back by stall recovery.
      let unreachableFor = 0;
      const watch = setInterval(() => {
        unreachableFor = redis.status === 'ready' ? 0 : unreachableFor + 100;
        if (unreachableFor < 3000) return;
        dropConnections([worker]);
        redis.disconnect();
        done();
      }, 100);
      const done = (): void => {
        clearInterval(watch);
        void Promise.all(idleFolders.splice(0).map((f) => f.remove())).then(() => resolveClosed());
      };
      void worker
        .close()
        .catch(reportError)
        .then(() => redis.quit())
        .catch(() => redis.disconnect())
        .then(done);
    };
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
  void worker.run().catch(reportError);
  return { name, ready, closed };
}

/** The job's pipeline file in this checkout, or why it cannot be run: it must exist and stay inside `root`, links resolved. */
async function pipelineIn(root: string, file: string): Promise<string | { problem: string }> {
  const path = resolve(root, file);
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return { problem: `there is no pipeline ${file} in this worker's checkout (${root}); run the worker in the project's folder` };
  }
  const inside = relative(await realpath(root), real);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return { problem: `${file} leads outside this worker's checkout (${root})` };
  return path;
}
