/**
 * `rxlab run FILE`: runs a pipeline, reusing the stages its lock says are unchanged (and
 * whose files verify), then records the run in the lock — only after a completed run, so
 * a failed or interrupted one never leaves a lock that describes outputs it did not make.
 * The run itself is the engine's `runPipeline`, on record (src/exp); this adds the display
 * and `--frozen`'s words. With `--update-lock`, the run is the committed one, and once it
 * completed its `--set` values are written into the pipeline file (src/exp/apply.ts).
 */
import { FrozenLockError, type EngineEvent, type Plan, type Target } from '../engine/index.ts';
import { liveFeed } from '../exp/live.ts';
import type { LiveView } from '../report/index.ts';
import { closeLiveView, openLiveView } from './live.ts';
import { updateLockRun, type WrittenParams } from '../exp/apply.ts';
import { recordedRun } from '../exp/record.ts';
import { resolveStage } from '../stages/registry.ts';
import { shown } from '../util/paths.ts';
import { jsonDisplay, plainDisplay, ttyDisplay, type Display } from './display.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import type { ParsedArgs } from './options.ts';

export async function runCommand(file: string, args: ParsedArgs): Promise<number> {
  const view = args.serve !== undefined ? await openLiveView(file, args.serve) : undefined;
  try {
    return await run(file, args, view);
  } finally {
    await closeLiveView(view);
  }
}

async function run(file: string, args: ParsedArgs, view: LiveView | undefined): Promise<number> {
  const live = view ? liveFeed(view.publish) : undefined;
  let display: Display | undefined;
  const show = async (plan: Plan, target: Target): Promise<void> => {
    const write = (text: string): void => void process.stdout.write(text);
    display = args.json ? jsonDisplay(write) : process.stdout.isTTY ? await ttyDisplay(plan.nodes.map((n) => n.spec.id), process.stdout) : plainDisplay(write);
    if (view) display.line(`live view: ${view.url}`);
    live?.start(plan, target);
  };
  // --update-lock: once the run completed, its --set values are written into the file.
  let written: WrittenParams | undefined;
  let outcome;
  try {
    const recording = { onWarning: (text: string) => void process.stderr.write(`rxlab run: ${text}\n`) };
    outcome = await untilInterrupted(async (signal) => {
      const onEvent = (e: EngineEvent): void => {
        display?.event(e);
        live?.event(e);
      };
      const options = { resolve: resolveStage, out: args.out, name: args.name, force: args.force, frozen: args.frozen, signal, onStart: show, onEvent };
      if (!args.updateLock) return recordedRun(file, { ...options, set: args.set }, recording);
      const applied = await updateLockRun(file, args.set, options, recording);
      written = applied.written;
      return applied.run;
    });
  } catch (err) {
    live?.end(err instanceof Error ? err : new Error(String(err)));
    if (!(err instanceof FrozenLockError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return EXIT.failed;
  }
  live?.end(outcome);
  const { plan, target, manifest, lockUpdate, drift } = outcome;
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
  if (written) out.line(describeWritten(shown(plan.pipeline.file), written));
  out.close();
  return EXIT.ok;
}

/** What --update-lock wrote into the pipeline file. */
function describeWritten(file: string, written: WrittenParams): string {
  if (written.changes.length === 0) return `${file} already sets what --set gave`;
  const changes = written.changes.map((c) => `${c.param} ${JSON.stringify(c.from) ?? '(absent)'} → ${JSON.stringify(c.to) ?? '(absent)'}`);
  return `${file} now sets ${changes.join(', ')}${written.relaidOut ? ' (laid out anew by yaml; comments kept)' : ''}`;
}
