/**
 * The coordinator side of a queued sweep (`rxlab sweep --queue URL`): the local trial
 * pool's interface (`run(trials, options)`, `close()`), with the trials run by
 * `rxlab worker` processes on any machine instead of local worker processes.
 *
 * Each trial is one BullMQ job whose id is fixed by the sweep and the trial, so running
 * the same sweep again finds the jobs of the last attempt: a result that arrived while
 * no coordinator listened is taken, a job still queued or running is waited for, and
 * anything else is queued again. A job carries the trial's folder as it is here (its
 * seeded shared stages, and whatever an earlier attempt left): a worker lays it out
 * before running, so the stage cache works exactly as in a local trial, and a finished
 * trial queued again comes back at once with everything reused.
 *
 * Results arrive through BullMQ's event stream (QueueEvents, read from the position the
 * stream had before the first job was added, so no event is missed). A result's files
 * are all read and checked (sha256) before the first is written; then each is written
 * atomically. The coordinator holds every trial folder's run lock while it runs, as a
 * local run would, so two coordinators (or a local run) never write the same folder.
 *
 * Stopping (the signal, or the first failure with `failFast`) sets the sweep's cancel
 * key, which running workers poll: they interrupt their trials and send them back
 * `interrupted`. Jobs still waiting are removed (`not run`). Running trials that have
 * not answered after `stopGraceMs` are reported `interrupted` without their files.
 *
 * Redis unreachable for `unreachableAfterMs` (at the start or mid-sweep) ends `run` with
 * a QueueUnavailableError naming the URL (credentials redacted); trials that finished
 * before it are in their folders, no folder is left half-written, and the same sweep
 * run again once Redis is back resumes.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { acquireRunLock, runMetrics, type RunManifest } from '../engine/index.ts';
import type { Trial } from '../sweep/grid.ts';
import type { TrialOutcome, TrialRunOptions, TrialStatus } from '../sweep/trials.ts';
import { dropConnections } from './connections.ts';
import { applyFolder, download, fileKeys, listFolder, TransferError, upload } from './files.ts';
import { checkoutIdentity, type IdentityOf, type TrialIdentity } from './identity.ts';
import {
  cancelKey,
  DEFAULT_MAX_RESULT_BYTES,
  type FileEntry,
  JOB_NAME,
  jobIdOf,
  jobProblem,
  KEY_TTL_SECONDS,
  overrideProblem,
  PREFIX,
  PROTOCOL,
  QUEUE_NAME,
  resultKey,
  resultProblem,
  seedKey,
  type TrialJob,
  type TrialJobResult,
} from './protocol.ts';
import { connectionOptions, QueueConfigError, redactor, redactUrl } from './url.ts';

export interface QueueLauncherOptions {
  url: string;
  /** The checkout the pipeline file is relative to, in the workers' checkouts too; default the current folder. */
  root?: string;
  /** The pipeline's identity; default `checkoutIdentity(root)`. */
  identity?: IdentityOf;
  /** Names the sweep's jobs; default a hash of this host, the pipeline file and the trials' folders. */
  sweepId?: string;
  /** How long Redis may stay unreachable before the sweep gives up. */
  unreachableAfterMs?: number;
  /** After a stop, how long running trials have to come back `interrupted`. */
  stopGraceMs?: number;
  /** The most a trial's folder may weigh when it is sent to a worker. */
  maxSeedBytes?: number;
}

/** Redis could not be reached, or stopped answering, for longer than `unreachableAfterMs`. */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
  constructor(
    message: string,
    /** Every trial as it stands: finished ones as they finished, the rest `not run`. */
    readonly outcomes: TrialOutcome[],
  ) {
    super(message);
  }
}

interface Entry {
  outcome: TrialOutcome;
  label: string;
  jobId: string;
  /** What the job says (apart from its seed, the folder as it was when it was queued). */
  job: Omit<TrialJob, 'seed'>;
  /** pending (not yet in the queue) → queued (in it, waiting or running) → done; `busy` while its result is being taken. */
  state: 'pending' | 'queued' | 'done';
  busy: boolean;
  /** Times it was queued again (a folder that changed under it, a stale result). */
  requeues: number;
  /** The folder as this run sent it (the run holds the folder's lock since): a result for it applies as it is. */
  seed?: FileEntry[];
}

