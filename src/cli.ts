/**
 * `rxlab run|plan|check|status|sweep|init|report …`, `rxlab exp show|diff|apply FILE …`: parses the command line and maps every outcome to
 * an exit code (0 success; 1 a stage failed, the run was interrupted, another run holds
 * the outputs folder, or a difference from the lock was found; 2 invalid input, or an
 * outputs folder that cannot be written). Each command lives in src/cli/.
 */
import { EXIT } from './cli/exit.ts';
import { commands, helpText, parseCliArgs, subcommands, UsageError, type Command, type ParsedArgs } from './cli/options.ts';
import { EnvironmentError, PipelineInputError, formatDiagnostic, formatDiagnosticWithSource, type Diagnostic } from './engine/index.ts';
import { TRIAL_WORKER_COMMAND } from './sweep/worker.ts';
import { SweepSpecError } from './sweep/grid.ts';
import { rxlabVersion } from './version.ts';
import { eventLine, type RunEvent } from './cli/events.ts';

/** Each command's module, loaded only when it runs (--help and --version stay instant). */
const handlers: Record<Command, () => Promise<(args: ParsedArgs) => Promise<number>>> = {
  run: async () => withFile((await import('./cli/run.ts')).runCommand),
  plan: async () => withFile(plan),
  check: async () => (await import('./cli/check.ts')).checkCommand,
  status: async () => withFile((await import('./cli/status.ts')).statusCommand),
  sweep: async () => withFile((await import('./cli/sweep.ts')).sweepCommand),
  init: async () => (await import('./cli/init.ts')).initCommand,
  exp: async () => withFile((await import('./cli/exp.ts')).expCommand),
  report: async () => withFile((await import('./cli/report.ts')).reportCommand),
  worker: async () => (await import('./cli/worker.ts')).workerCommand,
};

/** A command of one pipeline file, which the parser has made sure is there. */
const withFile =
  (command: (file: string, args: ParsedArgs) => Promise<number>) =>
  (args: ParsedArgs): Promise<number> =>
    command(args.file!, args);

/** A --json event, for the errors that end a command before its own display starts. */
const json = (event: RunEvent): void => void process.stdout.write(eventLine(event));

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === TRIAL_WORKER_COMMAND && argv.length === 1) return trialWorker();
  let args: ParsedArgs;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`rxlab: ${err.message}\n`);
    return EXIT.invalid;
  }
  if (args.version) {
    process.stdout.write(`rxlab ${rxlabVersion()}\n`);
    return EXIT.ok;
  }
  if (args.help || !args.command) {
    process.stdout.write(`${helpText()}\n`);
    return args.help ? EXIT.ok : EXIT.invalid;
  }
  const subs = subcommands[args.command];
  if (subs && !args.subcommand) {
    process.stderr.write(`rxlab ${args.command}: give a subcommand: ${Object.keys(subs).join(', ')} (e.g. rxlab ${args.command} ${Object.keys(subs)[0]} pipelines/perceptron.yaml)\n`);
    return EXIT.invalid;
  }
  if (args.operands.length < commands[args.command].min) {
    const command = [args.command, args.subcommand].filter(Boolean).join(' ');
    process.stderr.write(`rxlab ${command}: give a pipeline file, e.g. rxlab ${command} pipelines/perceptron.yaml\n`);
    return EXIT.invalid;
  }
  try {
    return await (await handlers[args.command]())(args);
  } catch (err) {
    if (err instanceof UsageError || err instanceof SweepSpecError) {
      process.stderr.write(`rxlab ${args.command}: ${err.message}\n`);
      return EXIT.invalid;
    }
    if (err instanceof EnvironmentError) {
      if (args.json) json({ type: 'failed', status: 'refused', error: { message: err.message } });
      process.stderr.write(`rxlab ${args.command}: ${err.message}\n`);
      return err.exitCode;
    }
    if (!(err instanceof PipelineInputError)) return unexpected(args.command, err);
    if (args.json) json({ type: 'failed', status: 'invalid', error: { message: 'the pipeline file or the command line is invalid; nothing was run', diagnostics: err.diagnostics } });
    const show = (d: Diagnostic): string => (Object.hasOwn(err.sources, d.file) ? formatDiagnosticWithSource(d, err.sources[d.file]) : formatDiagnostic(d));
    process.stderr.write(`${err.diagnostics.map(show).join('\n')}\n`);
    process.stderr.write(`${err.diagnostics.length} error${err.diagnostics.length === 1 ? '' : 's'}; nothing was run\n`);
    return EXIT.invalid;
  }
}

/**
 * An error rxlab did not foresee is a bug in rxlab; the user still gets one line, not a
 * stack trace (RXLAB_DEBUG=1 shows it, for the bug report).
 */
function unexpected(command: Command, err: unknown): number {
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const stack = process.env.RXLAB_DEBUG && err instanceof Error ? `\n${err.stack}` : '';
  process.stderr.write(`rxlab ${command}: unexpected error (a bug in rxlab, please report it): ${message}; RXLAB_DEBUG=1 shows where${stack}\n`);
  return EXIT.failed;
}

async function plan(file: string, args: ParsedArgs): Promise<number> {
  const [{ describePlan, loadAndPlan }, { resolveStage }] = await Promise.all([import('./engine/index.ts'), import('./stages/registry.ts')]);
  process.stdout.write(`${describePlan(await loadAndPlan(file, { resolve: resolveStage, set: args.set, maxMemory: args.maxMemory }))}\n`);
  return EXIT.ok;
}

/**
 * A sweep's trial worker (`rxlab __trial-worker`, hidden from --help): runs trials with
 * rxlab's stages, and loads what trials need (the stages, tfjs, vega) while the sweep is
 * still getting ready rather than in the first trial. Only modules are loaded early.
 */
async function trialWorker(): Promise<number> {
  const [{ trialWorker: work }, { resolveStage }] = await Promise.all([import('./sweep/worker.ts'), import('./stages/registry.ts')]);
  return work(resolveStage, () => {
    for (const load of [() => import('./ml/index.ts'), () => import('./charts/render-here.ts')]) {
      load().catch(() => undefined); // a trial that needs it reports the failure
    }
  });
}
