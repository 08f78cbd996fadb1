/**
 * `rxlab check [FILE|GLOB …]`: proves that each pipeline as committed reproduces its
 * lock. It runs every stage from scratch (no cache) in a temporary folder, compares each
 * artifact with the lock and prints a table; exit 0 only when every pipeline matches.
 * With no argument, every pipeline of the project. The tables go to stdout first; the
 * runs' progress only with -v (plain, on stderr) or on a terminal (a live region that
 * clears itself). `--junit FILE` and `--format github` report to CI as well.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { PipelineInputError, formatDiagnostic, formatDiagnosticWithSource, formatNumber, projectRoot, type CheckRow } from '../engine/index.ts';
import { recordedCheck } from '../exp/record.ts';
import { resolveStage } from '../stages/registry.ts';
import { shown } from '../util/paths.ts';
import { githubAnnotations, githubSummary } from './check-github.ts';
import type { CheckOutcome } from './check-report.ts';
import { junitReport } from './check-junit.ts';
import { liveDisplay, plainDisplay, type Display } from './display.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import type { ParsedArgs } from './options.ts';
import { formatTable } from './table.ts';
import { UsageError } from './options.ts';

/** Folders never searched for pipelines. */
const NOT_PIPELINES = ['**/node_modules/**', '**/outputs/**', '**/.*/**'];

/**
 * The files to check: each operand as a file, or expanded when it is a glob; with none,
 * the project's pipelines: every YAML file with a `stages:` map in `pipelines/` (and its
 * subfolders) of the project root, the folder with package.json or .git above the working directory.
 */
export async function pipelinesToCheck(operands: readonly string[]): Promise<string[]> {
  if (operands.length === 0) {
    const folder = join(projectRoot(process.cwd()), 'pipelines');
    const found = existsSync(folder) ? await glob(['**/*.yaml', '**/*.yml'], { cwd: folder, ignore: NOT_PIPELINES, absolute: true }) : [];
    const pipelines: string[] = [];
    for (const file of found.sort()) if (/^stages:/m.test(await readFile(file, 'utf8'))) pipelines.push(shown(file));
    if (pipelines.length === 0) throw new UsageError(`no pipeline files in ${shown(folder)} (YAML files with a stages: map); give them, e.g. rxlab check experiments/*.yaml`);
    return pipelines;
  }
  const files: string[] = [];
  for (const operand of operands) {
    if (!/[*?[\]{}]/.test(operand)) {
      files.push(operand);
      continue;
    }
    const matched = (await glob(operand, { ignore: NOT_PIPELINES })).sort();
    if (matched.length === 0) throw new UsageError(`no file matches ${operand}`);
    files.push(...matched);
  }
  return [...new Set(files)];
}

export async function checkCommand(args: ParsedArgs): Promise<number> {
  const files = await pipelinesToCheck(args.operands);
  const outcomes: CheckOutcome[] = [];
  const say = (text: string): void => void process.stdout.write(`${text}\n`);
  for (const file of files) {
    // One file refused is the command's error (exit 2); among several, one outcome of many.
    const outcome = await checkOne(file, args, files.length > 1);
    outcomes.push(outcome);
    if (outcome.check?.report) say(`${outcomes.length > 1 ? '\n' : ''}${describe(outcome, args.tolerance)}`);
    else process.stderr.write(`rxlab check${files.length > 1 ? ` ${file}` : ''}: ${outcome.error}\n`);
    if (args.format === 'github') for (const line of githubAnnotations(outcome)) say(line);
    if (outcome.check?.manifest?.status === 'interrupted') break;
  }
  if (files.length > 1) {
    const passed = outcomes.filter((o) => o.ok).length;
    say(`\n${passed} of ${files.length} pipelines reproduce their locks${passed < files.length ? `; not: ${outcomes.filter((o) => !o.ok).map((o) => o.file).join(', ')}` : ''}`);
  }
  if (args.junit) {
    await writeReport(args.junit, junitReport(outcomes));
    say(`JUnit report in ${shown(resolve(args.junit))}`);
  }
  const summaryFile = process.env.GITHUB_STEP_SUMMARY;
  if (args.format === 'github' && summaryFile) await appendFile(summaryFile, githubSummary(outcomes));
  return outcomes.every((o) => o.ok) ? EXIT.ok : EXIT.failed;
}

