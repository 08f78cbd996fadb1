/**
 * What a trial's result depends on besides its overrides, as hashes a job carries: the
 * pipeline file, each user stage module with the local modules it imports (transitively),
 * and rxlab's own code. A worker computes the same for its checkout and refuses a job
 * whose hashes differ, naming what differs, rather than return results the coordinator's
 * code would not have computed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import { rxlabCodeHash } from '../code-identity.ts';

export interface TrialIdentity {
  /** sha256 of the pipeline file's bytes. */
  pipeline: string;
  /** Each user stage module and each local module it imports, by path relative to the checkout (with `/`) → sha256. */
  stages: Record<string, string>;
  /** rxlab's code: `rxlabCodeHash()`. */
  rxlab: string;
}

/** Computes a pipeline file's identity; `file` is relative to the checkout (or absolute). */
export type IdentityOf = (file: string) => Promise<TrialIdentity>;

const sha256 = (content: Uint8Array): string => createHash('sha256').update(content).digest('hex');

/** As stages/registry.ts tells a module path from a built-in stage's name. */
const isModulePath = (uses: string): boolean => uses.startsWith('./') || uses.startsWith('../') || uses.startsWith('/');

/**
 * The identity of `file` in the checkout at `root`, with `rxlab` as rxlab's code hash.
 * Cached per file for as long as the files it hashed keep their size and modification
 * time, so a worker pays for it once, not once per trial.
 */
export function checkoutIdentity(root: string, rxlab: () => string = rxlabCodeHash): IdentityOf {
  const cache = new Map<string, { stamp: string; identity: TrialIdentity }>();
  return async (file) => {
    const path = resolve(root, file);
    const cached = cache.get(path);
    if (cached && cached.stamp === stampOf([path, ...Object.keys(cached.identity.stages).map((f) => resolve(root, f))])) return cached.identity;
    const source = readFileSync(path);
    const modules = stageModules(source.toString('utf8'), dirname(path));
    const stages: Record<string, string> = {};
    for (const module of modules) stages[relative(root, module).split(sep).join('/')] = sha256(readFileSync(module));
    const identity: TrialIdentity = { pipeline: sha256(source), stages, rxlab: rxlab() };
    cache.set(path, { stamp: stampOf([path, ...modules]), identity });
    return identity;
  };
}

/** Size and modification time of each file (`-` for one that is gone). */
function stampOf(files: string[]): string {
  return files
    .map((f) => {
      const s = statSync(f, { throwIfNoEntry: false });
      return s ? `${s.size}:${s.mtimeMs}` : '-';
    })
    .join('|');
}

/**
 * The user stage modules a pipeline's text names in `uses:` (relative to `dir`) that
 * exist, and every local module they import, sorted. A file that does not parse or a
 * module that is missing adds nothing: loading the pipeline reports those.
 */
export function stageModules(text: string, dir: string): string[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return [];
  }
  const stages = (doc as { stages?: unknown } | null)?.stages;
  if (typeof stages !== 'object' || stages === null) return [];
  const found = new Set<string>();
  const visit = (file: string): void => {
    if (found.has(file)) return;
    found.add(file);
    for (const spec of localImports(readFileSync(file, 'utf8'))) {
      const target = resolveImport(resolve(dirname(file), spec));
      if (target) visit(target);
    }
  };
  for (const entry of Object.values(stages)) {
    const uses = (entry as { uses?: unknown } | null)?.uses;
    if (typeof uses !== 'string' || !isModulePath(uses)) continue;
    const file = isAbsolute(uses) ? uses : resolve(dir, uses);
    if (existsSync(file) && statSync(file).isFile()) visit(file);
  }
  return [...found].sort();
}

/**
 * The relative specifiers a module imports: `import … from './x'`, `export … from '../y'`,
 * `import './z'`, `import('./w')`, `require('./v')`. A scan, not a parse: a specifier in a
 * comment or a string counts too, which can only make the identity stricter.
 */
export function localImports(source: string): string[] {
  const specs = new Set<string>();
  for (const match of source.matchAll(/(?:\bfrom|\bimport|\brequire\s*\(|\bimport\s*\()\s*(['"])(\.\.?\/[^'"\n]*)\1/g)) specs.add(match[2]);
  return [...specs];
}

/** A relative import as Node (with tsx) resolves it: the file itself, its TypeScript twin, an extension or an index. */
function resolveImport(base: string): string | undefined {
  const ext = extname(base);
  const twins: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts', '.jsx': '.tsx' };
  const candidates = [base];
  if (twins[ext]) candidates.push(base.slice(0, -ext.length) + twins[ext]);
  if (!ext) candidates.push(...['.ts', '.mts', '.tsx', '.js', '.mjs', '.json'].map((e) => base + e), ...['index.ts', 'index.js'].map((i) => `${base}/${i}`));
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** What differs between the job's identity and this checkout's, one phrase each; empty when they match. */
export function identityDifferences(job: TrialIdentity, here: TrialIdentity, file: string): string[] {
  const short = (hash: string | undefined): string => (hash ? `${hash.slice(0, 12)}…` : 'none');
  const differences: string[] = [];
  if (job.pipeline !== here.pipeline) differences.push(`the pipeline ${file} (sha256 ${short(job.pipeline)} in the job, ${short(here.pipeline)} here)`);
  for (const module of [...new Set([...Object.keys(job.stages), ...Object.keys(here.stages)])].sort()) {
    if (job.stages[module] === here.stages[module]) continue;
    if (!(module in here.stages)) differences.push(`the stage module ${module} (not used by this checkout's pipeline)`);
    else if (!(module in job.stages)) differences.push(`the stage module ${module} (used here, not in the job)`);
    else differences.push(`the stage module ${module} (sha256 ${short(job.stages[module])} in the job, ${short(here.stages[module])} here)`);
  }
  if (job.rxlab !== here.rxlab) differences.push(`rxlab's code (sha256 ${short(job.rxlab)} in the job, ${short(here.rxlab)} here)`);
  return differences;
}
