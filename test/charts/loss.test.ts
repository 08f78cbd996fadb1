import { describe, expect, it } from 'vitest';
import { lossCurveSpec, lossCurvesSpec, spansDecades } from '../../src/charts/loss.ts';
import { renderSvg } from '../../src/charts/render.ts';
import { markGroups, texts } from '../helpers/svg.ts';

const decay = Array.from({ length: 100 }, (_, i) => 0.25 + 0.37 * Math.exp(-i / 20));
/** From 0.7 down to about 0.0009: with `decay`, 2.9 decades. */
const steep = Array.from({ length: 100 }, (_, i) => 0.7 * Math.exp(-i / 15));

const legendCount = (svg: string): number => svg.match(/class="mark-group role-legend"/g)?.length ?? 0;
const yScale = (spec: ReturnType<typeof lossCurvesSpec>) => spec.scales?.find((s) => s.name === 'y');

describe('lossCurveSpec', () => {
  it('renders one curve with axis titles and a note of the first and last loss, and no legend of one entry', async () => {
    const svg = await renderSvg(lossCurveSpec(decay, { title: 'Training loss' }));
    expect(markGroups(svg, 'mark-line role-mark')).toHaveLength(1);
    expect(texts(svg)).toEqual(expect.arrayContaining(['Training loss', 'loss 0.62 → 0.2526 over 100 epochs', 'epoch', 'loss']));
    expect(legendCount(svg)).toBe(0);
  });

  it('puts (run, series, epoch, loss) rows in the spec, epochs from 0, losses rounded', () => {
    const spec = lossCurveSpec([0.6185, 0.5 + 1e-12], { title: 't', name: 'perceptron' });
    expect(spec.data).toEqual([
      {
        name: 'losses',
        values: [
          { run: 'perceptron', series: 'training', epoch: 0, loss: 0.6185 },
          { run: 'perceptron', series: 'training', epoch: 1, loss: 0.5 },
        ],
      },
    ]);
  });

  it('draws the validation loss dashed beside the training loss, in a legend of the two', async () => {
    const spec = lossCurveSpec(decay, { title: 'Loss', validation: decay.map((l) => l + 0.05) });
    const svg = await renderSvg(spec);
    const lines = markGroups(svg, 'mark-line role-mark');
    expect(lines).toHaveLength(2);
    expect(lines.filter((l) => l.includes('stroke-dasharray="6,4"'))).toHaveLength(1);
    expect(legendCount(svg)).toBe(1);
    expect(texts(svg)).toEqual(expect.arrayContaining(['training', 'validation', 'loss 0.62 → 0.2526, validation 0.67 → 0.3026 over 100 epochs']));
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

  it('uses a log axis when the losses span two decades or more, and says so', async () => {
    const spec = lossCurvesSpec([{ name: 'a', losses: decay }, { name: 'b', losses: steep }], { title: 't' });
    expect(yScale(spec)).toMatchObject({ type: 'log' });
    const svg = await renderSvg(spec);
    expect(texts(svg)).toEqual(expect.arrayContaining(['log scale: the losses span 2.9 decades', '0.001', '0.01', '0.1']));
    expect(yScale(lossCurvesSpec([{ name: 'a', losses: decay }], { title: 't' }))).toMatchObject({ type: 'linear', zero: true });
  });

  it('leaves losses of 0 off a log axis, with a note', () => {
    const spec = lossCurvesSpec([{ name: 'a', losses: [1, 0.1, 0.001, 0] }], { title: 't' });
    expect(yScale(spec)).toMatchObject({ type: 'log' });
    expect(spec.data?.[0]).toMatchObject({ values: [{ epoch: 0 }, { epoch: 1 }, { epoch: 2 }] });
    expect(spec.title).toMatchObject({ subtitle: expect.arrayContaining(['1 loss value(s) ≤ 0 not drawn on the log scale']) });
  });

  it('tells spans of decades from narrower ones, ignoring what a log axis cannot show', () => {
    expect(spansDecades([0.5, 0.005])).toBe(true);
    expect(spansDecades([0.5, 0.0051])).toBe(false);
    expect(spansDecades([0.5, 0, Number.NaN, 0.4])).toBe(false);
    expect(spansDecades([])).toBe(false);
  });

  it('draws each run\'s validation loss dashed in the run\'s colour, with a legend for the runs and one for the two kinds of loss', async () => {
    const series = [
      { name: 'a', losses: decay, validation: decay.map((l) => l + 0.1) },
      { name: 'b', losses: decay.map((l) => l * 0.9) },
    ];
    const svg = await renderSvg(lossCurvesSpec(series, { title: 't' }));
    expect(markGroups(svg, 'mark-line role-mark')).toHaveLength(3);
    expect(legendCount(svg)).toBe(2);
    expect(texts(svg)).toEqual(expect.arrayContaining(['run', 'a', 'b', 'training', 'validation']));
  });

  it('draws the highlighted run thicker and last, and names it under the title', async () => {
    const series = [{ name: 'best', losses: decay.map((l) => l * 0.5) }, { name: 'other', losses: decay }];
    const spec = lossCurvesSpec(series, { title: 't', highlight: 'best' });
    expect(spec.title).toMatchObject({ subtitle: ['thick line: best'] });
    const lines = markGroups(await renderSvg(spec), 'mark-line role-mark');
    expect(lines.map((l) => l.match(/stroke-width="([\d.]+)"/)?.[1])).toEqual(['1.5', '3.5']);
    expect(() => lossCurvesSpec(series, { title: 't', highlight: 'nope' })).toThrow(/nope/);
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
