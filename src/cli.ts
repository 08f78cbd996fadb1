/**
 * `rxlab run|plan FILE`: loads, plans and runs a pipeline; maps every outcome to an
 * exit code (0 success, 1 a stage failed or the run was interrupted, 2 invalid input).
 */
import { join, resolve } from 'node:path';
import { jsonDisplay, plainDisplay, ttyDisplay, type Display } from './cli/display.ts';
import { helpText, parseCliArgs, UsageError, type ParsedArgs } from './cli/options.ts';
import { PipelineInputError, formatDiagnostic } from './engine/errors.ts';
import { rxlabVersion } from './version.ts';

export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;


export async function main(argv: string[]): Promise<number> {
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
  if (!args.file) {
    process.stderr.write(`rxlab ${args.command}: give a pipeline file, e.g. rxlab ${args.command} pipelines/perceptron.yaml\n`);
    return EXIT.invalid;
  }
  try {
    return await (args.command === 'plan' ? plan(args.file, args) : run(args.file, args));
  } catch (err) {
    if (!(err instanceof PipelineInputError)) throw err;
    process.stderr.write(`${err.diagnostics.map(formatDiagnostic).join('\n')}\n`);
    process.stderr.write(`${err.diagnostics.length} error${err.diagnostics.length === 1 ? '' : 's'}; nothing was run\n`);
    return EXIT.invalid;
  }
}

/** The engine and the stages it registers, loaded only once a command needs them (--help stays instant). */
const loadEngine = async () => ({
  ...(await import('./engine/load.ts')),
  ...(await import('./engine/plan.ts')),
  ...(await import('./engine/execute.ts')),
});

async function plan(file: string, args: ParsedArgs): Promise<number> {
  const { loadPipeline, planPipeline, describePlan } = await loadEngine();
  const pipeline = await loadPipeline(file, { overrides: args.set });
  process.stdout.write(`${describePlan(planPipeline(pipeline))}\n`);
  return EXIT.ok;
}

async function run(file: string, args: ParsedArgs): Promise<number> {
  const { loadPipeline, planPipeline, executeRun } = await loadEngine();
  const pipeline = await loadPipeline(file, { overrides: args.set });
  const planned = planPipeline(pipeline);
  const outDir = resolve(args.out ?? join('outputs', pipeline.name));
  const write = (text: string): void => void process.stdout.write(text);
  const display: Display = args.json
    ? jsonDisplay(write)
    : process.stdout.isTTY
      ? ttyDisplay(planned.nodes.map((n) => n.spec.id), process.stdout)
      : plainDisplay(write);

  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const manifest = await executeRun(planned, { outDir, signal: controller.signal, onEvent: (e) => display.event(e) });
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);

  const seconds = (manifest.durationMs / 1000).toFixed(2);
  if (manifest.status === 'completed') {
    display.line(`run completed in ${seconds} s; artifacts in ${outDir}`);
  } else {
    display.line(`run ${manifest.status} after ${seconds} s: ${manifest.error}`);
  }
  display.close();
  return manifest.status === 'completed' ? EXIT.ok : EXIT.failed;
}
