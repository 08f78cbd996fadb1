/**
 * `rxlab run FILE`: runs a pipeline, reusing the stages its lock says are unchanged (and
 * whose files verify), then records the run in the lock — only after a completed run,
 * so a failed or interrupted one never leaves a lock that describes outputs it did not make.
 */
import { canonicalJson } from '../engine/canonical.ts';
import { declaredChanges } from '../engine/changes.ts';
import { compareLocks } from '../engine/check.ts';
import { executeRun } from '../engine/execute.ts';
import { loadPipeline } from '../engine/load.ts';
import { lockFromRun, readLock, writeLock, type Lockfile } from '../engine/lock.ts';
import { planPipeline, type Plan } from '../engine/plan.ts';
import { acquireRunLock } from '../engine/run-lock.ts';
import { didYouMean } from '../engine/suggest.ts';
import { jsonDisplay, plainDisplay, ttyDisplay, type Display } from './display.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import { UsageError, type ParsedArgs } from './options.ts';
import { shown } from './paths.ts';
import { runTarget, type Target } from './target.ts';

export async function runCommand(file: string, args: ParsedArgs): Promise<number> {
  const pipeline = await loadPipeline(file, { overrides: args.set });
  const plan = planPipeline(pipeline);
  const force = forcedStages(args.force, plan);
  const target = runTarget(pipeline, args);
  // One run at a time per outputs folder, from reading its lock to writing it: a second
  // run refuses (exit 1) rather than mixing its files with this one's.
  const release = await acquireRunLock(target.outDir);
  try {
    return await runHoldingLock(plan, args, force, target);
  } finally {
    await release();
  }
}

async function runHoldingLock(plan: Plan, args: ParsedArgs, force: 'all' | Set<string>, target: Target): Promise<number> {
  const committed = await readLock(target.committedLock);
  const lock = target.lockFile === target.committedLock ? committed : await readLock(target.lockFile);
  if (args.frozen) {
    const refusal = frozenRefusal(plan, committed, target.committedLock);
    if (refusal) {
      process.stderr.write(`${refusal}\n`);
      return EXIT.failed;
    }
  }

  const write = (text: string): void => void process.stdout.write(text);
  const display: Display = args.json
    ? jsonDisplay(write)
    : process.stdout.isTTY
      ? await ttyDisplay(plan.nodes.map((n) => n.spec.id), process.stdout)
      : plainDisplay(write);
  const manifest = await untilInterrupted((signal) =>
    executeRun(plan, { outDir: target.outDir, signal, onEvent: (e) => display.event(e), cache: { lock, force }, overrides: args.set }),
  );
  const seconds = (manifest.durationMs / 1000).toFixed(2);
  if (manifest.status !== 'completed') {
    // An error, so on stderr (with --json, as the last event too).
    const text = `run ${manifest.status} after ${seconds} s: ${manifest.error}`;
    display.close();
    if (args.json) display.line(text);
    process.stderr.write(`${text}\n`);
    return EXIT.failed;
  }
  const cached = Object.values(manifest.stages).filter((s) => s.status === 'cached').length;
  display.line(`run completed in ${seconds} s (${plan.nodes.length - cached} ran, ${cached} cached); artifacts in ${shown(target.outDir)}`);
  const next = await lockFromRun(plan, manifest, target.outDir, lock);
  if (args.frozen) {
    const report = compareLocks(committed!, next, { order: plan.nodes.map((n) => n.spec.id) });
    if (!report.ok) {
      const lines = [...report.notes, ...report.rows.filter((r) => r.result !== 'same').map((r) => `${r.stage}: ${r.artifact} ${r.result}${r.detail ? ` (${r.detail})` : ''}`)];
      display.line(`rxlab run --frozen: the run does not match ${shown(target.committedLock)}; the lock was not written\n  ${lines.join('\n  ')}`);
      display.close();
      return EXIT.failed;
    }
  }
  display.line(`lock ${shown(target.lockFile)} ${await updateLock(target.lockFile, lock, next)}`);
  display.close();
  return EXIT.ok;
}

/** `--force` as the cache takes it; a stage id that is not in the pipeline is a usage error. */
function forcedStages(force: ParsedArgs['force'], plan: Plan): 'all' | Set<string> {
  if (force === 'all') return force;
  const ids = plan.nodes.map((n) => n.spec.id);
  for (const id of force) {
    if (!ids.includes(id)) throw new UsageError(`--force: no stage "${id}" in ${plan.pipeline.name}${didYouMean(id, ids)}; its stages are ${ids.join(', ')}`);
  }
  return new Set(force);
}

/** Why `--frozen` refuses before running anything: no lock, or a stage that is not what the lock records. */
function frozenRefusal(plan: Plan, lock: Lockfile | undefined, lockFile: string): string | undefined {
  const head = 'rxlab run --frozen:';
  if (!lock) return `${head} no lock file ${shown(lockFile)} to hold the run to; run \`rxlab run ${shown(plan.pipeline.file)}\` first; nothing was run`;
  const changes = declaredChanges(plan, lock);
  if (!changes.length) return undefined;
  return [`${head} the lock ${shown(lockFile)} would change; nothing was run`, ...changes.map((c) => `  ${c.stage}: ${c.reason}`)].join('\n');
}

/** Writes the lock when its content changed (a reproducing run leaves the file untouched); says which. */
async function updateLock(file: string, previous: Lockfile | undefined, next: Lockfile): Promise<string> {
  if (previous && canonicalJson(previous) === canonicalJson(next)) return 'unchanged';
  await writeLock(file, next);
  return previous ? 'updated' : 'written';
}
