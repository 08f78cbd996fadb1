/**
 * `rxlab run FILE`: runs a pipeline, reusing the stages its lock says are unchanged (and
 * whose files verify), then records the run in the lock — only after a completed run, so
 * a failed or interrupted one never leaves a lock that describes outputs it did not make.
 * The run itself is the engine's `runPipeline`, on record (src/exp); this adds the display,
 * the closing summary every run ends with, `--frozen`'s words, and with `--serve` the live
 * view. With `--update-lock`, the run is the committed one, and once it completed its
 * `--set` values are written into the pipeline file (src/exp/apply.ts).
 */
import { FrozenLockError, runMetrics, type EngineEvent, type PipelineRun, type Plan, type RunManifest, type Target } from '../engine/index.ts';
import { updateLockRun, type WrittenParams } from '../exp/apply.ts';
import { liveFeed } from '../exp/live.ts';
import { recordedRun } from '../exp/record.ts';
import type { LiveView } from '../report/index.ts';
import { closeLiveView, openLiveView } from './live.ts';
import { resolveStage } from '../stages/registry.ts';
import { shown } from '../util/paths.ts';
import { liveDisplay, plainDisplay, type Display } from './display.ts';
import { eventLine, runEvent, type RunEvent } from './events.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import { forPeople } from '../util/numbers.ts';
import type { ParsedArgs } from './options.ts';

/** The metrics the summary shows; a run reporting more has them all in run.json. */
const HEADLINE_METRICS = 6;

export async function runCommand(file: string, args: ParsedArgs): Promise<number> {
  const view = args.serve !== undefined ? await openLiveView(file, args.serve) : undefined;
  // With --json, stdout carries the events alone.
  if (view) (args.json ? process.stderr : process.stdout).write(`live view: ${view.url}\n`);
  try {
    return await run(file, args, view);
  } finally {
    await closeLiveView(view);
  }
}

async function run(file: string, args: ParsedArgs, view: LiveView | undefined): Promise<number> {
  const live = view ? liveFeed(view.publish) : undefined;
  const json = (event: RunEvent): void => void process.stdout.write(eventLine(event));
  let display: Display | undefined;
  const metrics = new Map<string, Record<string, number>>();
  const show = async (plan: Plan, target: Target): Promise<void> => {
    live?.start(plan, target);
    const stages = plan.nodes.map((n) => n.spec.id);
    if (args.json) {
      json({ type: 'started', pipeline: plan.pipeline.name, file: plan.pipeline.file, out: target.outDir, stages });
      display = {
        event: (e) => {
          if (e.type === 'metric') metrics.set(e.stage, { ...metrics.get(e.stage), [e.name]: e.value });
          const event = runEvent(e, (stage) => metrics.get(stage) ?? {});
          if (event) json(event);
        },
        close: () => undefined,
      };
      return;
    }
    const write = (text: string): void => void process.stdout.write(text);
    display = process.stdout.isTTY ? await liveDisplay(stages, process.stdout, { verbose: args.verbose }) : plainDisplay(write, { verbose: args.verbose });
  };
  let outcome: PipelineRun;
  // --update-lock: once the run completed, its --set values are written into the file.
  let written: WrittenParams | undefined;
  try {
    const recording = { onWarning: (text: string) => void process.stderr.write(`rxlab run: ${text}\n`) };
    outcome = await untilInterrupted(async (signal) => {
      const onEvent = (e: EngineEvent): void => {
        display?.event(e);
        live?.event(e);
      };
      const options = { resolve: resolveStage, maxMemory: args.maxMemory, out: args.out, name: args.name, force: args.force, frozen: args.frozen, signal, onStart: show, onEvent };
      if (!args.updateLock) return recordedRun(file, { ...options, set: args.set }, recording);
      const applied = await updateLockRun(file, args.set, options, recording);
      written = applied.written;
      return applied.run;
    });
  } catch (err) {
    live?.end(err instanceof Error ? err : new Error(String(err)));
    if (!(err instanceof FrozenLockError)) throw err;
    if (args.json) json({ type: 'failed', status: 'refused', error: { message: err.message } });
    else process.stderr.write(`${err.message}\n`);
    return EXIT.failed;
  } finally {
    display?.close();
  }
  live?.end(outcome);
  const code = summarize(outcome, args.json ? json : undefined);
  if (written && !args.json) process.stdout.write(`${describeWritten(shown(outcome.plan.pipeline.file), written)}\n`);
  return code;
}

