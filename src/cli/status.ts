/**
 * `rxlab status FILE`: which stages a run would reuse and which it would run, and why,
 * from the lock and the output folder alone. Exit 1 when something would run.
 */
import { loadAndPlan, pipelineStatus, readLock, runTarget } from '../engine/index.ts';
import { resolveStage } from '../stages/registry.ts';
import { shown } from '../util/paths.ts';
import { EXIT } from './exit.ts';
import type { ParsedArgs } from './options.ts';
import { formatTable } from './table.ts';

export async function statusCommand(file: string, args: ParsedArgs): Promise<number> {
  const plan = await loadAndPlan(file, { resolve: resolveStage, set: args.set, maxMemory: args.maxMemory });
  const target = runTarget(plan.pipeline, args);
  const rows = await pipelineStatus(plan, await readLock(target.lockFile), target.outDir);
  const stale = rows.filter((r) => r.state !== 'up to date');
  const lines = [
    `status of ${plan.pipeline.name}: lock ${shown(target.lockFile)}, outputs ${shown(target.outDir)}`,
    formatTable(['stage', 'status', 'reason'], rows.map((r) => [r.stage, r.state, r.reason ?? ''])),
    stale.length
      ? `${stale.length} of ${rows.length} stages would run: ${stale.map((r) => r.stage).join(', ')}`
      : `all ${rows.length} stages up to date; rxlab run would run nothing`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return stale.length ? EXIT.failed : EXIT.ok;
}
