import { describe, expect, it } from 'vitest';
import { scatterSpec } from '../../src/charts/scatter.ts';
import { renderSvg } from '../../src/charts/render.ts';
import { CLASS_COLOURS, HEIGHT, WIDTH } from '../../src/charts/theme.ts';
import type { TestPoint } from '../../src/charts/plane.ts';
import { markGroups, pathFills, texts, threePoints } from '../helpers/svg.ts';

describe('scatterSpec', () => {
  it('draws one symbol per point, filled by class', async () => {
    const svg = await renderSvg(scatterSpec(threePoints, { title: 'Three points' }));
    const [symbols] = markGroups(svg, 'mark-symbol role-mark');
    expect(pathFills(symbols)).toEqual([CLASS_COLOURS[0], CLASS_COLOURS[0], CLASS_COLOURS[1]]);
  });

  it('has the title, axis titles and class legend, at the fixed size on white', async () => {
    const svg = await renderSvg(scatterSpec(threePoints, { title: 'Three points', subtitle: 'a note' }));
    expect(texts(svg)).toEqual(expect.arrayContaining(['Three points', 'a note', 'x₁', 'x₂', 'class 0', 'class 1']));
    expect(svg).toContain(`width="${WIDTH}" height="${HEIGHT}"`);
    expect(svg).toContain(`<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`);
  });

  it('puts the data in the spec rounded, with the range padded by 10%', () => {
    const spec = scatterSpec({ X: [[0.1 + 0.2, -1], [1, 1]], y: [1, 0] }, { title: 't' });
    expect(spec.data?.find((d) => d.name === 'points')).toMatchObject({
      values: [{ x1: 0.3, x2: -1, class: 'class 1' }, { x1: 1, x2: 1, class: 'class 0' }],
    });
    expect(spec.scales?.slice(0, 2)).toMatchObject([{ domain: [0.23, 1.07] }, { domain: [-1.2, 1.2] }]);
  });

  it('marks named test points with their probability and lists them in a legend', async () => {
    const points: TestPoint[] = [
      { name: '(2, 1)', point: [2, 1], probability: 0.8 },
      { name: '(0, 1)', point: [0, 1], probability: 0.25 },
    ];
    const svg = await renderSvg(scatterSpec(threePoints, { title: 't', points }));
    expect(texts(svg)).toEqual(expect.arrayContaining(['test points', '(2, 1)', '(2, 1)  p = 0.800', '(0, 1)', '(0, 1)  p = 0.250']));
  });

  it('names a single test point by its label only, without a legend of one entry', async () => {
    const spec = scatterSpec(threePoints, { title: 't', points: [{ name: 'red', point: [2, 1], probability: 0.8 }] });
    expect(spec.legends).toHaveLength(1);
    const shown = texts(await renderSvg(spec));
    expect(shown).toContain('red  p = 0.800');
    expect(shown).not.toContain('test points');
  });

  it('outlines test points, drawn over the data, so that a data point at the same place stays visible', async () => {
    const svg = await renderSvg(scatterSpec(threePoints, { title: 't', points: [{ name: 'on a point', point: [1, 1] }] }));
    const [points, halo, marker] = markGroups(svg, 'mark-symbol role-mark');
    expect(pathFills(points)).toHaveLength(3);
    // The group's fill is none: a path without a fill of its own, or a transparent one, hides nothing.
    expect([...pathFills(halo), ...pathFills(marker)].every((fill) => fill === 'transparent')).toBe(true);
    expect(marker).toMatch(/stroke="#d62728"/);
  });

  it('needs distinct test point names', () => {
    const point: [number, number] = [0, 0];
    expect(() => scatterSpec(threePoints, { title: 't', points: [{ name: 'a', point }, { name: 'a', point }] })).toThrow(/unique/);
  });

  it('rejects rows that are not 2-D and labels other than 0/1', () => {
    expect(() => scatterSpec({ X: [[1, 2, 3]], y: [0] }, { title: 't' })).toThrow(/2/);
    expect(() => scatterSpec({ X: [[1, 2]], y: [2] }, { title: 't' })).toThrow(/0 or 1/);
    expect(() => scatterSpec({ X: [[1, 2]], y: [] }, { title: 't' })).toThrow(/labels/);
  });
});
