/**
 * Bad pipeline files through the real CLI: each refused with exit code 2, every problem at
 * its file:line:col with what was expected, what was found and the fix, and nothing run.
 * The loader's own unit tests (test/engine/load.test.ts, overrides.test.ts) cover each
 * message class in more variants; these check what a user sees.
 */
import { existsSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.ts';
import { FIXTURES, copyPipeline, expectNoCrash, rxlab, withoutExcerpts, type Result } from '../helpers/cli.ts';

/** Refused as invalid input: exit 2, exactly these diagnostics on stderr, nothing on stdout. */
function expectRefused(result: Result, ...lines: string[]): void {
  expectNoCrash(result);
  expect(withoutExcerpts(result.stderr)).toBe(`${[...lines, `${lines.length} error${lines.length === 1 ? '' : 's'}; nothing was run`].join('\n')}\n`);
  expect(result.stdout).toBe('');
  expect(result.status).toBe(2);
}

describe('rxlab run: the pipeline file itself', () => {
  it('not found: the path it looked for', () => {
    expectRefused(rxlab(['run', 'nowhere.yaml']), `nowhere.yaml: file not found (looked for ${join(FIXTURES, 'nowhere.yaml')})`);
  });

  it('not UTF-8: the line and column of the first bad byte', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'latin1.yaml'), Buffer.from('stages:\n  data: { uses: xor }\nname: caf\xe9\n', 'latin1'));
    expectRefused(rxlab(['run', 'latin1.yaml'], { cwd: dir }), 'latin1.yaml:3:10 file is not UTF-8 text (invalid byte 0xe9); save it as UTF-8');
  });

  it('empty', () => {
    expectRefused(rxlab(['run', 'empty.yaml']), 'empty.yaml: file is empty; a pipeline needs at least a stages: map');
  });

  it('50 MB: refused by its size with the limit, without being read', () => {
    const dir = tempDir();
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, '');
    truncateSync(file, 50 * 1024 * 1024); // sparse: no disk used, and never read
    expectRefused(rxlab(['run', 'huge.yaml'], { cwd: dir }), 'huge.yaml: file is 50 MiB; pipeline files are limited to 1 MiB');
  });
});

describe('rxlab run: YAML', () => {
  it('a syntax error, at the place the parser stopped', () => {
    expectRefused(
      rxlab(['run', 'syntax.yaml']),
      'syntax.yaml:6:38 invalid YAML: flow sequence in block collection must be sufficiently indented and end with a ]',
      'syntax.yaml:6:39 invalid YAML: flow map in block collection must be sufficiently indented and end with a }',
    );
  });

  it('duplicate keys, with the line of the first', () => {
    expectRefused(
      rxlab(['run', 'duplicate-keys.yaml']),
      'duplicate-keys.yaml:8:7 stages.data.with.n_samples: duplicate key "n_samples" (first defined at line 7)',
      'duplicate-keys.yaml:9:3 stages.data: duplicate stage id "data" (first defined at line 4)',
    );
  });

  it("YAML's own tags for binary data and dates, in the file or a --set: refused, not handed to the stage", () => {
    // Found by test/errors/fuzz.test.ts: before, a !!binary value reached validation as a Buffer.
    expectRefused(
      rxlab(['run', 'tags.yaml', '--set', 'data.y=!!binary aGk=']),
      'tags.yaml:7:19 stages.data.with.X: a pipeline file holds text, numbers, booleans, lists and maps; !!binary makes binary data: remove the tag',
      'tags.yaml:8:23 stages.data.with.y.0: a pipeline file holds text, numbers, booleans, lists and maps; !!timestamp makes a date: remove the tag',
      '--set data.y=!!binary aGk=: stages.data.with.y: a value holds text, numbers, booleans, lists and maps; a tag in this one makes binary data: remove the tag',
    );
  });

  it('a "billion laughs" document: refused from the alias counts, never expanded', () => {
    // Expanded, its 387 million strings would take minutes and gigabytes; refused, it takes a normal start.
    expectRefused(
      rxlab(['run', 'billion-laughs.yaml']),
      'billion-laughs.yaml:11:13 stages.0: YAML aliases expand this document by 490328964 values, more than the 100000 allowed; refusing to expand it (a "billion laughs" document?)',
    );
  });
});

