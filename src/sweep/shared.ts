/**
 * Which stages a sweep can share between its trials: those that no swept param reaches.
 * A swept stage and everything downstream of it differ per trial; the rest (typically
 * the data) runs once, and each trial reuses it through the stage cache.
 */
import type { Plan } from '../engine/index.ts';

/** Ids of the stages no swept param reaches, in run order. `sweptStages` are the stage ids the grid names. */
export function sharedStages(plan: Plan, sweptStages: ReadonlySet<string>): string[] {
  const affected = new Set(sweptStages);
  // Plan order is topological: one pass carries "affected" downstream.
  for (const node of plan.nodes) {
    if (node.edges.some((e) => affected.has(e.from))) affected.add(node.spec.id);
  }
  return plan.nodes.map((n) => n.spec.id).filter((id) => !affected.has(id));
}
