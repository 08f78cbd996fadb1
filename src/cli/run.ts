/**
 * `rxlab run FILE`: runs a pipeline, reusing the stages its lock says are unchanged (and
 * whose files verify), then records the run in the lock — only after a completed run, so
 * a failed or interrupted one never leaves a lock that describes outputs it did not make.
 * The run itself is the engine's `runPipeline`; this adds the display, the closing
 * summary every run ends with, and `--frozen`'s words.
 */
import { FrozenLockError, runMetrics, runPipeline, type PipelineRun, type Plan, type RunManifest, type Target } from '../engine/index.ts';
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
  const json = (event: RunEvent): void => void process.stdout.write(eventLine(event));
  let display: Display | undefined;
  const metrics = new Map<string, Record<string, number>>();
  const show = async (plan: Plan, target: Target): Promise<void> => {
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
  let run: PipelineRun;
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
    if (args.json) json({ type: 'failed', status: 'refused', error: { message: err.message } });
    else process.stderr.write(`${err.message}\n`);
    return EXIT.failed;
  } finally {
    display?.close();
  }
  return summarize(run, args.json ? json : undefined);
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
