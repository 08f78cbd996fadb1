/**
 * `rxlab check FILE`: proves that the pipeline as committed reproduces its lock. It runs
 * every stage from scratch (no cache) in a temporary folder, compares each artifact with
 * the lock and prints a table; exit 0 only when everything matches. Progress goes to
 * stderr, the table to stdout.
 */
import { checkPipeline, formatNumber, type CheckRow } from '../engine/index.ts';
import { resolveStage } from '../stages/registry.ts';
import { shown } from '../util/paths.ts';
import { plainDisplay } from './display.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import type { ParsedArgs } from './options.ts';
import { formatTable } from './table.ts';

export async function checkCommand(file: string, args: ParsedArgs): Promise<number> {
  const progress = plainDisplay((text) => void process.stderr.write(text));
  const { plan, lockFile, committed, manifest, report } = await untilInterrupted((signal) =>
    checkPipeline(file, {
      resolve: resolveStage,
      maxMemory: args.maxMemory,
      tolerance: args.tolerance,
      signal,
      onStart: (p, dir) => void process.stderr.write(`check: running ${p.pipeline.name} from scratch in ${dir}\n`),
      onEvent: (e) => progress.event(e),
    }),
  );
  if (!committed) {
    process.stderr.write(`rxlab check: no lock file ${shown(lockFile)}; run \`rxlab run ${file}\` first to record one\n`);
    return EXIT.failed;
  }
  if (!report) {
    process.stderr.write(`rxlab check: the run ${manifest!.status}: ${manifest!.error}\n`);
    return EXIT.failed;
  }
  const lines = [
    `check ${plan.pipeline.name} against ${shown(lockFile)}${args.tolerance === undefined ? '' : ` (JSON numbers within ±${formatNumber(args.tolerance)})`}`,
    formatTable(['stage', 'artifact', 'compared', 'result', 'detail'], report.rows.map(cells)),
    ...report.notes.map((note) => `note: ${note}`),
    summary(report.rows, report.ok, shown(lockFile)),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return report.ok ? EXIT.ok : EXIT.failed;
}

const cells = (r: CheckRow): string[] => [r.stage, r.artifact, r.compared, r.result, r.detail];

function summary(rows: CheckRow[], ok: boolean, lockFile: string): string {
  const counts = (['same', 'changed', 'missing', 'new'] as const).map((result) => [result, rows.filter((r) => r.result === result).length] as const);
  const told = counts.filter(([result, n]) => n > 0 || result === 'same').map(([result, n]) => `${n} ${result}`).join(', ');
  return ok ? `ok: ${told}; the pipeline reproduces its lock` : `drift: ${told}; the pipeline does not reproduce ${lockFile}`;
}
