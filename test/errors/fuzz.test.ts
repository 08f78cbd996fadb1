/**
 * Property-based: pipeline files with random mistakes and random `--set` values, through
 * the CLI's `main()` in this process (hundreds of cases) and a few real child processes
 * (`rxlab run`). Every outcome is a plan (exit 0) or a refusal with exit code 2 whose
 * every line is a positioned diagnostic — never an exception or a stack trace.
 * test/engine/load.test.ts ("loadPipeline: any input") fuzzes the loader alone with
 * random text and random structures; these start from a valid pipeline and break it the
 * ways people do: a wrong value, a stray or missing line, a typo. The last part fuzzes
 * what rxlab reads back from disk: damaged locks, damaged records in an output folder
 * and CSV data files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.ts';
import type { Dataset } from '../../src/data.ts';
import { PipelineInputError } from '../../src/engine/errors.ts';
import type { Plan } from '../../src/engine/plan/plan.ts';
import { readLock, type Lockfile } from '../../src/engine/record/lock.ts';
import { declaredChanges } from '../../src/engine/reuse/changes.ts';
import { compareLocks } from '../../src/engine/reuse/check.ts';
import { pipelineStatus } from '../../src/engine/reuse/status.ts';
import { loadAndPlan, runPipeline } from '../../src/engine/run-pipeline.ts';
import { DatasetError, checkDataset, parseCsv } from '../../src/stages/dataset-file.ts';
import { resolveStage } from '../../src/stages/registry.ts';
import { tempDir } from '../helpers/engine.ts';
import { ROOT, expectNoCrash, rxlab, withoutExcerpts } from '../helpers/cli.ts';

const SEED_PIPELINE = readFileSync(join(ROOT, 'pipelines', 'perceptron.yaml'), 'utf8').split('\n');

/** What a user might type where a value goes, valid or not. */
const token = fc.oneof(
  fc.constantFrom('0', '-1', '1e39', '.5', '.nan', '.inf', '~', 'null', 'true', '[]', '{}', '[1, 2]', '{ a: 1 }', '[2, 0, 1]', 'sgd', 'bce', 'relu', 'data.dataset', 'model.model', 'train', '"', "'", '[', '{', '*a', '&a x', '!!binary aGk=', '!!timestamp 2001-12-14', '!!set { a }', '!!omap [a: 1]', '!tag', '<<: *a', '? x', '- x', '#', '|', '>', '%', '@', '`', 'é', '\t', ''),
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.double({ noNaN: true }).map(String),
  fc.string({ maxLength: 12 }),
);

/** One edit of the file's lines. */
const edit = fc.oneof(
  // A line's value replaced: `    epochs: 1000` → `    epochs: <token>`.
  fc.tuple(fc.nat(), token).map(([n, value]) => (lines: string[]) => {
    const i = n % lines.length;
    lines[i] = lines[i].replace(/:( .*)?$/, `: ${value}`);
  }),
  // A stray line, at some indentation.
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 8 }), fc.constantFrom('epochs', 'epocs', 'uses', 'with', 'inputs', 'stages', 'lr', 'layers', 'x', '- 1', 'train'), token).map(
    ([n, indent, key, value]) => (lines: string[]) => void lines.splice(n % (lines.length + 1), 0, `${' '.repeat(indent)}${key}: ${value}`),
  ),
  // A line gone.
  fc.nat().map((n) => (lines: string[]) => void lines.splice(n % lines.length, 1)),
  // A typo: characters inserted somewhere in a line.
  fc.tuple(fc.nat(), fc.nat(), fc.string({ minLength: 1, maxLength: 3 })).map(([n, at, text]) => (lines: string[]) => {
    const i = n % lines.length;
    const col = at % (lines[i].length + 1);
    lines[i] = lines[i].slice(0, col) + text + lines[i].slice(col);
  }),
);

const brokenPipeline = fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
  const lines = [...SEED_PIPELINE];
  for (const apply of edits) apply(lines);
  return lines.join('\n');
});

/** `--set` values: real params and typos of them, with values valid or not. */
const setArg = fc
  .tuple(
    fc.constantFrom('train', 'data', 'model', 'evaluate', 'trian', 'zz', ''),
    fc.array(fc.constantFrom('epochs', 'optimizer', 'lr', 'name', 'layers', 'n_samples', 'cluster_std', 'init', 'seed', '0', '', '__proto__', 'constructor'), { maxLength: 3 }),
    fc.constantFrom('=', '', '=='),
    token,
  )
  .map(([stage, path, eq, value]) => `${[stage, ...path].join('.')}${eq}${value}`);

