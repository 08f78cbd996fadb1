import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { PipelineInputError, formatDiagnostic } from '../../src/engine/errors.ts';
import { describePlan, planPipeline } from '../../src/engine/plan/plan.ts';
import { defineStage } from '../../src/contract/stage.ts';
import { pipelineOf } from '../helpers/engine.ts';

const source = defineStage({
  name: 'source',
  description: 'emits a number',
  params: {},
  inputs: {},
  outputs: { value: { kind: 'x-number' }, live: { kind: 'x-number', stream: true } },
  run: (ctx) => of(ctx.output('value', 1), ctx.output('live', 1)),
});
const sink = defineStage({
  name: 'sink',
  description: 'takes a number',
  params: {},
  inputs: { value: { kind: 'x-number' } },
  outputs: { value: { kind: 'x-number' } },
  run: (ctx, { value }) => of(ctx.output('value', value)),
});
const wantsText = defineStage({
  name: 'wants-text',
  description: 'takes text',
  params: {},
  inputs: { text: { kind: 'x-text' } },
  outputs: {},
  run: () => of(),
});

function planErrors(stages: Parameters<typeof pipelineOf>[0]): string[] {
  try {
    planPipeline(pipelineOf(stages));
  } catch (err) {
    if (err instanceof PipelineInputError) return err.diagnostics.map(formatDiagnostic);
    throw err;
  }
  throw new Error('expected planning to fail');
}

describe('planPipeline', () => {
  it('orders stages by their dependencies and assigns levels', () => {
    const plan = planPipeline(
      pipelineOf({
        last: { stage: sink, inputs: { value: 'middle.value' } },
        middle: { stage: sink, inputs: { value: 'first' } },
        first: { stage: source },
        other: { stage: source },
      }),
    );
    expect(plan.nodes.map((n) => [n.spec.id, n.level])).toEqual([
      ['first', 0],
      ['middle', 1],
      ['last', 2],
      ['other', 0],
    ]);
    expect(plan.nodes[1].edges).toEqual([{ port: 'value', from: 'first', output: 'value', stream: false }]);
    expect(describePlan(plan)).toContain('[1] middle (sink)  value ← first.value');
  });

  it('reports an unknown stage with a did-you-mean at the reference', () => {
    expect(planErrors({ data: { stage: source }, use: { stage: sink, inputs: { value: 'dta.value' } } })).toEqual([
      '/virtual/test.yaml:2:20 stages.use.inputs.value: unknown stage "dta" in reference "dta.value" (did you mean "data"?)',
    ]);
  });

  it('reports an unknown output with the outputs that exist', () => {
    expect(planErrors({ data: { stage: source }, use: { stage: sink, inputs: { value: 'data.valeu' } } })).toEqual([
      '/virtual/test.yaml:2:20 stages.use.inputs.value: stage "data" has no output "valeu" (did you mean "value"?); its outputs are value, live',
    ]);
  });

  it('reports a cycle with its path', () => {
    expect(
      planErrors({
        a: { stage: sink, inputs: { value: 'c.value' } },
        b: { stage: sink, inputs: { value: 'a.value' } },
        c: { stage: sink, inputs: { value: 'b.value' } },
      }),
    ).toEqual(['/virtual/test.yaml:1:3 stages.a: cycle between stages: a → b → c → a; a stage cannot depend on its own outputs']);
  });

  it('refuses an output of the wrong kind, and a live stream where a value is expected', () => {
    expect(
      planErrors({
        data: { stage: source },
        text: { stage: wantsText, inputs: { text: 'data.value' } },
        use: { stage: sink, inputs: { value: 'data.live' } },
      }),
    ).toEqual([
      '/virtual/test.yaml:2:20 stages.text.inputs.text: expected an x-text, found an x-number ("data.value")',
      '/virtual/test.yaml:3:20 stages.use.inputs.value: expected a finished value, but "data.live" is a live stream',
    ]);
  });
});
