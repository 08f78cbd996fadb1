/**
 * Property-based: pipeline files with random mistakes and random `--set` values, through
 * the CLI's `main()` in this process (hundreds of cases) and a few real child processes
 * (`rxlab run`). Every outcome is a plan (exit 0) or a refusal with exit code 2 whose
 * every line is a positioned diagnostic — never an exception or a stack trace.
 * test/engine/load.test.ts ("loadPipeline: any input") fuzzes the loader alone with
 * random text and random structures; these start from a valid pipeline and break it the
 * ways people do: a wrong value, a stray or missing line, a typo.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.ts';
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
