/**
 * References between stages through the real CLI: each refused with exit code 2 at the
 * reference, with what exists instead, before anything runs. The planner's unit tests
 * are in test/engine/plan.test.ts.
 *
 * A user stage module that does not exist, throws on import, exports no stage or does
 * not compile is covered through the CLI in test/stages/user-stage.test.ts ("rxlab run
 * with a user stage that cannot run"), not repeated here.
 */
import { describe, expect, it } from 'vitest';
import { expectNoCrash, rxlab, withoutExcerpts } from '../helpers/cli.ts';

describe('rxlab run: references', () => {
  it('an unknown stage, an unknown output, an output of the wrong kind: each at its reference, with what would fit', () => {
    const result = rxlab(['run', 'bad-references.yaml']);
    expectNoCrash(result);
    expect(withoutExcerpts(result.stderr)).toBe(
      [
        'bad-references.yaml:11:24 stages.train.inputs.dataset: unknown stage "dta" in reference "dta.dataset" (did you mean "data"?)',
        'bad-references.yaml:11:44 stages.train.inputs.model: stage "model" has no output "modle" (did you mean "model"?); its outputs are model',
        'bad-references.yaml:15:22 stages.evaluate.inputs.model: expected a model, found a dataset ("data.dataset"); outputs that are a model: model.model, train.model',
        'bad-references.yaml:15:45 stages.evaluate.inputs.dataset: expected a dataset, found a model ("model.model"); outputs that are a dataset: data.dataset',
        '4 errors; nothing was run',
        '',
      ].join('\n'),
    );
    expect(result.status).toBe(2);
  });

  it('a cycle, as the path that closes it', () => {
    const result = rxlab(['run', 'cycle.yaml']);
    expectNoCrash(result);
    expect(withoutExcerpts(result.stderr)).toBe(
      'cycle.yaml:6:3 stages.first: cycle between stages: first → second → first; a stage cannot depend on its own outputs\n1 error; nothing was run\n',
    );
    expect(result.status).toBe(2);
  });

  it('a uses: that is a folder, not a module file', () => {
    const result = rxlab(['run', 'folder-module.yaml']);
    expectNoCrash(result);
    expect(withoutExcerpts(result.stderr)).toBe(
      "folder-module.yaml:5:11 stages.noise.uses: stage module ../stages is a folder; give the module's file, e.g. ../stages/index.ts\n1 error; nothing was run\n",
    );
    expect(result.status).toBe(2);
  });

  it('a uses: that names no stage, with did-you-mean and the stages there are', () => {
    const result = rxlab(['run', 'unknown-uses.yaml']);
    expectNoCrash(result);
    expect(withoutExcerpts(result.stderr)).toMatch(
      /^unknown-uses\.yaml:5:11 stages\.data\.uses: unknown stage "blob" \(did you mean "blobs"\?\); built-in stages are blobs, dataset, .+, or give a module path such as \.\/stages\/my-stage\.ts\n1 error; nothing was run\n$/,
    );
    expect(result.status).toBe(2);
  });
});
