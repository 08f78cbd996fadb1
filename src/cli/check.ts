/**
 * `rxlab check FILE`: proves that the pipeline as committed reproduces its lock. It runs
 * every stage from scratch (no cache) in a temporary folder, compares each artifact with
 * the lock and prints a table; exit 0 only when everything matches. Progress goes to
 * stderr, the table to stdout.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareLocks, formatNumber, type CheckRow } from '../engine/reuse/check.ts';
import { executeRun } from '../engine/run/execute.ts';
import { loadPipeline } from '../engine/load/load.ts';
import { lockFromRun, lockPathFor, readLock } from '../engine/record/lock.ts';
import { planPipeline } from '../engine/plan/plan.ts';
import { plainDisplay } from './display.ts';
import { EXIT } from './exit.ts';
import { untilInterrupted } from './interrupt.ts';
import type { ParsedArgs } from './options.ts';
import { shown } from './paths.ts';
import { formatTable } from './table.ts';

export async function checkCommand(file: string, args: ParsedArgs): Promise<number> {
  const pipeline = await loadPipeline(file);
  const plan = planPipeline(pipeline);
  const lockFile = lockPathFor(pipeline.file);
  const lock = await readLock(lockFile);
  if (!lock) {
    process.stderr.write(`rxlab check: no lock file ${shown(lockFile)}; run \`rxlab run ${file}\` first to record one\n`);
    return EXIT.failed;
  }
  const dir = await mkdtemp(join(tmpdir(), 'rxlab-check-'));
  try {
    process.stderr.write(`check: running ${pipeline.name} from scratch in ${dir}\n`);
    const progress = plainDisplay((text) => void process.stderr.write(text));
    const manifest = await untilInterrupted((signal) => executeRun(plan, { outDir: dir, signal, onEvent: (e) => progress.event(e) }));
    if (manifest.status !== 'completed') {
      process.stderr.write(`rxlab check: the run ${manifest.status}: ${manifest.error}\n`);
      return EXIT.failed;
    }
    const report = compareLocks(lock, await lockFromRun(plan, manifest, dir), {
      tolerance: args.tolerance,
      order: plan.nodes.map((n) => n.spec.id),
    });
    const lines = [
      `check ${pipeline.name} against ${shown(lockFile)}${args.tolerance === undefined ? '' : ` (JSON numbers within ±${formatNumber(args.tolerance)})`}`,
      formatTable(['stage', 'artifact', 'compared', 'result', 'detail'], report.rows.map(cells)),
      ...report.notes.map((note) => `note: ${note}`),
      summary(report.rows, report.ok, shown(lockFile)),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return report.ok ? EXIT.ok : EXIT.failed;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const cells = (r: CheckRow): string[] => [r.stage, r.artifact, r.compared, r.result, r.detail];

function summary(rows: CheckRow[], ok: boolean, lockFile: string): string {
  const counts = (['same', 'changed', 'missing', 'new'] as const).map((result) => [result, rows.filter((r) => r.result === result).length] as const);
  const told = counts.filter(([result, n]) => n > 0 || result === 'same').map(([result, n]) => `${n} ${result}`).join(', ');
  return ok ? `ok: ${told}; the pipeline reproduces its lock` : `drift: ${told}; the pipeline does not reproduce ${lockFile}`;
}