interface Sweep {
  id: string;
  entries: Map<string, Entry>;
  options: TrialRunOptions;
  stopping: boolean;
  settled: boolean;
  resolve: (outcomes: TrialOutcome[]) => void;
  reject: (err: Error) => void;
  /** Seed contents this run uploads (by sha256), to wait for before a job needs them and to delete once every trial is done. */
  seeds: Map<string, Promise<void>>;
  /** Result applications under way: a failing sweep waits for them, so no folder is left half-written. */
  applying: Set<Promise<void>>;
}

const ACTIVE_STATES = new Set(['active', 'waiting', 'wait', 'delayed', 'prioritized', 'waiting-children', 'paused']);
const REMOVABLE_STATES = new Set(['waiting', 'wait', 'delayed', 'prioritized', 'paused']);
const MAX_REQUEUES = 3;

/** Read through a function: a trial can end (a stop) while one of its awaits is pending. */
const isDone = (entry: Entry): boolean => entry.state === 'done';
const labelOf = (trial: Trial): string => `${trial.id} (${trial.overrides.join(', ')})`;
const sameFiles = (a: readonly FileEntry[], b: readonly FileEntry[]): boolean =>
  a.length === b.length && a.every((f, i) => f.path === b[i].path && f.sha256 === b[i].sha256);
const sameJob = (a: Omit<TrialJob, 'seed'>, b: Omit<TrialJob, 'seed'>): boolean =>
  a.protocol === b.protocol && a.file === b.file && JSON.stringify(a.overrides) === JSON.stringify(b.overrides) && sameIdentity(a.identity, b.identity);
const sameIdentity = (a: TrialIdentity, b: TrialIdentity): boolean =>
  a.pipeline === b.pipeline && a.rxlab === b.rxlab && JSON.stringify(Object.entries(a.stages).sort()) === JSON.stringify(Object.entries(b.stages).sort());

/** Runs a sweep's trials through a BullMQ queue; the local TrialPool's interface. */
export class QueueLauncher {
  private readonly url: string;
  private readonly shown: string;
  private readonly redact: (text: string) => string;
  private readonly root: string;
  private readonly identity: IdentityOf;
  private readonly unreachableAfterMs: number;
  private readonly stopGraceMs: number;
  private readonly maxSeedBytes: number;
  private readonly redis: Redis;
  private readonly queue: Queue;
  private events?: QueueEvents;
  private sweep?: Sweep;
  private closed = false;
  /** The last error a Redis client reported, for the message should Redis stay away. */
  private lastError = '';
  private unreachableSince?: number;

  /** Connects at once, so the connection is ready by the time the shared stages have run. */
  constructor(private readonly options: QueueLauncherOptions) {
    this.url = options.url;
    this.shown = redactUrl(options.url);
    this.redact = redactor(options.url);
    this.root = resolve(options.root ?? process.cwd());
    this.identity = options.identity ?? checkoutIdentity(this.root);
    this.unreachableAfterMs = options.unreachableAfterMs ?? 10_000;
    this.stopGraceMs = options.stopGraceMs ?? 5_000;
    this.maxSeedBytes = options.maxSeedBytes ?? DEFAULT_MAX_RESULT_BYTES;
    const connection = connectionOptions(options.url);
    // Commands wait for a lost connection to come back; the watchdog decides when to give up.
    this.redis = new Redis({ ...connection, maxRetriesPerRequest: null });
    this.redis.on('error', (err: Error) => (this.lastError = this.redact(err.message)));
    this.queue = new Queue(QUEUE_NAME, { connection, prefix: PREFIX });
    this.queue.on('error', (err: Error) => (this.lastError = this.redact(err.message)));
  }

