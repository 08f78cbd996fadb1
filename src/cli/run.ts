/**
 * `rxlab run FILE`: runs a pipeline, reusing the stages its lock says are unchanged (and
 * whose files verify), then records the run in the lock — only after a completed run,
 * so a failed or interrupted one never leaves a lock that describes outputs it did not make.
 * The steps themselves are in run-pipeline.ts (a sweep's trials take them too); this
 * adds the display and `--frozen`.
 */
import { declaredChanges } from '../engine/reuse/changes.ts';
import { compareLocks } from '../engine/reuse/check.ts';
import { readLock, type Lockfile } from '../engine/record/lock.ts';
import type { Plan } from '../engine/plan/plan.ts';
import { jsonDisplay, plainDisplay, ttyDisplay, type Display } from './display.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import type { ParsedArgs } from './options.ts';
import { shown } from './paths.ts';
import { holdingRunLock, prepareRun, runRecorded, updateLock } from '../engine/run-pipeline.ts';
import type { Target } from '../engine/record/target.ts';

export async function runCommand(file: string, args: ParsedArgs): Promise<number> {
  const { plan, force, target } = await prepareRun(file, args);
  return holdingRunLock(target.outDir, () => runHoldingLock(plan, args, force, target));
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
  const { manifest, next } = await untilInterrupted((signal) =>
    runRecorded(plan, target.outDir, { lock, force, overrides: args.set, signal, onEvent: (e) => display.event(e) }),
  );
  const seconds = (manifest.durationMs / 1000).toFixed(2);
  if (!next) {
    // An error, so on stderr (with --json, as the last event too).
    const text = `run ${manifest.status} after ${seconds} s: ${manifest.error}`;
    display.close();
    if (args.json) display.line(text);
    process.stderr.write(`${text}\n`);
    return EXIT.failed;
  }
  const cached = Object.values(manifest.stages).filter((s) => s.status === 'cached').length;
  display.line(`run completed in ${seconds} s (${plan.nodes.length - cached} ran, ${cached} cached); artifacts in ${shown(target.outDir)}`);
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

/** Why `--frozen` refuses before running anything: no lock, or a stage that is not what the lock records. */
function frozenRefusal(plan: Plan, lock: Lockfile | undefined, lockFile: string): string | undefined {
  const head = 'rxlab run --frozen:';
  if (!lock) return `${head} no lock file ${shown(lockFile)} to hold the run to; run \`rxlab run ${shown(plan.pipeline.file)}\` first; nothing was run`;
  const changes = declaredChanges(plan, lock);
  if (!changes.length) return undefined;
  return [`${head} the lock ${shown(lockFile)} would change; nothing was run`, ...changes.map((c) => `  ${c.stage}: ${c.reason}`)].join('\n');
}