/** What --update-lock wrote into the pipeline file. */
function describeWritten(file: string, written: WrittenParams): string {
  if (written.changes.length === 0) return `${file} already sets what --set gave`;
  const changes = written.changes.map((c) => `${c.param} ${JSON.stringify(c.from) ?? '(absent)'} → ${JSON.stringify(c.to) ?? '(absent)'}`);
  return `${file} now sets ${changes.join(', ')}${written.relaidOut ? ' (laid out anew by yaml; comments kept)' : ''}`;
}

/** How many stages ran, were reused, failed. */
function counts(manifest: RunManifest): { ran: number; cached: number; failed: number } {
  const statuses = Object.values(manifest.stages).map((s) => s.status);
  const count = (status: string): number => statuses.filter((s) => s === status).length;
  return { ran: count('completed'), cached: count('cached'), failed: count('failed') + count('interrupted') };
}

/**
 * The closing summary every run ends with, cached or not: what ran, what was reused, what
 * failed, the time, where the artifacts are, what became of the lock, and the metrics.
 * With --json, the `finished` or `failed` event instead.
 */
function summarize({ target, manifest, lockUpdate, drift }: PipelineRun, json?: (event: RunEvent) => void): number {
  const { ran, cached, failed } = counts(manifest);
  const time = `${forPeople(manifest.durationMs / 1000, 3)} s`;
  const tally = `${ran} ran, ${cached} cached${failed ? `, ${failed} ${manifest.status === 'interrupted' ? 'interrupted' : 'failed'}` : ''}`;
  const metrics = runMetrics(manifest);
  const out = shown(target.outDir);
  const say = (text: string): void => void process.stdout.write(`${text}\n`);

  if (manifest.status !== 'completed') {
    const failedStage = Object.entries(manifest.stages).find(([, s]) => s.status === 'failed' || s.status === 'interrupted')?.[0];
    if (json) {
      json({ type: 'failed', status: manifest.status, durationMs: manifest.durationMs, out: target.outDir, error: { message: manifest.error ?? manifest.status, ...(failedStage ? { stage: failedStage } : {}) } });
      return EXIT.failed;
    }
    // The error on stderr; where things stand on stdout.
    process.stderr.write(`run ${manifest.status} after ${time} (${tally}): ${manifest.error}\n`);
    say(`what it wrote is in ${out} (run.json says ${manifest.status}); lock ${shown(target.lockFile)} left as it was`);
    return EXIT.failed;
  }
  if (drift) {
    const lines = [...drift.notes, ...drift.rows.filter((r) => r.result !== 'same').map((r) => `${r.stage}: ${r.artifact} ${r.result}${r.detail ? ` (${r.detail})` : ''}`)];
    const message = `rxlab run --frozen: the run does not match ${shown(target.committedLock)}; the lock was not written\n  ${lines.join('\n  ')}`;
    if (json) json({ type: 'failed', status: 'refused', durationMs: manifest.durationMs, out: target.outDir, error: { message } });
    else say(message);
    return EXIT.failed;
  }
  if (json) {
    json({ type: 'finished', durationMs: manifest.durationMs, ran, cached, out: target.outDir, lock: { file: target.lockFile, update: lockUpdate! }, metrics });
    return EXIT.ok;
  }
  say(`run completed in ${time} (${tally}); artifacts in ${out}`);
  say(`lock ${shown(target.lockFile)} ${lockUpdate}`);
  const headline = Object.entries(metrics).slice(0, HEADLINE_METRICS);
  if (headline.length) say(`metrics: ${headline.map(([name, value]) => `${name} ${forPeople(value)}`).join(', ')}`);
  return EXIT.ok;
}
