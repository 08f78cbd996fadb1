/**
 * `rxlab status`: what a run would do, without running anything. Each stage is compared
 * with its lock entry (stage, code, params), its inputs are predicted from its producers'
 * entries — a producer that will not change produces what the lock recorded, since stages
 * are deterministic — and its files in the output folder are verified as the cache
 * would. The reasons are the cache's own (changes.ts), so status and run agree.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { liveConsumerChange, verifyStored, type CacheContext } from './cache.ts';
import { declaredChange, inputsChange, liveReason } from './changes.ts';
import { keyHash, madeWith, stageIdentity } from '../record/fingerprint.ts';
import type { Lockfile } from '../record/lock.ts';
import type { Edge, Plan, PlanNode } from '../plan/plan.ts';

export type StageState = 'up to date' | 'changed' | 'never run';

export interface StatusRow {
  stage: string;
  state: StageState;
  /** Why it would run (`params changed: optimizer.lr 0.01 → 0.1`); absent when up to date. */
  reason?: string;
}

/** The state of every stage of `plan` against `lock` and the output folder `outDir`, in run order. */
export async function pipelineStatus(plan: Plan, lock: Lockfile | undefined, outDir: string): Promise<StatusRow[]> {
  const rows: StatusRow[] = [];
  // Stages whose outputs may differ from the lock's: their consumers' inputs are unknown.
  const moving = new Set<string>();
  // Stages that would run, even if only to remake the same files: their live consumers run with them.
  const running = new Set<string>();
  const identities = new Map(plan.nodes.map((n) => [n, stageIdentity(n.spec, plan.pipeline.dir)]));
  const made = new Map(plan.nodes.map((n) => [n, madeWith(n.spec)]));
  const ctx: CacheContext = { plan, lock, outDir, identity: (node) => identities.get(node)!, madeWith: (node) => made.get(node)!, forced: () => false };
  const add = (node: PlanNode, state: StageState, reason: string, changesOutputs: boolean): void => {
    rows.push({ stage: node.spec.id, state, reason });
    running.add(node.spec.id);
    if (changesOutputs) moving.add(node.spec.id);
  };
  for (const node of plan.nodes) {
    const { id, params } = node.spec;
    const entry = lock?.stages[id];
    if (!entry) {
      add(node, 'never run', lock ? 'not in the lock' : 'no lock file', true);
      continue;
    }
    const upstream = node.edges.find((e) => moving.has(e.from));
    const changed =
      declaredChange(entry, ctx.identity(node), params) ??
      (upstream ? `upstream ${upstream.from} changed` : inputsChange(entry, predictInputs(node.edges, lock!), node.edges));
    if (changed) {
      add(node, 'changed', changed, true);
      continue;
    }
    // From here on the stage, if it runs, makes again what the lock says (stages are deterministic).
    const live = node.edges.find((e) => e.stream && running.has(e.from));
    if (live) {
      add(node, 'changed', liveReason(live), false);
      continue;
    }
    if (!existsSync(join(outDir, id))) {
      add(node, 'never run', `no outputs in ${outDir} yet`, false);
      continue;
    }
    const stored = await verifyStored(node, entry, outDir, ctx.madeWith(node));
    const consumer = 'reason' in stored ? { reason: stored.reason, changesOutputs: false } : await liveConsumerChange(node, keyHash(entry), ctx);
    if (consumer) add(node, 'changed', consumer.reason, consumer.changesOutputs);
    else rows.push({ stage: id, state: 'up to date' });
  }
  return rows;
}

/** The input hashes a stage will see when its producers (all in the lock, none changing) produce what the lock says. */
function predictInputs(edges: readonly Edge[], lock: Lockfile): Record<string, string> {
  return Object.fromEntries(edges.map((e) => [e.port, e.stream ? keyHash(lock.stages[e.from]) : lock.stages[e.from].outputs[e.output]]));
}