  /** Runs every trial; resolves when all have ended (or were stopped), in trial order. Once per launcher. */
  async run(trials: Trial[], options: TrialRunOptions): Promise<TrialOutcome[]> {
    if (this.sweep || this.closed) throw new Error('a queue launcher runs one list of trials');
    const file = this.relativeFile(options.file);
    for (const trial of trials) {
      const unsafe = trial.overrides.map(overrideProblem).find(Boolean);
      if (unsafe) throw new QueueConfigError(unsafe);
    }
    const identity = await this.identity(file);
    const id = this.options.sweepId ?? sweepIdOf(this.root, file, trials.map(options.dirOf));
    const entries = new Map<string, Entry>();
    for (const trial of trials) {
      const job: Omit<TrialJob, 'seed'> = { protocol: PROTOCOL, sweep: id, trial: trial.id, file, overrides: trial.overrides, identity };
      const problem = jobProblem({ ...job, seed: [] });
      if (problem) throw new QueueConfigError(`${trial.id} cannot be sent through the queue: ${problem}`);
      const jobId = jobIdOf(id, trial.id);
      entries.set(jobId, {
        outcome: { trial, outDir: options.dirOf(trial), status: 'not run' },
        label: labelOf(trial),
        jobId,
        job,
        state: 'pending',
        busy: false,
        requeues: 0,
      });
    }
    const releases: (() => Promise<void>)[] = [];
    try {
      const locks = await Promise.allSettled([...entries.values()].map((entry) => acquireRunLock(entry.outcome.outDir)));
      for (const lock of locks) if (lock.status === 'fulfilled') releases.push(lock.value);
      const refused = locks.find((lock) => lock.status === 'rejected');
      if (refused) throw refused.reason;
      return await new Promise<TrialOutcome[]>((resolvePromise, rejectPromise) => {
        const sweep: Sweep = {
          id,
          entries,
          options,
          stopping: false,
          settled: false,
          resolve: resolvePromise,
          reject: rejectPromise,
          seeds: new Map(),
          applying: new Set(),
        };
        this.sweep = sweep;
        const stop = (): void => void this.stop();
        options.signal.addEventListener('abort', stop, { once: true });
        const watchdog = setInterval(() => this.watch(), 100);
        const settle = (): void => {
          clearInterval(watchdog);
          options.signal.removeEventListener('abort', stop);
        };
        sweep.resolve = (outcomes) => (settle(), resolvePromise(outcomes));
        sweep.reject = (err) => (settle(), rejectPromise(err));
        this.unreachableSince = this.redis.status === 'ready' ? undefined : performance.now();
        this.start(sweep).catch((err: unknown) => this.fail(err));
      });
    } finally {
      for (const release of releases) await release();
    }
  }

