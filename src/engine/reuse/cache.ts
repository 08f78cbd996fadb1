/**
 * The stage cache: a stage is skipped only when the lock says it ran with the same stage,
 * code, params and inputs, and everything it produced is still in the output folder and
 * verified — every artifact by its sha256, every output value by its hash. Nothing on
 * disk is trusted without that check, so a tampered or missing file makes the stage run.
 *
 * A stage and the stages reading its live streams run together or are reused together:
 * a consumer that runs needs the live stream, and one that can stop the stage (early
 * stopping) has a say in what it makes. So a stage is reused only if each of its live
 * consumers will be too, which is checked ahead, before they decide for themselves.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hashValue } from '../../util/canonical.ts';
import { declaredChange, inputsChange } from './changes.ts';
import { keyHash, type StageIdentity, type StageKey } from '../record/fingerprint.ts';
import type { LockEntry, Lockfile } from '../record/lock.ts';
import type { Plan, PlanNode } from '../plan/plan.ts';
import { sha256 } from '../../util/canonical.ts';
import { readOutputs } from '../record/state.ts';

/** What the cache checks against. */
export interface CacheContext {
  plan: Plan;
  lock: Lockfile | undefined;
  outDir: string;
  /** Each stage's identity, as the run took it. */
  identity: (node: PlanNode) => StageIdentity;
  /** Stages that run whatever the lock says (`--force`). */
  forced: (node: PlanNode) => boolean;
}

/** What a verified stage hands on instead of running. */
export interface Stored {
  /** The output values the lock has hashes for (an optional output never emitted has none)… */
  outputs: Record<string, unknown>;
  /** …and those hashes, verified. */
  hashes: Record<string, string>;
  artifacts: Record<string, { sha256: string; bytes: number }>;
  /** The metrics it reported when it ran. */
  metrics: Record<string, number>;
}

/** Either what to reuse, or why the stage has to run. */
export type CacheAnswer = { hit: Stored } | { reason: string };

/** Why a stage has to run, and whether that can change what it makes (its consumers' inputs). */
export interface Change {
  reason: string;
  changesOutputs: boolean;
}

/**
 * Decides whether `node`, whose inputs hash as `key.inputs`, can be skipped: the lock
 * entry's identity and inputs first (no file read), then its files, then its live consumers.
 */
export async function lookupCache(node: PlanNode, key: StageKey, ctx: CacheContext): Promise<CacheAnswer> {
  if (ctx.forced(node)) return { reason: 'forced' };
  const entry = ctx.lock?.stages[node.spec.id];
  const reason = declaredChange(entry, key, node.spec.params) ?? inputsChange(entry!, key.inputs, node.edges);
  if (reason) return { reason };
  const stored = await verifyStored(node, entry!, ctx.outDir);
  if ('reason' in stored) return stored;
  const consumer = await liveConsumerChange(node, keyHash(key), ctx);
  return consumer ? { reason: consumer.reason } : stored;
}

/** Checks what the lock says `node` produced against the output folder, first difference first. */
export async function verifyStored(node: PlanNode, entry: LockEntry, outDir: string): Promise<CacheAnswer> {
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
  const recorded = await readOutputs(outDir, id);
  if (!recorded) return { reason: 'recorded outputs missing' };
  const outputs: Stored['outputs'] = {};
  for (const [name, expected] of Object.entries(entry.outputs)) {
    if (!Object.hasOwn(recorded, name) || hashValue(recorded[name]) !== expected) return { reason: `recorded output ${name} modified` };
    outputs[name] = recorded[name];
  }
  return { hit: { outputs, hashes: entry.outputs, artifacts, metrics: entry.metrics } };
}

/**
 * The first live consumer of `producer` (whose key hashes as `producerKey`) that could
 * not be reused with it, checked before that consumer's turn: its inputs are then known
 * only when they all are `producer`'s live streams.
 */
export async function liveConsumerChange(producer: PlanNode, producerKey: string, ctx: CacheContext): Promise<Change | undefined> {
  for (const consumer of ctx.plan.nodes.filter((n) => n.edges.some((e) => e.stream && e.from === producer.spec.id))) {
    const change = await consumerChange(producer, consumer, producerKey, ctx);
    if (change) return { ...change, reason: `live consumer ${consumer.spec.id}: ${change.reason}` };
  }
  return undefined;
}

async function consumerChange(producer: PlanNode, consumer: PlanNode, producerKey: string, ctx: CacheContext): Promise<Change | undefined> {
  if (ctx.forced(consumer)) return { reason: 'forced', changesOutputs: false };
  if (!consumer.edges.every((e) => e.stream && e.from === producer.spec.id)) {
    return { reason: `it also reads other inputs, not known before ${producer.spec.id} starts`, changesOutputs: true };
  }
  const entry = ctx.lock?.stages[consumer.spec.id];
  const key: StageKey = { ...ctx.identity(consumer), inputs: Object.fromEntries(consumer.edges.map((e) => [e.port, producerKey])) };
  const reason = declaredChange(entry, key, consumer.spec.params) ?? inputsChange(entry!, key.inputs, consumer.edges);
  if (reason) return { reason, changesOutputs: true };
  const stored = await verifyStored(consumer, entry!, ctx.outDir);
  if ('reason' in stored) return { reason: stored.reason, changesOutputs: false };
  return liveConsumerChange(consumer, keyHash(key), ctx);
}
