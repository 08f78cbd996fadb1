import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { placeLabels } from '../../src/charts/labels.ts';
import { scatterSpec } from '../../src/charts/scatter.ts';
import { renderSvg } from '../../src/charts/render.ts';
import type { Dataset } from '../../src/data.ts';

const domain = { x1: [0, 10] as [number, number], x2: [0, 10] as [number, number] };
const label = (x: number, y: number, text = 'a label') => ({ x, y, text, radius: 7 });

describe('placeLabels', () => {
  it('puts a label on the side facing the middle of the plot when nothing is there', () => {
    expect(placeLabels([label(2, 5)], [], domain)).toMatchObject([{ dx: 12, align: 'left' }]);
    expect(placeLabels([label(8, 5)], [], domain)).toMatchObject([{ dx: -12, align: 'right' }]);
  });

  it('moves a label off the data points on its preferred side', () => {
    const right = [2.5, 3, 3.5, 4].map((x) => ({ x, y: 5, radius: 3 }));
    expect(placeLabels([label(2, 5)], right, domain)).toMatchObject([{ dx: -12, align: 'right' }]);
  });

  it('goes farther out when every position next to the point covers one', () => {
    // A tight ring of points 15 px around (5, 5): 1 unit is 33 px across and 32 px down.
    const ring = Array.from({ length: 24 }, (_, k) => ({ x: 5 + 0.45 * Math.cos((k * Math.PI) / 12), y: 5 + 0.45 * Math.sin((k * Math.PI) / 12), radius: 3 }));
    const [placement] = placeLabels([label(5, 5, 'p')], ring, domain);
    expect(Math.max(Math.abs(placement.dx), Math.abs(placement.dy))).toBeGreaterThan(12);
  });

  it('keeps labels of nearby points off each other', () => {
    const [a, b] = placeLabels([label(3, 5, 'first point'), label(3, 5.2, 'second point')], [], domain);
    expect(a).not.toEqual(b);
  });

  it('keeps a label inside the plot', () => {
    // At the top right corner: right and above would leave the plot.
    expect(placeLabels([label(9.9, 9.9)], [], domain)).toMatchObject([{ align: 'right', baseline: expect.stringMatching(/middle|top/) }]);
  });
});

describe('test-point labels on a rendered chart', () => {
  // The perceptron's 100 points and its two test points, each next to the other class's cloud.
  const { X } = JSON.parse(readFileSync(new URL('../fixtures/blobs.json', import.meta.url), 'utf8')).calls[0] as { X: number[][] };
  const y = X.map((_, i) => i % 2);
  const dataset: Dataset = { X, y };
  const points = [
    { name: 'red', point: [1, -1] as [number, number], probability: 0.9424 },
    { name: 'black', point: [-1, 1] as [number, number], probability: 0.0506 },
  ];

  it('cover no data point where Vega actually draws them', async () => {
    const svg = await renderSvg(scatterSpec(dataset, { title: 'Trained', points }));
    const at = (markup: string) => [...markup.matchAll(/transform="translate\(([-\d.]+),([-\d.]+)\)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const groups = [...svg.matchAll(/<g class="mark-(symbol|text) role-mark"[^>]*>(.*?)<\/g>/g)].map((m) => m[2]);
    const dots = at(groups[0]);
    expect(dots).toHaveLength(100);
    // The last text mark holds the labels; each <text> has its anchor, offsets and alignment.
    const texts = [...groups[groups.length - 1].matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)];
    expect(texts.map((t) => t[2])).toEqual(['red  p = 0.942', 'black  p = 0.051']);
    for (const [, attrs, text] of texts) {
      const [[x, y]] = at(attrs);
      const anchor = /text-anchor="(\w+)"/.exec(attrs)?.[1] ?? 'start';
      const width = text.length * 5.6;
      const left = x - (anchor === 'end' ? width : anchor === 'middle' ? width / 2 : 0);
      // Vega writes the baseline as a y offset already folded into the translate: the text spans about 11 px above it.
      const covered = dots.filter(([dx, dy]) => dx > left - 3 && dx < left + width + 3 && dy > y - 11 - 3 && dy < y + 3);
      expect(covered, text).toEqual([]);
    }
  });
});
