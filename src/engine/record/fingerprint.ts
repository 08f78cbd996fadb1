/**
 * What decides a stage's results, as hashes: which stage it is, its code (a user's module
 * and the files it imports), its params, the files it reads and its inputs. The cache, the
 * lock, `status` and `check` all compare these. What the code runs on — rxlab's own code
 * and the versions of the packages the stage declares — is `madeWith`, recorded with the
 * stage's results in its output folder (state.ts) rather than in the lock, so that the
 * committed lock names what the experiment is and stays put while rxlab's code changes
 * (`check` re-runs it to prove the results are still the same).
 */
import { statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { rxlabSourceHash } from '../../code-identity.ts';
import { hashValue } from '../../util/canonical.ts';
import { UnreadableFileError, hashRegularFileSync, readRegularFileSync } from '../../util/read-file.ts';
import { rxlabRoot, rxlabVersion } from '../../version.ts';
import type { StageSpec } from '../load/pipeline.ts';
import { packageVersions } from './manifest.ts';
import type { MadeWith } from './state.ts';

/** Everything about a stage but its inputs; known before anything runs. */
export interface StageIdentity {
  /** As written after `uses:`. */
  uses: string;
  /** `rxlab@0.1.0` for a built-in stage; `sha256:<hex>` of the module file for a user's stage. */
  code: string;
  /** A user's stage: the files its module imports (relative ones, followed), as paths relative to the pipeline file → sha256. */
  imports?: Record<string, string>;
  /** sha256 of the canonical JSON of the resolved params. */
  paramsHash: string;
  /** The files the stage reads (its `reads`, as the params name them) → sha256 of their content, or `missing`. */
  files?: Record<string, string>;
}

/** The identity plus the hash of each input port, taken when the inputs are ready and before the stage runs. */
export interface StageKey extends StageIdentity {
  inputs: Record<string, string>;
}

/** What `files` records for a file that is not there (or cannot be read). */
export const MISSING_FILE = 'missing';

/** A stage module, or a file it imports, larger than this is not code anyone wrote by hand; it is hashed all the same. */
const MAX_MODULE_BYTES = 16 * 1024 * 1024;
/** How many files a user's module may pull in through relative imports before rxlab stops following them. */
const MAX_IMPORTS = 2000;

/**
 * The identity of a stage in a pipeline whose file is in `pipelineDir`, taken now: a
 * user's module and the files it imports as they are on disk, and each file the stage reads.
 */
export function stageIdentity(spec: StageSpec, pipelineDir: string): StageIdentity {
  const identity: StageIdentity = { uses: spec.uses, code: spec.module ? `sha256:${contentHash(spec.module)}` : builtinCode(), paramsHash: hashValue(spec.params) };
  if (spec.module) {
    const imports = localImports(spec.module);
    if (imports.size > 0) identity.imports = Object.fromEntries([...imports].map(([file, hash]) => [relative(pipelineDir, file).split(sep).join('/'), hash]));
  }
  const reads = spec.stage.reads(spec.params);
  if (reads.length > 0) identity.files = Object.fromEntries(reads.map((path) => [path, contentHash(resolve(pipelineDir, path))]));
  return identity;
}

/** A built-in stage's code as the lock names it: rxlab's version (its code itself is keyed by `madeWith`). */
export const builtinCode = (): string => `rxlab@${rxlabVersion()}`;

/** What the stage's results are computed with: rxlab's code, and the installed versions of the packages the stage declares. */
export function madeWith(spec: StageSpec): MadeWith {
  // A user's stage takes its packages from its own project.
  const from = spec.module ?? join(rxlabRoot(), 'package.json');
  return { rxlab: rxlabSourceHash(), packages: packageVersions([...spec.stage.packages].sort(), from) };
}

function contentHash(file: string): string {
  try {
    return hashRegularFileSync(file).sha256;
  } catch (err) {
    // The loader refused what is not a regular file; one gone since is for the stage to report.
    if (err instanceof UnreadableFileError) return MISSING_FILE;
    throw err;
  }
}

/**
 * The files `module` imports by relative path (`./helpers.ts`, `../lib/noise.js`), and
 * theirs in turn, each → its sha256. Packages (`rxlab`, `rxjs`) are not followed — their
 * versions are keyed instead — nor is rxlab's own code (its hash is keyed), and an import
 * whose path is computed at run time cannot be seen. Found by reading the source for
 * import and require specifiers: a commented-out import counts too, which can only make
 * the cache more careful.
 */
export function localImports(module: string): Map<string, string> {
  const found = new Map<string, string>();
  const root = rxlabRoot();
  const own = [join(root, 'src') + sep, join(root, 'dist') + sep];
  const pending = [module];
  const seen = new Set([module]);
  while (pending.length > 0 && found.size < MAX_IMPORTS) {
    const file = pending.pop()!;
    let source: string;
    try {
      source = readRegularFileSync(file, { maxBytes: MAX_MODULE_BYTES }).toString('utf8');
    } catch {
      continue;
    }
    for (const specifier of relativeSpecifiers(source)) {
      const target = resolveImport(dirname(file), specifier);
      if (!target || seen.has(target)) continue;
      seen.add(target);
      if (own.some((dir) => target.startsWith(dir)) || target.split(sep).includes('node_modules')) continue;
      found.set(target, contentHash(target));
      pending.push(target);
    }
  }
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const SPECIFIER = /\b(?:from|import|require)\s*\(?\s*(['"`])(\.\.?\/[^'"`\n]*)\1/g;

/** The relative specifiers in `import … from './x'`, `import './x'`, `export … from './x'`, `import('./x')`, `require('./x')`. */
export const relativeSpecifiers = (source: string): string[] => [...source.matchAll(SPECIFIER)].map((m) => m[2]);

/** Extensions tried for an import without one, and the TypeScript sources a `.js` import may stand for. */
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
const TS_FOR_JS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

/** The file a relative specifier names, as Node (and tsx, for TypeScript) would find it; undefined when none exists. */
function resolveImport(dir: string, specifier: string): string | undefined {
  const base = resolve(dir, specifier.replace(/[?#].*$/, ''));
  const ext = /\.[a-z]+$/i.exec(base)?.[0] ?? '';
  const candidates = [
    base,
    ...(TS_FOR_JS[ext] ?? []).map((ts) => base.slice(0, -ext.length) + ts),
    ...EXTENSIONS.map((e) => base + e),
    ...EXTENSIONS.map((e) => join(base, `index${e}`)),
  ];
  return candidates.find(isRegularFile);
}

const isRegularFile = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;

/**
 * One hash for a whole key: what a consumer of a live stream records as that input, since
 * the stream's values carry wall times and cannot be hashed themselves.
 */
export const keyHash = (key: StageKey): string =>
  hashValue({
    uses: key.uses,
    code: key.code,
    paramsHash: key.paramsHash,
    inputs: key.inputs,
    ...(key.files ? { files: key.files } : {}),
    ...(key.imports ? { imports: key.imports } : {}),
  });