describe('rxlab run: structure and params', () => {
  it('shows the offending line of the file under each diagnostic, a caret under the column; a --set has no line to show', () => {
    const result = rxlab(['run', 'wrong-types.yaml', '--set', 'train.epochs=x']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      ['wrong-types.yaml:12:15 stages.model.with.layers: expected a list, found 2', ' 12 |       layers: 2', '    |               ^', ''].join('\n'),
    );
    expect(result.stderr).toContain('wrong-types.yaml:7:18 stages.data.with.n_samples: expected an integer or a list, found "ten"\n 7 |       n_samples: ten\n   |                  ^\n');
    expect(result.stderr).toContain('--set train.epochs=x: stages.train.with.epochs: expected an integer, found "x"\n5 errors; nothing was run\n');
  });

  it('wrong types: what was expected and what was found', () => {
    expectRefused(
      rxlab(['run', 'wrong-types.yaml']),
      'wrong-types.yaml:7:18 stages.data.with.n_samples: expected an integer or a list, found "ten"',
      'wrong-types.yaml:8:20 stages.data.with.cluster_std: expected a number or a list, found "high"',
      'wrong-types.yaml:12:15 stages.model.with.layers: expected a list, found 2',
      'wrong-types.yaml:17:18 stages.train.with.optimizer: expected a map, found "sgd"',
      'wrong-types.yaml:18:15 stages.train.with.epochs: expected an integer, found 10.5',
    );
  });

  it('unknown keys at every level, with did-you-mean or the keys allowed', () => {
    expectRefused(
      rxlab(['run', 'unknown-keys.yaml']),
      'unknown-keys.yaml:3:1 descripton: unknown key (did you mean "description"?)',
      'unknown-keys.yaml:7:5 stages.data.whith: unknown key (did you mean "with"?)',
      'unknown-keys.yaml:12:7 stages.model.with.activaton: unknown key (did you mean "activation"?)',
      'unknown-keys.yaml:16:5 stages.train.with: missing required key "epochs"',
      'unknown-keys.yaml:17:31 stages.train.with.optimizer.learning_rate: unknown key; expected one of "name", "lr", "momentum", "dampening", "nesterov", "weight_decay"',
      'unknown-keys.yaml:18:7 stages.train.with.epocs: unknown key (did you mean "epochs"?)',
    );
  });

  it('missing required params, at the map that lacks them', () => {
    expectRefused(
      rxlab(['run', 'missing-params.yaml']),
      'missing-params.yaml:8:5 stages.model.with: missing required key "layers"',
      'missing-params.yaml:12:5 stages.train.with: missing required key "epochs"',
      'missing-params.yaml:13:7 stages.train.with.optimizer: missing required key "lr"',
    );
  });

  it('out-of-range values: n_samples < 1, cluster_std < 0, a layer of size 0, lr ≤ 0, epochs ≤ 0', () => {
    expectRefused(
      rxlab(['run', 'out-of-range.yaml']),
      'out-of-range.yaml:7:18 stages.data.with.n_samples: expected an integer ≥ 1, found 0',
      'out-of-range.yaml:8:20 stages.data.with.cluster_std: expected a number ≥ 0, found -0.5',
      'out-of-range.yaml:12:19 stages.model.with.layers.1: expected an integer ≥ 1, found 0',
      'out-of-range.yaml:17:35 stages.train.with.optimizer.lr: expected a number > 0, found 0',
      'out-of-range.yaml:18:15 stages.train.with.epochs: expected an integer ≥ 1, found 0',
    );
  });

  it('the same checks for --set values, placed on the command line', () => {
    expectRefused(
      rxlab(['run', 'small.yaml', '--set', 'train.epochs=-1', '--set', 'train.optimizer.lr=fast', '--set', 'train.epohcs=3']),
      '--set train.epochs=-1: stages.train.with.epochs: expected an integer ≥ 1, found -1',
      '--set train.optimizer.lr=fast: stages.train.with.optimizer.lr: expected a number, found "fast"',
      '--set train.epohcs=3: stages.train.with.epohcs: unknown key (did you mean "epochs"?)',
    );
  });
});

describe('rxlab run: a model that does not fit its data', () => {
  it('is refused before anything runs, naming both feature counts and the fix (exit 2)', () => {
    // The data stage says how many features it makes and the model stage what it takes
    // (their preflights), so train's preflight finds the mismatch from the params alone.
    const { dir, file } = copyPipeline(join(FIXTURES, 'feature-mismatch.yaml'));
    const out = join(dir, 'out');
    const result = rxlab(['run', 'feature-mismatch.yaml', '--out', out], { cwd: dir });
    expectNoCrash(result);
    expect(withoutExcerpts(result.stderr)).toBe(
      "feature-mismatch.yaml:16:24 stages.train.inputs.dataset: the model (model.model) takes 3 features, but data.dataset has 2; make the model's layers start with 2\n1 error; nothing was run\n",
    );
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(file.replace(/\.yaml$/, '.lock.json'))).toBe(false);
  });
});
