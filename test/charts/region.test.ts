import { describe, expect, it } from 'vitest';
import { isoline, type ProbabilityGrid } from '../../src/charts/contour.ts';
import { decisionRegionSpec } from '../../src/charts/region.ts';
import { renderSvg } from '../../src/charts/render.ts';
import { decodePalettePng } from '../helpers/png-decode.ts';
import { markGroups, texts } from '../helpers/svg.ts';

/** `n` evenly spaced cell centres over [lo, hi]. */
function centres(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / n);
}

/** A grid of `f(x1, x2)` laid out as meshgrid does: one row per x₂. */
function grid(x1: number[], x2: number[], f: (a: number, b: number) => number): ProbabilityGrid {
  return { x1, x2, probability: x2.map((b) => x1.map((a) => f(a, b))) };
}

const xor = { X: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] };

describe('isoline', () => {
  it('traces p = 0.5 of a linear surface exactly on its zero line x₂ = x₁', () => {
    const g = grid(centres(-1, 1, 8), centres(-1, 1, 8), (a, b) => 0.5 + 0.2 * (a - b));
    const segments = isoline(g, 0.5);
    expect(segments.length).toBeGreaterThan(0);
    for (const { from, to } of segments) {
      expect(from[1]).toBeCloseTo(from[0], 12);
      expect(to[1]).toBeCloseTo(to[0], 12);
    }
  });

  it('splits a saddle square by the mean of its corners', () => {
    // Corners counter-clockwise from (0,0): 1, 0, 1, 0 with mean 0.5 ≥ 0.5, so corners 1 and 3 are cut off.
    const saddle = { x1: [0, 1], x2: [0, 1], probability: [[1, 0], [0, 1]] };
    expect(isoline(saddle, 0.5)).toEqual([
      { from: [0.5, 0], to: [1, 0.5] },
      { from: [0.5, 1], to: [0, 0.5] },
    ]);
  });

  it('is empty when the surface stays on one side', () => {
    expect(isoline(grid([0, 1], [0, 1], () => 0.2), 0.5)).toEqual([]);
  });
});

describe('decisionRegionSpec', () => {
  const x = centres(-0.1, 1.1, 12);
  const ring = grid(x, x, (a, b) => (Math.abs(a + b - 1) < 0.5 ? 0.9 : 0.1));

  it('renders the heatmap as one image, the boundary, the points and one key for the classes and the boundary', async () => {
    const svg = await renderSvg(decisionRegionSpec(xor, ring, { title: 'XOR region' }));
    const [image] = markGroups(svg, 'mark-image role-mark');
    expect(image).toMatch(/^<image xlink:href="data:image\/png;base64,[^"]+" transform="translate\([\d.]+,[\d.]+\)" width="[\d.]+" height="[\d.]+" preserveAspectRatio="none"\/>$/);
    const [boundary] = markGroups(svg, 'mark-rule role-mark');
    expect(boundary.match(/<line /g)?.length).toBeGreaterThan(0);
    expect(texts(svg)).toEqual(
      expect.arrayContaining(['XOR region', 'x₁', 'x₂', 'P(class 1)', '0.0', '0.5', '1.0', 'p = 0.5 boundary', 'class 0', 'class 1']),
    );
    // The line has no legend of its own (one entry): it is listed with the classes.
    expect(svg.match(/class="mark-group role-legend"/g)).toHaveLength(2);
  });

  it('has one pixel per grid value, top row the highest x₂, shaded from the class 0 tint through white to the class 1 tint', () => {
    const slope = grid(centres(0, 1, 4), centres(0, 1, 3), (a) => a);
    const spec = decisionRegionSpec(xor, slope, { title: 't' });
    const image = spec.marks?.find((m) => m.type === 'image');
    const url = (image?.encode?.update?.url as { value: string }).value;
    const { width, height, palette, pixels } = decodePalettePng(url);
    expect([width, height]).toEqual([4, 3]);
    // p = 0.125, 0.375, 0.625, 0.875 along every row.
    const row = [0.125, 0.375, 0.625, 0.875].map((p) => Math.round(p * 255));
    expect(pixels).toEqual([...row, ...row, ...row]);
    expect([palette[0], palette[255]]).toEqual([[0x9f, 0xba, 0xd6], [0xf9, 0xc0, 0x8a]]);
    expect(palette[128]).toEqual([255, 255, 255].map((c, k) => Math.round(c + ([0xf9, 0xc0, 0x8a][k] - c) * (128 / 255 - 0.5) * 2)));
    // Spanning the cell edges, half a step beyond the outer centres: x₁ and x₂ from 0 to 1.
    const edge = (k: 'x' | 'x2' | 'y' | 'y2'): number => Number((image?.encode?.update?.[k] as { value: number }).value.toFixed(9)) + 0;
    expect([edge('x'), edge('x2'), edge('y'), edge('y2')]).toEqual([0, 1, 1, 0]);
  });

  it('puts the top row of the image at the top of the plot', () => {
    const rising = grid(centres(0, 1, 2), centres(0, 1, 2), (_, b) => b);
    const url = (decisionRegionSpec(xor, rising, { title: 't' }).marks?.find((m) => m.type === 'image')?.encode?.update?.url as { value: string }).value;
    expect(decodePalettePng(url).pixels).toEqual([191, 191, 64, 64]);
  });

  it('needs evenly spaced grid positions, as the pixels of an image are', () => {
    expect(() => decisionRegionSpec(xor, grid([0, 0.1, 1], [0, 1], () => 0.5), { title: 't' })).toThrow(/evenly spaced/);
  });

  it('spans the grid cells and the data: edges half a step beyond the outer centres', () => {
    const spec = decisionRegionSpec(xor, ring, { title: 't' });
    expect(spec.scales?.slice(0, 2)).toMatchObject([{ domain: [-0.1, 1.1] }, { domain: [-0.1, 1.1] }]);
  });

  it('notes a grid with no boundary', async () => {
    const spec = decisionRegionSpec(xor, grid(x, x, () => 0.3), { title: 't' });
    expect(texts(await renderSvg(spec))).toContain('no p = 0.5 boundary on this grid');
  });

  it('rejects a probability grid that does not match its axes', () => {
    expect(() => decisionRegionSpec(xor, { x1: [0, 1, 2], x2: [0, 1], probability: [[0, 0], [0, 0]] }, { title: 't' })).toThrow(
      /2 rows .* of 3 values/,
    );
    expect(() => decisionRegionSpec(xor, { x1: [1, 0], x2: [0, 1], probability: [[0, 0], [0, 0]] }, { title: 't' })).toThrow(
      /ascending/,
    );
  });
});
