/**
 * `rxlab run FILE`: runs a pipeline, reusing the stages its lock says are unchanged (and
 * whose files verify), then records the run in the lock — only after a completed run, so
 * a failed or interrupted one never leaves a lock that describes outputs it did not make.
 * The run itself is the engine's `runPipeline`; this adds the display and `--frozen`'s words.
 */
import { FrozenLockError, runPipeline, type Plan } from '../engine/index.ts';
import { resolveStage } from '../stages/registry.ts';
import { shown } from '../util/paths.ts';
import { jsonDisplay, plainDisplay, ttyDisplay, type Display } from './display.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import type { ParsedArgs } from './options.ts';

export async function runCommand(file: string, args: ParsedArgs): Promise<number> {
  let display: Display | undefined;
  const show = async (plan: Plan): Promise<void> => {
    const write = (text: string): void => void process.stdout.write(text);
    display = args.json ? jsonDisplay(write) : process.stdout.isTTY ? await ttyDisplay(plan.nodes.map((n) => n.spec.id), process.stdout) : plainDisplay(write);
  };
  let run;
  try {
    run = await untilInterrupted((signal) =>
      runPipeline(file, {
        resolve: resolveStage,
        set: args.set,
        maxMemory: args.maxMemory,
        out: args.out,
        updateLock: args.updateLock,
        force: args.force,
        frozen: args.frozen,
        signal,
        onStart: show,
        onEvent: (e) => display?.event(e),
      }),
    );
  } catch (err) {
    if (!(err instanceof FrozenLockError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return EXIT.failed;
  }
  const { plan, target, manifest, lockUpdate, drift } = run;
  const out = display!;
  const seconds = (manifest.durationMs / 1000).toFixed(2);
  if (manifest.status !== 'completed') {
    // An error, so on stderr (with --json, as the last event too).
    const text = `run ${manifest.status} after ${seconds} s: ${manifest.error}`;
    out.close();
    if (args.json) out.line(text);
    process.stderr.write(`${text}\n`);
    return EXIT.failed;
  }
  const cached = Object.values(manifest.stages).filter((s) => s.status === 'cached').length;
  out.line(`run completed in ${seconds} s (${plan.nodes.length - cached} ran, ${cached} cached); artifacts in ${shown(target.outDir)}`);
  if (drift) {
    const lines = [...drift.notes, ...drift.rows.filter((r) => r.result !== 'same').map((r) => `${r.stage}: ${r.artifact} ${r.result}${r.detail ? ` (${r.detail})` : ''}`)];
    out.line(`rxlab run --frozen: the run does not match ${shown(target.committedLock)}; the lock was not written\n  ${lines.join('\n  ')}`);
    out.close();
    return EXIT.failed;
  }
  out.line(`lock ${shown(target.lockFile)} ${lockUpdate}`);
  out.close();
  return EXIT.ok;
}
