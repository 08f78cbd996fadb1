/**
 * Runs that put themselves on record: `recordedRun` and `recordedCheck` run a pipeline with
 * the engine (`runPipeline`, `checkPipeline`) and keep a record of it in the pipeline's
 * history (history.ts) — `running` once it is loaded and planned, then how it ended,
 * whatever the ending. A file with a mistake in it never runs, and leaves no record.
 *
 * A run that ends also leaves its `report.html` beside its artifacts (report.ts). A record
 * or report that cannot be written (a read-only project) does not stop the run: the caller
 * is told with `onWarning`.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  checkPipeline,
  claimFolder,
  declaredMetrics,
  pipelineSpace,
  projectRoot,
  runMetrics,
  runPipeline,
  runTarget,
  type CheckPipelineOptions,
  type PipelineCheck,
  type PipelineRun,
  type Plan,
  type RunManifest,
  type RunPipelineOptions,
} from '../engine/index.ts';
import { sha256 } from '../util/canonical.ts';
import { gitState, type GitState } from './git.ts';
import { reportReads, writeCheckReport, writeRunReport } from './report.ts';
import { HISTORY_DIR, RECORD_FORMAT, newRecordId, writeRecord, type RunKind, type RunRecord } from './history.ts';

/** How a run is recorded. */
export interface RecordOptions {
  /** `run` unless given. */
  kind?: RunKind;
  /** For a sweep's trial: the sweep's folder and the trial's id. */
  sweep?: { dir: string; trial: string };
  /** The git state, when the caller already knows it (a sweep asks once for all its trials). */
  git?: GitState | null;
  /** Told when the record could not be written; the run goes on regardless. */
  onWarning?: (text: string) => void;
}

/** A pipeline's history folder: `outputs/<name>/.history/` under its project root. */
export const historyDirOf = (plan: Plan): string => join(pipelineSpace(plan.pipeline), HISTORY_DIR);

/** Where and when a run ran, when not in this process now (a trial a queue worker ran). */
interface RanElsewhere {
  startedAt: string;
  host: string;
  pid: number;
}

/** Keeps one run's record up to date: written as it starts, rewritten as it ends. */
class Recorder {
  private readonly record: RunRecord;
  private readonly dir: string;
  private readonly git: Promise<GitState | undefined>;
  /**
   * The pipeline's space, claimed for its file before the first record goes in (as a run
   * claims it): a check or an `--out` run may be the first to write there, and a copy of the
   * pipeline that kept its name must not write into the original's history.
   */
  private claimed: Promise<void> | undefined;
  private readonly started = performance.now();
  /** Writes one after another, so the record that ends a run is never overtaken by its `running` one. */
  private writes: Promise<void> = Promise.resolve();

  constructor(
    private readonly plan: Plan,
    name: string,
    outDir: string | undefined,
    private readonly options: RecordOptions,
    ran?: RanElsewhere,
  ) {
    const { pipeline } = plan;
    this.dir = historyDirOf(plan);
    this.git = options.git !== undefined ? Promise.resolve(options.git ?? undefined) : gitState(projectRoot(pipeline.dir));
    this.record = {
      format: RECORD_FORMAT,
      id: newRecordId(),
      name,
      kind: options.kind ?? 'run',
      pipeline: { name: pipeline.name, file: pipeline.file, sha256: sha256(pipeline.source) },
      overrides: pipeline.overrides.map((o) => o.text),
      ...(options.sweep ? { sweep: options.sweep } : {}),
      status: 'running',
      startedAt: ran?.startedAt ?? new Date().toISOString(),
      pid: ran?.pid ?? process.pid,
      host: ran?.host ?? hostname(),
      ...(outDir ? { outDir } : {}),
      params: Object.fromEntries(plan.nodes.map((n) => [n.spec.id, n.spec.params])),
      stages: Object.fromEntries(plan.nodes.map((n) => [n.spec.id, { uses: n.spec.uses, status: 'pending' }])),
      metrics: {},
      directions: declaredMetrics(plan.nodes.map((n) => n.spec)),
      artifacts: {},
    };
  }

  /** The record as it stands. */
  snapshot(): RunRecord {
    return structuredClone(this.record);
  }

  /** The `running` record, written without waiting for git (asked meanwhile, it joins the final record). */
  start(): Promise<void> {
    return this.write(false);
  }

  /** How the run ended, from its manifest (and, for a check, its comparison with the lock); then its report. */
  async finish(manifest: RunManifest, check?: RunRecord['check']): Promise<void> {
    Object.assign(this.record, {
      status: manifest.status,
      durationMs: Math.round(manifest.durationMs),
      metrics: runMetrics(manifest),
      stages: Object.fromEntries(
        Object.entries(manifest.stages).map(([id, st]) => [
          id,
          { uses: st.uses, status: st.status, ...(st.durationMs !== undefined ? { durationMs: Math.round(st.durationMs) } : {}), ...(st.reason ? { reason: st.reason } : {}) },
        ]),
      ),
      artifacts: Object.fromEntries(Object.entries(manifest.stages).flatMap(([id, s]) => Object.entries(s.artifacts).map(([name, a]) => [`${id}/${name}`, a.sha256]))),
      ...(manifest.error ? { error: manifest.error } : {}),
      ...(check ? { check } : {}),
    });
    const git = await this.git;
    if (git) this.record.git = git;
    await this.write();
    try {
      await writeRunReport(this.record);
    } catch (err) {
      this.options.onWarning?.(`the run's report could not be written: ${(err as Error).message}`);
    }
  }