/** Each line a diagnostic placed in `file` (`file:line:col …`, or `file: …` for the whole file) or on a --set, then the count. */
function expectPositioned(stderr: string, file: string): void {
  const lines = withoutExcerpts(stderr).trimEnd().split('\n');
  const count = /^(\d+) errors?; nothing was run$/.exec(lines.pop()!);
  expect(count, stderr).not.toBeNull();
  expect(lines.length, stderr).toBe(Number(count![1]));
  for (const line of lines) expect(line.startsWith(`${file}:`) || line.startsWith('--set '), stderr).toBe(true);
}

describe('the CLI on random mistakes (in process)', () => {
  let stdout = '';
  let stderr = '';
  beforeEach(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  });
  afterEach(() => vi.restoreAllMocks());

  /** `rxlab plan` (load and plan, as `run` starts) on `text` with `sets`: a plan, or a positioned refusal. */
  async function planOrRefusal(text: string, sets: string[]): Promise<void> {
    const file = join(tempDir(), 'p.yaml');
    writeFileSync(file, text);
    stdout = stderr = '';
    const code = await main(['plan', file, ...sets.map((s) => `--set=${s}`)]);
    if (code === 0) {
      expect(stdout).toMatch(/^pipeline \S+: \d+ stages\n/);
      expect(stderr).toBe('');
      return;
    }
    expect(code, stderr).toBe(2);
    expect(stdout).toBe('');
    expectPositioned(stderr, file);
  }

  it('a pipeline with random edits', async () => {
    await fc.assert(fc.asyncProperty(brokenPipeline, (text) => planOrRefusal(text, [])), { numRuns: 200 });
  });

  it('random --set values on a valid pipeline', async () => {
    const text = SEED_PIPELINE.join('\n');
    await fc.assert(fc.asyncProperty(fc.array(setArg, { minLength: 1, maxLength: 4 }), (sets) => planOrRefusal(text, sets)), { numRuns: 200 });
  });
});

describe('rxlab run on random mistakes (child processes)', () => {
  it('refuses each with exit 2 and positioned diagnostics, or finds it valid, never crashing', () => {
    // A handful, each a process start; --frozen makes a valid one stop before running (no lock here).
    const cases = fc.sample(fc.tuple(brokenPipeline, fc.array(setArg, { maxLength: 2 })), { numRuns: 4, seed: 7 });
    for (const [text, sets] of cases) {
      const dir = tempDir();
      writeFileSync(join(dir, 'p.yaml'), text);
      const result = rxlab(['run', 'p.yaml', '--frozen', '--out', 'out', ...sets.map((s) => `--set=${s}`)], { cwd: dir });
      expectNoCrash(result);
      if (result.status === 1) expect(result.stderr).toMatch(/^rxlab run --frozen: no lock file .* to hold the run to/);
      else {
        expect(result.status, result.stderr).toBe(2);
        expectPositioned(result.stderr, 'p.yaml');
      }
    }
  });
});

/**
 * What rxlab reads back from disk, fuzzed in process: thousands of damaged locks, damaged
 * records in an output folder and CSV files. Each is either taken (and then every command's
 * use of it works) or refused with a message that has a place — never an exception.
 */
