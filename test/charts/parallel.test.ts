import { describe, expect, it } from 'vitest';
import { parallelCoordinatesSpec, type ParallelAxis } from '../../src/charts/parallel.ts';
import { renderSvg } from '../../src/charts/render.ts';
import { markGroups, texts } from '../helpers/svg.ts';

const axes: ParallelAxis[] = [
  { kind: 'param', name: 'train.optimizer.lr', values: [0.1, 0.001, 0.01] },
  { kind: 'param', name: 'model.layers', values: [[2, 1], [2, 4, 1]] },
  { kind: 'metric', name: 'evaluate.accuracy', direction: 'maximize' },
  { kind: 'metric', name: 'train.loss', direction: 'minimize' },
];
const line = (lr: number, layers: number[], accuracy: number | undefined, loss: number) => ({
  name: `lr=${lr},layers=${JSON.stringify(layers)}`,
  values: { 'train.optimizer.lr': lr, 'model.layers': layers, 'evaluate.accuracy': accuracy, 'train.loss': loss },
});
const lines = [line(0.001, [2, 1], 0.6, 0.5), line(0.1, [2, 4, 1], 0.99, 0.02), line(0.01, [2, 1], undefined, 0.3), line(0.01, [2, 4, 1], 0.9, 0.1)];

describe('parallelCoordinatesSpec', () => {
  const spec = parallelCoordinatesSpec(axes, lines, { title: 'Params against accuracy', highlight: 'lr=0.1,layers=[2,4,1]' });

  it('draws one line per trial that has every metric, the highlighted one last, and says how many it left out', async () => {
    const svg = await renderSvg(spec);
    expect(markGroups(svg, 'mark-line role-mark trialLine')).toHaveLength(3);
    const rows = (spec.data?.[0] as { values: { trial: string }[] }).values;
    expect(rows.map((r) => r.trial)).toEqual(['lr=0.001,layers=[2,1]', 'lr=0.01,layers=[2,4,1]', 'lr=0.1,layers=[2,4,1]']);
    expect(texts(svg)).toEqual(expect.arrayContaining(['1 trial(s) without evaluate.accuracy, train.loss not drawn', 'red: lr=0.1,layers=[2,4,1]']));
  });

  it('puts a param\'s values in ascending order when they are numbers, as the grid lists them otherwise, smallest at the bottom', () => {
    expect(spec.scales?.find((s) => s.name === 'a0')).toMatchObject({ type: 'point', domain: ['0.001', '0.01', '0.1'], reverse: true });
    expect(spec.scales?.find((s) => s.name === 'a1')).toMatchObject({ domain: ['[2,1]', '[2,4,1]'] });
  });

  it('puts the better end of each metric at the top, and shades lines by the first metric', () => {
    expect(spec.scales?.find((s) => s.name === 'a2')).toMatchObject({ type: 'linear', reverse: false });
    expect(spec.scales?.find((s) => s.name === 'a3')).toMatchObject({ type: 'linear', reverse: true });
    expect(spec.scales?.find((s) => s.name === 'shade')).toMatchObject({ domain: { data: 'rows', field: 'a2' }, reverse: false });
  });

  it('says which end is better only when the metrics say which way they go', () => {
    expect(spec.title).toMatchObject({ subtitle: expect.arrayContaining(['metric axes: better at the top']) });
    const undirected = parallelCoordinatesSpec([axes[0], { kind: 'metric', name: 'evaluate.accuracy' }], lines, { title: 't' });
    expect(undirected.title).not.toMatchObject({ subtitle: expect.arrayContaining(['metric axes: better at the top']) });
    expect(undirected.scales?.find((s) => s.name === 'a1')).toMatchObject({ reverse: false });
  });

  it('titles axes by the shortest unambiguous tail of their names', () => {
    expect(spec.axes?.map((a) => a.title)).toEqual(['lr', 'layers', 'accuracy', 'loss']);
    const twoSeeds = parallelCoordinatesSpec(
      [{ kind: 'param', name: 'model.init.seed', values: [1] }, { kind: 'param', name: 'split.seed', values: [1] }],
      [],
      { title: 't' },
    );
    expect(twoSeeds.axes?.map((a) => a.title)).toEqual(['init.seed', 'split.seed']);
  });

  it('refuses no axes and an unknown metric to colour by', () => {
    expect(() => parallelCoordinatesSpec([], [], { title: 't' })).toThrow(/at least one axis/);
    expect(() => parallelCoordinatesSpec(axes, lines, { title: 't', colourBy: 'nope' })).toThrow(/nope/);
  });
});