async function writeReport(file: string, text: string): Promise<void> {
  const { writeAtomic } = await import('../engine/index.ts');
  await writeAtomic(resolve(file), text);
}

/** The progress of a check's run: none by default, live on a terminal, plain lines with -v. */
async function progressDisplay(args: ParsedArgs, stages: string[]): Promise<Display | undefined> {
  if (args.verbose) return plainDisplay((text) => void process.stderr.write(text), { verbose: true });
  if (process.stderr.isTTY) return liveDisplay(stages, process.stderr, { quiet: true });
  return undefined;
}

/** Checks one file; an invalid file or a failed run is an outcome, not a throw, so the other files are still checked. */
async function checkOne(file: string, args: ParsedArgs, many: boolean): Promise<CheckOutcome> {
  const started = performance.now();
  let display: Display | undefined;
  try {
    const check = await untilInterrupted((signal) =>
      recordedCheck(
        file,
        {
          resolve: resolveStage,
          maxMemory: args.maxMemory,
          tolerance: args.tolerance,
          signal,
          onStart: async (plan, dir) => {
            if (args.verbose) process.stderr.write(`check: running ${plan.pipeline.name} from scratch in ${dir}\n`);
            display = await progressDisplay(args, plan.nodes.map((n) => n.spec.id));
          },
          onEvent: (e) => display?.event(e),
        },
        { onWarning: (text) => void process.stderr.write(`rxlab check: ${text}\n`) },
      ),
    );
    display?.close();
    if (args.verbose && check.reportFile) process.stderr.write(`check: report in ${shown(check.reportFile)}\n`);
    const durationMs = performance.now() - started;
    if (!check.committed) return { file, check, durationMs, ok: false, error: `no lock file ${shown(check.lockFile)}; run \`rxlab run ${file}\` first to record one` };
    if (!check.report) return { file, check, durationMs, ok: false, error: `the run ${check.manifest!.status}: ${check.manifest!.error}` };
    return { file, check, durationMs, ok: check.report.ok };
  } catch (err) {
    display?.close();
    if (!(err instanceof PipelineInputError) || !many) throw err;
    const shownDiagnostics = err.diagnostics.map((d) => (Object.hasOwn(err.sources, d.file) ? formatDiagnosticWithSource(d, err.sources[d.file]) : formatDiagnostic(d)));
    return { file, durationMs: performance.now() - started, ok: false, line: err.diagnostics[0]?.line ?? 0, error: `invalid pipeline file; nothing was run\n${shownDiagnostics.join('\n')}` };
  }
}

const cells = (r: CheckRow): string[] => [r.stage, r.artifact, r.compared, r.result, r.detail];

/** A pipeline's table and verdict, or what stopped it from being compared. */
function describe(outcome: CheckOutcome, tolerance: number | undefined): string {
  const { check } = outcome;
  const { report, plan, lockFile } = check!;
  if (!report) return '';
  const lines = [
    `check ${plan.pipeline.name} against ${shown(lockFile)}${tolerance === undefined ? '' : ` (JSON numbers within ±${formatNumber(tolerance)})`}`,
    formatTable(['stage', 'artifact', 'compared', 'result', 'detail'], report.rows.map(cells)),
    ...report.notes.map((note) => `note: ${note}`),
    verdict(report.rows, report.ok, shown(lockFile)),
  ];
  return lines.join('\n');
}

function verdict(rows: CheckRow[], ok: boolean, lockFile: string): string {
  const counts = (['same', 'changed', 'missing', 'new'] as const).map((result) => [result, rows.filter((r) => r.result === result).length] as const);
  const told = counts.filter(([result, n]) => n > 0 || result === 'same').map(([result, n]) => `${n} ${result}`).join(', ');
  return ok ? `ok: ${told}; the pipeline reproduces its lock` : `drift: ${told}; the pipeline does not reproduce ${lockFile}`;
}