describe('damaged files rxlab reads back', () => {
  /** A small pipeline run once into `out`, its lock, and what status says of it. */
  let plan: Plan;
  let out: string;
  let lock: Lockfile;
  let lockText: string;
  beforeAll(async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'p.yaml'),
      'name: p\nstages:\n  data: { uses: dataset, with: { X: [[0, 1], [1, 0], [2, 2]], y: [0, 1, 1] } }\n  split: { uses: split, inputs: { dataset: data }, with: { test_size: 1 } }\n',
    );
    plan = await loadAndPlan(join(dir, 'p.yaml'), { resolve: resolveStage });
    out = join(dir, 'out');
    const ran = await runPipeline(join(dir, 'p.yaml'), { resolve: resolveStage, out });
    expect(ran.manifest.status).toBe('completed');
    lockText = readFileSync(join(dir, 'p.lock.json'), 'utf8');
    lock = JSON.parse(lockText) as Lockfile;
  });

  /** The lock's JSON with one change at a random path: a value replaced, a key removed or added. */
  const damagedLock = fc
    .tuple(fc.nat(), fc.constantFrom('replace', 'delete', 'add'), fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 8 }))
    .map(([n, how, value, key]) => {
      const copy = structuredClone(lock) as unknown as Record<string, unknown>;
      const paths: (string | number)[][] = [];
      const walk = (node: unknown, path: (string | number)[]): void => {
        paths.push(path);
        if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, Array.isArray(node) ? Number(k) : k]);
      };
      walk(copy, []);
      const path = paths[n % paths.length];
      if (path.length === 0) return JSON.stringify(value);
      const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, k) => node[k] as Record<string | number, unknown>, copy);
      const last = path[path.length - 1];
      if (how === 'delete') delete parent[last];
      else if (how === 'add' && parent && typeof parent === 'object') parent[key] = value;
      else parent[last] = value;
      return JSON.stringify(copy, null, 2);
    });
  /** Or its text cut short, or bytes in it changed. */
  const lockText$ = fc.oneof(
    { weight: 6, arbitrary: damagedLock },
    fc.nat().map((n) => lockText.slice(0, n % lockText.length)),
    fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 4 })).map(([n, s]) => lockText.slice(0, n % lockText.length) + s + lockText.slice((n % lockText.length) + s.length)),
  );

  it('2,400 damaged locks: each read, or refused at a place in it with the fix; status, --frozen and check work on every one read', async () => {
    const file = join(tempDir(), 'p.lock.json');
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(lockText$, async (text) => {
        writeFileSync(file, text);
        let read: Lockfile | undefined;
        try {
          read = await readLock(file);
        } catch (err) {
          if (!(err instanceof PipelineInputError)) throw err;
          expect(err.diagnostics).toHaveLength(1);
          expect(err.diagnostics[0].file).toBe(file);
          expect(err.diagnostics[0].message).toMatch(/; restore it from git, or delete it and run `rxlab run` to record a new one$/);
          return;
        }
        taken++;
        await pipelineStatus(plan, read, out);
        declaredChanges(plan, read!);
        compareLocks(read!, lock);
      }),
      { numRuns: 2400, seed: 13 },
    );
    expect(taken).toBeGreaterThan(100);
  });

  it('2,400 damaged records in an output folder: status gives a reason or finds them whole, never an exception', async () => {
    const state = join(out, '.rxlab', 'data');
    const files = ['record.json', 'output-dataset.json'];
    const original = Object.fromEntries(files.map((f) => [f, readFileSync(join(state, f), 'utf8')]));
    const content = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 40 }),
      fc.tuple(fc.constantFrom(...files), fc.nat(), fc.string({ maxLength: 4 })).map(([f, n, s]) => original[f].slice(0, n % (original[f].length + 1)) + s),
      fc.constant(original['record.json'].replace(/"rxlab":"[0-9a-f]+"/, '"rxlab":"other"')),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), content, async (name, text) => {
        writeFileSync(join(state, name), text);
        const rows = await pipelineStatus(plan, lock, out);
        expect(rows[0].state === 'up to date' || typeof rows[0].reason === 'string').toBe(true);
        writeFileSync(join(state, name), original[name]);
      }),
      { numRuns: 2400, seed: 17 },
    );
    expect((await pipelineStatus(plan, lock, out)).every((r) => r.state === 'up to date')).toBe(true);
  });

  it('3,000 CSV files: a dataset of finite numbers and class labels, or problems each at a line and column of the file', () => {
    const cell = fc.oneof(
      fc.integer({ min: -5, max: 5 }).map(String),
      fc.double({ noDefaultInfinity: false }).map(String),
      fc.constantFrom('', ' ', 'nan', 'NaN', 'inf', '-Infinity', '1e309', '0x10', '1_000', 'label', 'x', '"1"', '0.5', '-0', '1e-320', 'é', '\t2'),
    );
    const row = fc.array(cell, { minLength: 0, maxLength: 5 }).map((cells) => cells.join(','));
    const file = fc.tuple(fc.array(row, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.option(fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constantFrom('label', 'x', 'y')))).map(
      ([rows, eol, header, label]) => ({ text: (header ? ['x,y,label', ...rows] : rows).join(eol), label: label ?? undefined }),
    );
    fc.assert(
      fc.property(file, ({ text, label }) => {
        let dataset: Dataset;
        try {
          dataset = parseCsv(text, 'd.csv', label);
        } catch (err) {
          if (!(err instanceof DatasetError)) throw err;
          const lines = text.split('\n').length;
          for (const p of err.problems) {
            expect(p.where.startsWith('d.csv')).toBe(true);
            if (p.line !== undefined) expect(p.line >= 1 && p.line <= lines && (p.col ?? 0) >= 1).toBe(true);
          }
          return;
        }
        expect(checkDataset(dataset.X, dataset.y, (path) => path)).toEqual([]);
      }),
      { numRuns: 3000, seed: 19 },
    );
  });
});
