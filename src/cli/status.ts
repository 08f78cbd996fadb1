/**
 * `rxlab status FILE`: which stages a run would reuse and which it would run, and why,
 * from the lock and the output folder alone. Exit 1 when something would run.
 */
import { loadPipeline } from '../engine/load/load.ts';
import { readLock } from '../engine/record/lock.ts';
import { planPipeline } from '../engine/plan/plan.ts';
import { pipelineStatus } from '../engine/reuse/status.ts';
import { EXIT } from './exit.ts';
import type { ParsedArgs } from './options.ts';
import { shown } from './paths.ts';
import { formatTable } from './table.ts';
import { runTarget } from '../engine/record/target.ts';

export async function statusCommand(file: string, args: ParsedArgs): Promise<number> {
  const pipeline = await loadPipeline(file, { overrides: args.set });
  const plan = planPipeline(pipeline);
  const target = runTarget(pipeline, args);
  const rows = await pipelineStatus(plan, await readLock(target.lockFile), target.outDir);
  const stale = rows.filter((r) => r.state !== 'up to date');
  const lines = [
    `status of ${pipeline.name}: lock ${shown(target.lockFile)}, outputs ${shown(target.outDir)}`,
    formatTable(['stage', 'status', 'reason'], rows.map((r) => [r.stage, r.state, r.reason ?? ''])),
    stale.length
      ? `${stale.length} of ${rows.length} stages would run: ${stale.map((r) => r.stage).join(', ')}`
      : `all ${rows.length} stages up to date; rxlab run would run nothing`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return stale.length ? EXIT.failed : EXIT.ok;
}
