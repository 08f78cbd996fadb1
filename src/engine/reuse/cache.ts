/**
 * The stage cache: a stage is skipped only when the lock says it ran with the same stage,
 * code, params, files read and inputs, and everything it produced is still in the output
 * folder and verified — every artifact by its sha256, every output value by its hash, the
 * lock's copy of its small JSON artifacts and metrics against what it made — and its
 * record there says it was computed by the rxlab code and package versions running now.
 * Nothing on disk is trusted without that check, so a tampered, missing or stale file
 * makes the stage run. Nothing is followed through a symbolic link.
 *
 * A stage and the stages reading its live streams run together or are reused together:
 * a consumer that runs needs the live stream, and one that can stop the stage (early
 * stopping) has a say in what it makes. So a stage is reused only if each of its live
 * consumers will be too, which is checked ahead, before they decide for themselves.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../../util/canonical.ts';
import { UnreadableFileError, hashRegularFile, readRegularFile } from '../../util/read-file.ts';
import { declaredChange, inputsChange, madeWithChange } from './changes.ts';
import { keyHash, type StageIdentity, type StageKey } from '../record/fingerprint.ts';
import { MAX_VALUES_BYTES, type LockEntry, type Lockfile } from '../record/lock.ts';
import type { Plan, PlanNode } from '../plan/plan.ts';
import { STATE_DIR } from '../record/folder.ts';
import { outputHash, readOutput, readRecord, type MadeWith } from '../record/state.ts';

/** What the cache checks against. */
export interface CacheContext {
  plan: Plan;
  lock: Lockfile | undefined;
  outDir: string;
  /** Each stage's identity, as the run took it. */
  identity: (node: PlanNode) => StageIdentity;
  /** What each stage's results are computed with now (rxlab's code, package versions). */
  madeWith: (node: PlanNode) => MadeWith;
  /** Stages that run whatever the lock says (`--force`). */
  forced: (node: PlanNode) => boolean;
}

/** What a verified stage hands on instead of running. */
export interface Stored {
  /** The output values the lock has hashes for (an optional output never emitted has none), read back only when they are needed… */
  outputs: () => Promise<Record<string, unknown>>;
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
  const stored = await verifyStored(node, entry!, ctx.outDir, ctx.madeWith(node));
  if ('reason' in stored) return stored;
  const consumer = await liveConsumerChange(node, keyHash(key), ctx);
  return consumer ? { reason: consumer.reason } : stored;
}

/**
 * Checks what the lock says `node` produced against the output folder, first difference
 * first: its artifacts (and the lock's copy of the small JSON ones), its record (what
 * computed it, its metrics) and its recorded output values.
 */
export async function verifyStored(node: PlanNode, entry: LockEntry, outDir: string, now: MadeWith): Promise<CacheAnswer> {
  const { id } = node.spec;
  const folder = join(outDir, id);
  const artifacts: Stored['artifacts'] = {};
  const names = Object.keys(entry.artifacts).sort((a, b) => a.localeCompare(b));
  if (names.length > 0) {
    const kind = await folderKind(folder);
    // A fresh clone has the lock but not the outputs: say so plainly.
    if (kind === 'missing') return { reason: `its folder ${id}/ is missing` };
    if (kind === 'other') return { reason: `its folder ${id}/ is not a folder rxlab made (a link, or a file)` };
  }
  for (const name of names) {
    const file = await hashRegularFile(join(folder, name), { noFollow: true }).catch((err: unknown) => {
      if (err instanceof UnreadableFileError) return err;
      throw err;
    });
    if (file instanceof UnreadableFileError) return { reason: file.reason === 'missing' ? `artifact ${name} missing` : `artifact ${name} replaced (${file.why})` };
    if (file.sha256 !== entry.artifacts[name]) return { reason: `artifact ${name} modified` };
    artifacts[name] = { sha256: file.sha256, bytes: file.bytes };
    if (Object.hasOwn(entry.values, name) && file.bytes <= MAX_VALUES_BYTES && !(await sameValues(join(folder, name), entry.values[name]))) {
      return { reason: `the lock's copy of ${name} differs from the file (was the lock edited?)` };
    }
  }
  const recordPath = `${STATE_DIR}/${id}/record.json`;
  const record = await readRecord(outDir, id);
  if ('missing' in record) return { reason: `no record of what made it (${recordPath} missing)` };
  if ('damaged' in record) return { reason: `its record ${recordPath} is damaged (${record.damaged})` };
  const changed = madeWithChange(record.madeWith, now);
  if (changed) return { reason: changed };
  const metric = Object.keys({ ...entry.metrics, ...record.metrics })
    .sort()
    .find((name) => entry.metrics[name] !== record.metrics[name]);
  if (metric !== undefined) {
    const show = (v: number | undefined): string => (v === undefined ? 'none' : String(v));
    return { reason: `the lock's metric ${metric} (${show(entry.metrics[metric])}) is not what it measured (${show(record.metrics[metric])}; was the lock edited?)` };
  }
  for (const [name, expected] of Object.entries(entry.outputs)) {
    const hash = await outputHash(outDir, id, name);
    if (typeof hash !== 'string') return { reason: 'missing' in hash ? `recorded output ${name} missing` : `recorded output ${name} damaged (${hash.damaged})` };
    if (hash !== expected) return { reason: `recorded output ${name} modified` };
  }
  const outputs = async (): Promise<Record<string, unknown>> => {
    const values: Record<string, unknown> = {};
    for (const [name, expected] of Object.entries(entry.outputs)) {
      const read = await readOutput(outDir, id, name, expected);
      // Verified a moment ago: only a change during the run gets here.
      if (!read) throw new Error(`${join(outDir, STATE_DIR, id)}: recorded output ${name} changed during the run; run again`);
      values[name] = read.value;
    }
    return values;
  };
  return { hit: { outputs, hashes: entry.outputs, artifacts, metrics: record.metrics } };
}

async function folderKind(path: string): Promise<'folder' | 'missing' | 'other'> {
  try {
    return (await lstat(path)).isDirectory() ? 'folder' : 'other';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'other';
  }
}

/** Whether a small JSON artifact holds what the lock's copy of it says (the same canonical JSON). */
async function sameValues(file: string, recorded: unknown): Promise<boolean> {
  try {
    const text = (await readRegularFile(file, { maxBytes: MAX_VALUES_BYTES, noFollow: true })).toString('utf8');
    return canonicalJson(JSON.parse(text)) === canonicalJson(recorded);
  } catch {
    return false;
  }
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
  const stored = await verifyStored(consumer, entry!, ctx.outDir, ctx.madeWith(consumer));
  if ('reason' in stored) return { reason: stored.reason, changesOutputs: false };
  return liveConsumerChange(consumer, keyHash(key), ctx);
}
