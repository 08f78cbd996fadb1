/**
 * `run.json`, the manifest of one run: what ran (resolved params, code and input hashes,
 * the versions of the packages that computed), how it went (status, timings, reasons) and
 * what it made (every artifact's sha256, every metric). Written whatever the ending.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type RunStatus = 'completed' | 'failed' | 'interrupted';

/** An artifact as run.json and the cache describe it. */
export interface ArtifactRecord {
  sha256: string;
  bytes: number;
}

export interface StageRecord {
  uses: string;
  params: Record<string, unknown>;
  /**
   * `cached`: skipped, its artifacts verified against the lock and reused; `failed`: the
   * stage whose error ended the run; `interrupted`: running when a signal stopped the run.
   */
  status: 'pending' | 'running' | 'completed' | 'cached' | 'failed' | 'interrupted';
  /** Why it ran instead of being reused (`params changed: epochs 1000 → 20`), when the run had a cache. */
  reason?: string;
  /** What decided its results: code, params hash, files read and the hash of each input, taken before it ran. */
  code?: string;
  /** A user's stage: the files its module imports → sha256. */
  imports?: Record<string, string>;
  paramsHash?: string;
  files?: Record<string, string>;
  inputs?: Record<string, string>;
  /** Hash of each finished output value, once it finished. */
  outputs?: Record<string, string>;
  startedAt?: string;
  durationMs?: number;
  artifacts: Record<string, ArtifactRecord>;
  /** Its declared metrics, by name, as it reported them. */
  metrics: Record<string, number>;
}

export interface RunManifest {
  pipeline: { name: string; file: string; sha256: string };
  /** The `--set` arguments the pipeline was loaded with. */
  overrides: string[];
  status: RunStatus;
  error?: string;
  startedAt: string;
  durationMs: number;
  environment: Record<string, string>;
  stages: Record<string, StageRecord>;
}

/** Every metric of a run as `stage.metric` → value, in stage order. */
export const runMetrics = (manifest: Pick<RunManifest, 'stages'>): Record<string, number> =>
  Object.fromEntries(Object.entries(manifest.stages).flatMap(([id, s]) => Object.entries(s.metrics ?? {}).map(([name, v]) => [`${id}.${name}`, v])));

/**
 * The installed version of each of `names` (resolved from `from`, a file or folder), leaving
 * out those not installed (tfjs-node where its native download failed).
 *
 * Found once per process: resolving a package that is not installed walks every
 * node_modules folder up to the root and throws, which made it most of an evaluate-only
 * run's time. The version found first is also the one whose code the process has loaded,
 * whatever is installed later.
 */
export function packageVersions(names: Iterable<string>, from: string): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const name of names) {
    const key = `${from}\u0000${name}`;
    if (!found.has(key)) found.set(key, installedVersion(createRequire(from), name));
    const version = found.get(key);
    if (version) versions[name] = version;
  }
  return versions;
}

const found = new Map<string, string | undefined>();

/**
 * The version in a package's package.json, or undefined when the package is not installed.
 * Packages whose `exports` hide their package.json (vega) are found from their entry point, walking up.
 */
function installedVersion(require: NodeJS.Require, name: string): string | undefined {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    // Hidden by `exports`, or not installed: try the entry point.
  }
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === name) return pkg.version;
  }
  return undefined;
}
