import { describe, expect, it } from 'vitest';
import { isoline, type ProbabilityGrid } from '../../src/charts/contour.ts';
import { decisionRegionSpec } from '../../src/charts/region.ts';
import { renderSvg } from '../../src/charts/render.ts';
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

  it('renders one cell per grid value, the boundary, the points and the probability legend', async () => {
    const svg = await renderSvg(decisionRegionSpec(xor, ring, { title: 'XOR region' }));
    const [cells] = markGroups(svg, 'mark-rect role-mark');
    expect(cells.match(/<path /g)).toHaveLength(144);
    const [boundary] = markGroups(svg, 'mark-rule role-mark');
    expect(boundary.match(/<line /g)?.length).toBeGreaterThan(0);
    expect(texts(svg)).toEqual(
      expect.arrayContaining(['XOR region', 'x₁', 'x₂', 'P(class 1)', '0.0', '0.5', '1.0', 'p = 0.5 boundary', 'class 0', 'class 1']),
    );
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