  /** Closes the connections to Redis; the jobs of a sweep that was not stopped stay queued. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.unreachableSince !== undefined) {
      // Closing politely would wait for a Redis that is not there.
      dropConnections([this.queue, this.events]);
      this.redis.disconnect();
      return;
    }
    const quiet = (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);
    await Promise.all([quiet(this.queue.close()), this.events && quiet(this.events.close()), quiet(this.redis.quit())]);
  }

  /** The pipeline file relative to the checkout, with `/`: workers find it at the same place in theirs. */
  private relativeFile(file: string): string {
    const inside = relative(this.root, resolve(file));
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
      throw new QueueConfigError(`${file} is not inside the project folder ${this.root}; a queued sweep's pipeline must be, so that workers find it in their checkout`);
    }
    return inside.split(sep).join('/');
  }

  private async start(sweep: Sweep): Promise<void> {
    await this.queue.waitUntilReady();
    // Events are read from the stream's position now: nothing that happens to the jobs
    // added (or found) below can be missed.
    const [last] = await this.redis.xrevrange(this.queue.keys.events, '+', '-', 'COUNT', 1);
    this.events = new QueueEvents(QUEUE_NAME, { connection: connectionOptions(this.url), prefix: PREFIX, lastEventId: last?.[0] ?? '0-0' });
    this.events.on('error', (err: Error) => (this.lastError = this.redact(err.message)));
    this.events.on('progress', ({ jobId, data }) => this.onStarted(jobId, data));
    this.events.on('completed', ({ jobId, returnvalue }) => void this.take(jobId, { result: returnvalue }));
    this.events.on('failed', ({ jobId, failedReason }) => void this.onFailed(jobId, failedReason));
    this.events.on('stalled', ({ jobId }) => this.say(jobId, 'its worker stopped answering; the trial is back in the queue for another worker'));
    this.events.on('waiting', ({ jobId, prev }) => prev === 'active' && this.say(jobId, 'handed back to the queue by its worker'));
    await this.events.waitUntilReady();
    // A stop that came while connecting has already set the cancel key: keep it.
    if (sweep.stopping) return this.settle();
    await this.redis.del(cancelKey(sweep.id));
    sweep.options.report(`queue ${this.shown}: sending ${sweep.entries.size} trials (sweep ${sweep.id})`);
    // Every trial's folder is read and sent at once; the jobs are then added in trial order,
    // all together: a coordinator killed once trials run leaves every trial queued, and the
    // workers finish them all (adding each job as its folder was sent started the first
    // trial 60–70 ms sooner, but a coordinator killed meanwhile left later trials unqueued).
    const entries = [...sweep.entries.values()];
    const jobs = await Promise.all(entries.map((entry) => this.prepare(sweep, entry)));
    const ready = entries.flatMap((entry, i) => (jobs[i] && !isDone(entry) ? [{ entry, data: jobs[i] }] : []));
    await this.queue.addBulk(ready.map(({ entry, data }) => ({ name: JOB_NAME, data, opts: { jobId: entry.jobId } })));
    for (const { entry } of ready) await this.queued(entry);
    this.settle();
  }

  /** Queues one trial (again), or adopts the job an earlier attempt left for it. */
  private async submit(sweep: Sweep, entry: Entry): Promise<void> {
    const data = await this.prepare(sweep, entry);
    if (!data || isDone(entry)) return;
    await this.queue.add(JOB_NAME, data, { jobId: entry.jobId });
    await this.queued(entry);
  }

  /**
   * The job to add for a trial, its folder's files uploaded; or nothing, when the job an
   * earlier attempt left is adopted (still queued or running) or taken (finished), or
   * the trial cannot be sent.
   */
  private async prepare(sweep: Sweep, entry: Entry): Promise<TrialJob | undefined> {
    if (entry.state === 'done') return undefined;
    const existing = await Job.fromId(this.queue, entry.jobId);
    if (existing) {
      const state = await existing.getState();
      const data = existing.data as TrialJob;
      if (!jobProblem(data) && sameJob(data, entry.job)) {
        if (ACTIVE_STATES.has(state)) {
          entry.state = 'queued';
          sweep.options.report(`${entry.label}: ${state === 'active' ? 'still running on a worker' : 'still queued'} from an earlier attempt`);
          return undefined;
        }
        if (state === 'completed') {
          entry.state = 'queued';
          await this.take(entry.jobId, { job: existing });
          return undefined;
        }
      }
      if (state === 'active') {
        // Another version of the trial is running (the pipeline changed since): its result
        // will not match, and take() queues the trial again then.
        entry.state = 'queued';
        return undefined;
      }
      await existing.remove();
    }
    const seed = await listFolder(entry.outcome.outDir);
    const bytes = seed.reduce((sum, f) => sum + f.bytes, 0);
    if (bytes > this.maxSeedBytes) {
      this.finish(entry, 'failed', `its folder holds ${(bytes / 2 ** 20).toFixed(1)} MiB, more than the ${(this.maxSeedBytes / 2 ** 20).toFixed(1)} MiB a trial may send to a worker`);
      return undefined;
    }
    // Contents shared by several trials (the shared stages) are sent once; every job waits for all of its own.
    const fresh = seed.filter((f) => !sweep.seeds.has(f.sha256));
    const uploading = upload(this.redis, entry.outcome.outDir, fresh, (f) => seedKey(sweep.id, f.sha256), KEY_TTL_SECONDS);
    for (const f of fresh) sweep.seeds.set(f.sha256, uploading);
    await Promise.all(seed.map((f) => sweep.seeds.get(f.sha256)));
    entry.seed = seed;
    return { ...entry.job, seed };
  }

  /** A job was added for the trial; should the sweep have stopped meanwhile, it is taken back. */
  private async queued(entry: Entry): Promise<void> {
    if (isDone(entry)) await this.queue.remove(entry.jobId);
    else entry.state = 'queued';
  }

  private onStarted(jobId: string, data: unknown): void {
    const entry = this.sweep?.entries.get(jobId);
    const worker = (data as { worker?: unknown } | null)?.worker;
    if (!entry || entry.state === 'done' || typeof worker !== 'string') return;
    entry.outcome.worker = pidOf(worker);
    this.sweep?.options.report(`${entry.label}: started on ${worker}`);
    this.sweep?.options.onTrial?.({ ...entry.outcome, status: 'running' });
  }

  private say(jobId: string, text: string): void {
    const entry = this.sweep?.entries.get(jobId);
    if (entry && entry.state !== 'done') this.sweep?.options.report(`${entry.label}: ${text}`);
  }

  private async onFailed(jobId: string, reason: string): Promise<void> {
    const entry = this.sweep?.entries.get(jobId);
    if (!entry || entry.state === 'done' || entry.busy) return;
    // BullMQ's words when the stall limit is reached: say what they mean here.
    const why = /stalled more than allowable limit/.test(reason)
      ? `the workers that ran it stopped answering (killed, or their machine went away) more often than a trial is retried (${reason})`
      : reason;
    this.finish(entry, this.sweep!.stopping ? 'interrupted' : 'failed', this.redact(why));
    await this.queue.remove(jobId).catch(() => undefined);
    this.settle();
  }

  /**
   * Takes a finished job's result: checks it, reads its files, writes them into the
   * trial's folder. A job this run added is known already: its result comes with the
   * `completed` event. Any other (left by an earlier attempt) is read from Redis.
   */
  private async take(jobId: string, known?: { job?: Job; result?: unknown }): Promise<void> {
    const sweep = this.sweep;
    const entry = sweep?.entries.get(jobId);
    if (!sweep || sweep.settled || !entry || entry.state !== 'queued' || entry.busy) return;
    entry.busy = true;
    try {
      let data: TrialJob | undefined;
      let result: TrialJobResult | undefined;
      if (entry.seed && known?.result !== undefined) {
        data = { ...entry.job, seed: entry.seed };
        result = known.result as TrialJobResult;
      } else {
        const job = known?.job ?? (await Job.fromId(this.queue, jobId));
        data = job?.data as TrialJob | undefined;
        result = job?.returnvalue as TrialJobResult | undefined;
      }
      if (!data || !result) {
        // Removed under us: send it again unless the sweep is stopping.
        if (sweep.stopping) this.finish(entry, 'not run');
        else await this.requeue(sweep, entry, 'its job went missing');
        return;
      }
      const problem = resultProblem(result);
      if (problem) {
        this.finish(entry, 'failed', `its worker sent a result this coordinator cannot use: ${problem}`);
      } else if (jobProblem(data) || !sameJob(data, entry.job) || !sameFiles(entry.seed ?? (await listFolder(entry.outcome.outDir)), data.seed)) {
        await this.queue.remove(jobId);
        await this.requeue(sweep, entry, 'its folder or pipeline changed since it was queued');
        return;
      } else if (result.status === 'not run' && !sweep.stopping) {
        await this.queue.remove(jobId);
        await this.requeue(sweep, entry, 'an earlier attempt of the sweep cancelled it');
        return;
      } else {
        await this.apply(sweep, entry, data, result);
      }
      await this.queue.remove(jobId);
    } catch {
      // Redis went away while taking it: try again shortly (the watchdog ends the sweep
      // should it stay away). Nothing was written: files are written only once all arrived.
      if (!isDone(entry)) setTimeout(() => void this.take(jobId, known?.result !== undefined ? known : undefined), 500).unref();
    } finally {
      entry.busy = false;
      this.settle();
    }
  }

  /** Reads a result's changed files (all, checked) and then writes them into the trial's folder. */
  private async apply(sweep: Sweep, entry: Entry, data: TrialJob, result: TrialJobResult): Promise<void> {
    const seeded = fileKeys(data.seed);
    const changed = result.files.filter((f) => !seeded.has(`${f.path} ${f.sha256}`));
    const keys = changed.map((f) => resultKey(entry.jobId, f.sha256));
    let contents: Buffer[];
    try {
      contents = await download(this.redis, changed, (f) => resultKey(entry.jobId, f.sha256));
    } catch (err) {
      if (!(err instanceof TransferError)) throw err;
      this.finish(entry, 'failed', `its results could not be taken: ${err.message}; run the sweep again to run it again`);
      return;
    }
    const writing = applyFolder(entry.outcome.outDir, data.seed, result.files, new Map(changed.map((f, i) => [f.path, contents[i]])));
    sweep.applying.add(writing);
    try {
      await writing;
    } catch (err) {
      this.finish(entry, 'failed', `its results could not be written into ${entry.outcome.outDir}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    } finally {
      sweep.applying.delete(writing);
    }
    entry.outcome.worker = pidOf(result.worker);
    // The worker kept no record of the run: it goes on record here, beside its folder.
    const pid = entry.outcome.worker;
    if (pid !== undefined && changed.some((f) => f.path === 'run.json')) {
      // A record that cannot be kept does not undo the trial, whose files are written.
      await sweep.options.record
        ?.remote?.(entry.outcome.trial, { host: result.worker.slice(0, result.worker.lastIndexOf(':')), pid })
        .catch((err: unknown) => sweep.options.report(`${entry.label}: not recorded: ${err instanceof Error ? err.message : String(err)}`));
    }
    this.finish(entry, result.status, result.error, result.durationMs, result.worker, metricsOf(changed, contents));
    if (keys.length > 0) await this.redis.del(...keys);
  }

  private async requeue(sweep: Sweep, entry: Entry, why: string): Promise<void> {
    if (sweep.stopping) {
      this.finish(entry, 'not run');
      return;
    }
    if (++entry.requeues > MAX_REQUEUES) {
      this.finish(entry, 'failed', `${why}, again; gave up after ${MAX_REQUEUES} attempts`);
      return;
    }
    sweep.options.report(`${entry.label}: queued again: ${why}`);
    entry.state = 'pending';
    entry.seed = undefined;
    await this.submit(sweep, entry);
  }

  private finish(entry: Entry, status: TrialStatus, error?: string, durationMs?: number, worker?: string, metrics?: Record<string, number>): void {
    const sweep = this.sweep!;
    entry.state = 'done';
    entry.outcome.status = status;
    if (durationMs !== undefined) entry.outcome.durationMs = durationMs;
    if (status !== 'completed') entry.outcome.error = (error?.trim() || 'ended without a reason').split('\n').slice(0, 3).join(' ');
    sweep.options.onTrial?.(entry.outcome, metrics);
    const where = worker ? ` on ${worker}` : '';
    if (status === 'completed') {
      sweep.options.report(`${entry.label}: completed in ${((durationMs ?? 0) / 1000).toFixed(1)} s${where}`);
      return;
    }
    if (status !== 'not run' || error) sweep.options.report(`${entry.label}: ${status}${where}: ${entry.outcome.error}`);
    if (sweep.options.failFast && status === 'failed') void this.stop();
  }

  /**
   * Stops the sweep: trials not yet queued end `not run`, workers are told (the cancel
   * key), waiting jobs are removed (`not run`), and running trials have `stopGraceMs` to
   * come back `interrupted`.
   */
  private async stop(): Promise<void> {
    const sweep = this.sweep;
    if (!sweep || sweep.settled || sweep.stopping) return;
    sweep.stopping = true;
    for (const entry of sweep.entries.values()) if (entry.state === 'pending') this.finish(entry, 'not run');
    setTimeout(() => {
      for (const entry of sweep.entries.values()) {
        if (entry.state === 'queued' && !entry.busy) this.finish(entry, 'interrupted', `its worker did not confirm within ${this.stopGraceMs / 1000} s that it stopped`);
      }
      this.settle();
    }, this.stopGraceMs).unref();
    this.settle();
    try {
      await this.redis.set(cancelKey(sweep.id), '1', 'EX', KEY_TTL_SECONDS);
      for (const entry of sweep.entries.values()) if (entry.state === 'queued' && !entry.busy) await this.withdraw(entry);
    } catch {
      // Redis is away: the watchdog says so.
    }
    this.settle();
  }

  /** Removes a trial's job if no worker has taken it yet; the trial is then `not run`. */
  private async withdraw(entry: Entry): Promise<void> {
    const job = await Job.fromId(this.queue, entry.jobId);
    // A job a worker holds is locked and stays; one already finished is taken as it arrives.
    if (job && REMOVABLE_STATES.has(await job.getState()) && (await this.queue.remove(entry.jobId)) === 1 && entry.state !== 'done') this.finish(entry, 'not run');
  }

  /** Resolves the sweep once every trial is done. */
  private settle(): void {
    const sweep = this.sweep;
    if (!sweep || sweep.settled || [...sweep.entries.values()].some((e) => e.state !== 'done' || e.busy)) return;
    sweep.settled = true;
    const seeds = [...sweep.seeds.keys()].map((sha) => seedKey(sweep.id, sha));
    const done = (): void => sweep.resolve([...sweep.entries.values()].map((e) => e.outcome));
    if (seeds.length === 0 || this.unreachableSince !== undefined) done();
    else this.redis.del(...seeds).then(done, done);
  }

  /** Ends the sweep when Redis has been unreachable for too long. */
  private watch(): void {
    const sweep = this.sweep;
    if (!sweep || sweep.settled) return;
    if (this.redis.status === 'ready') {
      this.unreachableSince = undefined;
      return;
    }
    this.unreachableSince ??= performance.now();
    if (performance.now() - this.unreachableSince < this.unreachableAfterMs) return;
    const never = [...sweep.entries.values()].every((e) => e.state === 'pending');
    const why = this.lastError ? ` (${this.lastError})` : '';
    const secs = `${(this.unreachableAfterMs / 1000).toFixed(0)} s`;
    const left = [...sweep.entries.values()].filter((e) => e.state !== 'done').length;
    this.fail(
      new QueueUnavailableError(
        never
          ? `cannot reach the queue at ${this.shown}${why} after ${secs}; start Redis there, or check the URL`
          : `lost the queue at ${this.shown}${why}: no answer for ${secs}. The trials that finished are in their folders; ${left} did not finish: run the same sweep again once Redis is back, and it picks up where it stopped`,
        [],
      ),
    );
  }

  private fail(err: unknown): void {
    const sweep = this.sweep;
    if (!sweep || sweep.settled) return;
    sweep.settled = true;
    const outcomes = [...sweep.entries.values()].map((e) => e.outcome);
    const error =
      err instanceof QueueUnavailableError
        ? new QueueUnavailableError(err.message, outcomes)
        : new QueueUnavailableError(`the queue at ${this.shown} failed: ${this.redact(err instanceof Error ? err.message : String(err))}`, outcomes);
    for (const entry of sweep.entries.values()) {
      if (entry.state !== 'done') Object.assign(entry.outcome, { status: 'not run', error: 'the queue became unreachable' });
    }
    // Folders being written finish first: none is left half-written.
    void Promise.allSettled([...sweep.applying]).then(() => sweep.reject(error));
  }
}

/** The default sweep id: this host, the checkout, the pipeline and the trials' folders — the same for the same sweep run again here. */
export function sweepIdOf(root: string, file: string, dirs: string[]): string {
  return createHash('sha256')
    .update([hostname(), root, file, ...dirs.map((d) => resolve(d))].join('\0'))
    .digest('hex')
    .slice(0, 16);
}

/** A completed trial's metrics, from the run.json among its result's files (checked against its sha256 on arrival). */
function metricsOf(files: readonly FileEntry[], contents: readonly Buffer[]): Record<string, number> | undefined {
  const at = files.findIndex((f) => f.path === 'run.json');
  if (at < 0) return undefined;
  try {
    return runMetrics(JSON.parse(contents[at].toString('utf8')) as RunManifest);
  } catch {
    return undefined; // not a run's manifest: the sweep's summary, reading the same file, says so
  }
}

const pidOf = (worker: string): number | undefined => {
  const pid = Number(worker.slice(worker.lastIndexOf(':') + 1));
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
};