  /** The run could not go on after it was planned (another run held its folder, …). */
  async fail(err: unknown): Promise<void> {
    Object.assign(this.record, { status: 'failed', durationMs: Math.round(performance.now() - this.started), error: err instanceof Error ? err.message : String(err) });
    await this.write();
  }

  private write(withGit = true): Promise<void> {
    const snapshot = structuredClone(this.record);
    this.writes = this.writes.then(async () => {
      const git = withGit ? await this.git : undefined;
      if (git) snapshot.git = git;
      try {
        this.claimed ??= claimFolder(pipelineSpace(this.plan.pipeline), { pipeline: this.plan.pipeline.file, name: this.plan.pipeline.name, exclusive: true });
        await this.claimed;
        await writeRecord(this.dir, snapshot);
      } catch (err) {
        // A refused folder's message ends "nothing was run": here the run goes on regardless.
        this.options.onWarning?.(`the run was not recorded in ${this.dir}: ${(err as Error).message.replace(/; nothing was run$/, '')}`);
      }
    });
    return this.writes;
  }
}

/** `runPipeline`, on record. */
export async function recordedRun(file: string, options: RunPipelineOptions, recording: RecordOptions = {}): Promise<PipelineRun> {
  let recorder: Recorder | undefined;
  try {
    const run = await runPipeline(file, {
      ...options,
      onStart: async (plan, target) => {
        recorder = new Recorder(plan, target.name, target.outDir, recording);
        await recorder.start();
        await options.onStart?.(plan, target);
      },
    });
    await recorder?.finish(run.manifest);
    return run;
  } catch (err) {
    await recorder?.fail(err);
    throw err;
  }
}

/**
 * Puts on record a trial that ran on another machine, as it would have recorded itself:
 * `plan` is the trial's (the sweep's pipeline with the trial's overrides), and `outDir`
 * now holds what its run made, its run.json included. A queued trial's worker keeps no
 * record in its own checkout: the trial belongs to the sweep's history, with its folder
 * here. Its report is written into `outDir`, as a run's is.
 */
export async function recordRemoteTrial(plan: Plan, outDir: string, ran: Omit<RanElsewhere, 'startedAt'>, recording: RecordOptions): Promise<void> {
  let manifest: RunManifest;
  try {
    manifest = JSON.parse(await readFile(join(outDir, 'run.json'), 'utf8')) as RunManifest;
  } catch (err) {
    recording.onWarning?.(`the trial in ${outDir} was not recorded: its run.json could not be read (${(err as Error).message})`);
    return;
  }
  const { name } = runTarget(plan.pipeline, { out: outDir });
  await new Recorder(plan, name, outDir, { ...recording, kind: 'trial' }, { ...ran, startedAt: manifest.startedAt }).finish(manifest);
}

/**
 * `checkPipeline`, on record (named `check`); a pipeline without a lock is not checked, and not
 * recorded. Its report, with the comparison, goes to `outputs/<name>/check.html`: its run's
 * folder is temporary, so the charts are read as the run writes them.
 */
export async function recordedCheck(file: string, options: CheckPipelineOptions, recording: RecordOptions = {}): Promise<PipelineCheck & { reportFile?: string }> {
  let recorder: Recorder | undefined;
  let space: string | undefined;
  const kept = new Map<string, string>();
  try {
    const check = await checkPipeline(file, {
      ...options,
      onStart: (plan, dir) => {
        recorder = new Recorder(plan, 'check', undefined, { ...recording, kind: 'check' });
        space = pipelineSpace(plan.pipeline);
        void recorder.start();
        options.onStart?.(plan, dir);
      },
      onEvent: (event) => {
        if (event.type === 'artifact' && reportReads(event.name)) kept.set(`${event.stage}/${event.name}`, readFileSync(event.path, 'utf8'));
        options.onEvent?.(event);
      },
    });
    if (!recorder || !check.manifest) return check;
    const rows = check.report?.rows ?? [];
    const count = (result: string): number => rows.filter((r) => r.result === result).length;
    const summary = check.report ? { ok: check.report.ok, same: count('same'), changed: count('changed'), missing: count('missing'), new: count('new') } : undefined;
    await recorder.finish(check.manifest, summary);
    if (!check.report) return check;
    const reportFile = join(space!, CHECK_REPORT);
    try {
      const comparison = { ok: check.report.ok, rows: rows.map(({ stage, artifact, result, detail }) => ({ stage, artifact, result, detail })) };
      await writeCheckReport(recorder.snapshot(), kept, comparison, reportFile);
    } catch (err) {
      recording.onWarning?.(`the check's report could not be written: ${(err as Error).message}`);
      return check;
    }
    return { ...check, reportFile };
  } catch (err) {
    await recorder?.fail(err);
    throw err;
  }
}

/** Where a check's report goes, in the pipeline's space. */
export const CHECK_REPORT = 'check.html';
