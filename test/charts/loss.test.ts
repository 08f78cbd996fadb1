import { describe, expect, it } from 'vitest';
import { lossCurveSpec, lossCurvesSpec } from '../../src/charts/loss.ts';
import { renderSvg } from '../../src/charts/render.ts';
import { markGroups, texts } from '../helpers/svg.ts';

const decay = Array.from({ length: 100 }, (_, i) => 0.25 + 0.37 * Math.exp(-i / 20));

describe('lossCurveSpec', () => {
  it('renders one curve with axis titles, legend and a note of the first and last loss', async () => {
    const svg = await renderSvg(lossCurveSpec(decay, { title: 'Training loss' }));
    expect(markGroups(svg, 'mark-line role-mark')).toHaveLength(1);
    expect(texts(svg)).toEqual(
      expect.arrayContaining(['Training loss', 'loss 0.62 → 0.2526 over 100 epochs', 'epoch', 'loss', 'run', 'training loss']),
    );
  });

  it('puts (epoch, loss) rows in the spec, epochs from 0, losses rounded', () => {
    const spec = lossCurveSpec([0.6185, 0.5 + 1e-12], { title: 't', name: 'perceptron' });
    expect(spec.data).toEqual([
      {
        name: 'losses',
        values: [
          { run: 'perceptron', epoch: 0, loss: 0.6185 },
          { run: 'perceptron', epoch: 1, loss: 0.5 },
        ],
      },
    ]);
  });
});

describe('lossCurvesSpec', () => {
  it('overlays one curve per run with the run names in the legend', async () => {
    const series = [
      { name: 'lr 0.01', losses: decay },
      { name: 'lr 0.1', losses: decay.map((l) => l * 0.8) },
      { name: 'lr 1', losses: decay.slice(0, 50) },
    ];
    const svg = await renderSvg(lossCurvesSpec(series, { title: 'Sweep' }));
    expect(markGroups(svg, 'mark-line role-mark')).toHaveLength(3);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Sweep', 'epoch', 'loss', 'lr 0.01', 'lr 0.1', 'lr 1']));
  });

  it('leaves out non-finite losses and notes how many', async () => {
    const spec = lossCurvesSpec([{ name: 'diverged', losses: [0.7, 3, Number.NaN, Number.POSITIVE_INFINITY] }], { title: 't' });
    expect(spec.data?.[0]).toMatchObject({ values: [{ epoch: 0 }, { epoch: 1 }] });
    expect(texts(await renderSvg(spec))).toContain('2 non-finite loss value(s) not drawn');
  });

  it('needs distinct run names', () => {
    expect(() => lossCurvesSpec([{ name: 'a', losses: [1] }, { name: 'a', losses: [1] }], { title: 't' })).toThrow(/unique/);
  });
});
