/**
 * The stage cache: a stage is skipped only when the lock says it ran with the same stage,
 * code, params and inputs, and everything it produced is still in the output folder and
 * verified — every artifact by its sha256, every output value by its hash. Nothing on
 * disk is trusted without that check, so a tampered or missing file makes the stage run.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashValue } from './canonical.ts';
import { declaredChange, inputsChange, stopperChange, type IdentityOf } from './changes.ts';
import type { StageKey } from './fingerprint.ts';
import type { LockEntry, Lockfile } from './lock.ts';
import type { Plan, PlanNode } from './plan.ts';
import { sha256 } from './record.ts';
import { readState } from './state.ts';

/** What a verified stage hands on instead of running. */
export interface Stored {
  /** The output values the lock has hashes for (an optional output never emitted has none)… */
  outputs: Record<string, unknown>;
  /** …and those hashes, verified. */
  hashes: Record<string, string>;
  /** The recorded values of its streams that a stage of the plan consumes live. */
  streams: Record<string, unknown[]>;
  artifacts: Record<string, { sha256: string; bytes: number }>;
}

/** Either what to reuse, or why the stage has to run. */
export type CacheAnswer = { hit: Stored } | { reason: string };

/**
 * Decides whether `node`, whose inputs hash as `key.inputs`, can be skipped: the lock
 * entry's identity and inputs first, then its live consumers (no file read so far), then
 * the files in `outDir`.
 */
export async function lookupCache(plan: Plan, node: PlanNode, key: StageKey, identity: IdentityOf, lock: Lockfile | undefined, outDir: string): Promise<CacheAnswer> {
  const entry = lock?.stages[node.spec.id];
  const reason =
    declaredChange(entry, key, node.spec.params) ?? inputsChange(entry!, key.inputs, node.edges) ?? stopperChange(plan, node.spec.id, lock, identity);
  return reason ? { reason } : verifyStored(plan, node, entry!, outDir);
}

/** The outputs of a stage that some stage of the plan consumes live: their values are recorded for replay. */
export const consumedStreams = (plan: Plan, stageId: string): Set<string> =>
  new Set(plan.nodes.flatMap((n) => n.edges.filter((e) => e.stream && e.from === stageId).map((e) => e.output)));

/** Checks what the lock says `node` produced against the output folder, first difference first. */
export async function verifyStored(plan: Plan, node: PlanNode, entry: LockEntry, outDir: string): Promise<CacheAnswer> {
  const { id } = node.spec;
  const artifacts: Stored['artifacts'] = {};
  for (const [name, expected] of Object.entries(entry.artifacts).sort(([a], [b]) => a.localeCompare(b))) {
    let content: Buffer;
    try {
      content = await readFile(join(outDir, id, name));
    } catch {
      return { reason: `artifact ${name} missing` };
    }
    const hash = sha256(content);
    if (hash !== expected) return { reason: `artifact ${name} modified` };
    artifacts[name] = { sha256: hash, bytes: content.byteLength };
  }
  const state = await readState(outDir, id);
  if (!state.outputs) return { reason: 'recorded outputs missing' };
  const outputs: Stored['outputs'] = {};
  for (const [name, expected] of Object.entries(entry.outputs)) {
    if (!Object.hasOwn(state.outputs, name) || hashValue(state.outputs[name]) !== expected) return { reason: `recorded output ${name} modified` };
    outputs[name] = state.outputs[name];
  }
  const streams: Stored['streams'] = {};
  for (const name of consumedStreams(plan, id)) {
    const values = state.streams?.[name];
    if (!Array.isArray(values)) return { reason: `recorded stream ${name} missing` };
    streams[name] = values;
  }
  return { hit: { outputs, hashes: entry.outputs, streams, artifacts } };
}
