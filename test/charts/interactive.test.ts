import { parse, View, type Spec } from 'vega';
import { describe, expect, it } from 'vitest';
import { interactiveLossSpec, lossChartRows, type InteractiveMeta } from '../../src/charts/interactive.ts';
import { lossCurveSpec, lossCurvesSpec } from '../../src/charts/loss.ts';
import { scatterSpec } from '../../src/charts/scatter.ts';
import { threePoints } from '../helpers/svg.ts';

const decay = (n: number, rate: number): number[] => Array.from({ length: n }, (_, i) => 0.69 * Math.exp(-rate * i) + 0.001);

async function view(spec: Spec): Promise<View> {
  const v = new View(parse(structuredClone(spec)), { renderer: 'none' });
  await v.runAsync();
  return v;
}

describe('interactiveLossSpec', () => {
  it('leaves charts other than loss charts alone', () => {
    expect(interactiveLossSpec(scatterSpec(threePoints, { title: 't' }))).toBeUndefined();
  });

  it('keeps the chart\'s data and look, and adds a log-scale switch bound to a checkbox that the page flips', () => {
    const recorded = lossCurvesSpec([{ name: 'a', losses: decay(50, 0.02) }, { name: 'b', losses: decay(50, 0.01) }], { title: 'Loss' });
    const spec = interactiveLossSpec(JSON.parse(JSON.stringify(recorded)))!;
    expect(spec.title).toEqual(recorded.title);
    expect(lossChartRows(spec)).toEqual(lossChartRows(recorded));
    expect((spec.usermeta as unknown as InteractiveMeta).logScaleToggle).toEqual({ signal: 'logScale', scale: 'y' });
    expect(spec.signals?.find((s) => s.name === 'logScale')).toMatchObject({ value: false, bind: { input: 'checkbox' } });
  });

  it('starts from the whole data, zooms to a signal-set domain, and returns on a reset', async () => {
    const v = await view(interactiveLossSpec(lossCurveSpec(decay(100, 0.02), { title: 't' }))!);
    expect(v.scale('x').domain()).toEqual([0, 99]);
    expect(v.scale('y').domain()[0]).toBe(0);
    await v.signal('zoomed', true).signal('xzoom', [10, 20]).signal('yzoom', [0.1, 0.3]).runAsync();
    expect([v.scale('x').domain(), v.scale('y').domain()]).toEqual([[10, 20], [0.1, 0.3]]);
    await v.signal('zoomed', false).runAsync();
    expect(v.scale('x').domain()).toEqual([0, 99]);
  });

  it('zooms about the pointer by the wheel\'s factor, on a log axis by ratios', async () => {
    const spec = interactiveLossSpec(lossCurvesSpec([{ name: 'a', losses: decay(100, 0.1) }], { title: 't' }))!;
    expect(spec.scales?.find((s) => s.name === 'y')?.type).toBe('log');
    const v = await view(spec);
    // Whole decades: both ends of the log axis are labelled.
    expect(v.scale('y').domain()).toEqual([0.001, 1]);
    await v.signal('anchor', [50, 0.01]).signal('zoom', 0.5).runAsync();
    expect(v.scale('x').domain()).toEqual([25, 74.5]);
    const [lo, hi] = v.scale('y').domain() as number[];
    expect(lo).toBeCloseTo(0.001 ** 0.5 * 0.01 ** 0.5, 12);
    expect(hi).toBeCloseTo(0.01 ** 0.5, 12);
  });

  it('answers the pointer at every epoch of a short curve, and at about 400 points of a long one', async () => {
    const short = await view(interactiveLossSpec(lossCurveSpec(decay(100, 0.05), { title: 't' }))!);
    expect(short.data('hover')).toHaveLength(100);
    const long = await view(interactiveLossSpec(lossCurveSpec(decay(3000, 0.001), { title: 't' }))!);
    expect(long.data('hover')).toHaveLength(375);
  });

  it('leaves losses of 0 off the chart while the axis is logarithmic', async () => {
    const spec = interactiveLossSpec(lossCurveSpec([0.5, 0.25, 0, 0.1], { title: 't' }))!;
    const v = await view(spec);
    expect(v.data('shown')).toHaveLength(4);
    await v.signal('logScale', true).runAsync();
    expect(v.data('shown')).toHaveLength(3);
  });
});
