/**
 * The decision region of any model: P(class 1) on a grid drawn as a smooth heatmap (an image
 * the viewer scales with interpolation, one pixel per grid value), a diverging colour scale
 * centred at 0.5, the p = 0.5 boundary traced over it, and the data points on top.
 */
import type { Spec } from 'vega';
import type { Dataset } from '../data.ts';
import { checkGrid, isoline, type ProbabilityGrid } from './contour.ts';
import { tidy } from './numbers.ts';
import { planeDomain, planeSpec, type TestPoint } from './plane.ts';
import { palettePngDataUrl } from './png.ts';
import { LINE_COLOUR, type ChartTitle } from './theme.ts';

/** Options of `decisionRegionSpec`: title, subtitle, and named points to mark. */
export interface DecisionRegionOptions extends ChartTitle {
  points?: TestPoint[];
}

/** Heatmap colours for p = 0, 0.5 and 1: light tints of the class colours either side of white. */
const REGION_COLOURS = ['#9fbad6', '#ffffff', '#f9c08a'];
const BOUNDARY = 'p = 0.5 boundary';
/** Probabilities are drawn in 256 shades, the most a palette image holds; neighbouring shades differ by less than one unit of any colour channel. */
const SHADES = 256;

const rgb = (hex: string): number[] => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** The colour of p on the heatmap's scale, interpolated in RGB as Vega's scale (and its legend) does. */
function shade(p: number): [number, number, number] {
  const [from, to, t] = p <= 0.5 ? [REGION_COLOURS[0], REGION_COLOURS[1], p / 0.5] : [REGION_COLOURS[1], REGION_COLOURS[2], (p - 0.5) / 0.5];
  const [a, b] = [rgb(from), rgb(to)];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t)) as [number, number, number];
}

/** The outer edges of evenly spaced cell centres, half a step beyond the first and the last; throws when they are not evenly spaced. */
function outerEdges(name: string, centres: number[]): [number, number] {
  const n = centres.length;
  const step = (centres[n - 1] - centres[0]) / (n - 1);
  if (centres.some((c, i) => Math.abs(c - (centres[0] + i * step)) > 1e-6 * step)) throw new RangeError(`grid.${name} must be evenly spaced`);
  return [centres[0] - step / 2, centres[n - 1] + step / 2];
}

/** The heatmap as a palette PNG, top row first (the grid's last x₂ row). */
function heatmapImage(grid: ProbabilityGrid): string {
  const [w, h] = [grid.x1.length, grid.x2.length];
  const pixels = new Uint8Array(w * h);
  grid.probability.forEach((row, j) =>
    row.forEach((p, i) => {
      pixels[(h - 1 - j) * w + i] = Math.round(Math.min(1, Math.max(0, tidy(p))) * (SHADES - 1));
    }),
  );
  return palettePngDataUrl(w, h, pixels, Array.from({ length: SHADES }, (_, k) => shade(k / (SHADES - 1))));
}

/** The heatmap of `grid` (its values taken as evenly spaced cell centres) with the p = 0.5 boundary, under the points of `dataset`. */
export function decisionRegionSpec(dataset: Dataset, grid: ProbabilityGrid, opts: DecisionRegionOptions): Spec {
  checkGrid(grid);
  const e1 = outerEdges('x1', grid.x1);
  const e2 = outerEdges('x2', grid.x2);
  const data = planeDomain(dataset, opts.points);
  const domain = {
    x1: [tidy(Math.min(e1[0], data.x1[0])), tidy(Math.max(e1[1], data.x1[1]))] as [number, number],
    x2: [tidy(Math.min(e2[0], data.x2[0])), tidy(Math.max(e2[1], data.x2[1]))] as [number, number],
  };
  const boundary = isoline(grid, 0.5).map(({ from, to }) => ({
    x1: tidy(from[0]),
    x2: tidy(from[1]),
    x1End: tidy(to[0]),
    x2End: tidy(to[1]),
  }));
  return planeSpec(dataset, domain, opts, {
    pointStroke: '#222222',
    notes: boundary.length === 0 ? ['no p = 0.5 boundary on this grid'] : [],
    lines: boundary.length > 0 ? [BOUNDARY] : [],
    data: [{ name: 'boundary', values: boundary }],
    scales: [
      { name: 'probability', type: 'linear', domain: [0, 0.5, 1], range: REGION_COLOURS, clamp: true },
    ],
    legends: [{ fill: 'probability', type: 'gradient', title: 'P(class 1)', values: [0, 0.5, 1], gradientLength: 100, orient: 'right' }],
    under: [
      {
        type: 'image',
        encode: {
          update: {
            url: { value: heatmapImage(grid) },
            x: { scale: 'x', value: tidy(e1[0]) },
            x2: { scale: 'x', value: tidy(e1[1]) },
            y: { scale: 'y', value: tidy(e2[1]) },
            y2: { scale: 'y', value: tidy(e2[0]) },
            aspect: { value: false },
            smooth: { value: true },
          },
        },
      },
      {
        type: 'rule',
        from: { data: 'boundary' },
        encode: {
          update: {
            x: { scale: 'x', field: 'x1' },
            y: { scale: 'y', field: 'x2' },
            x2: { scale: 'x', field: 'x1End' },
            y2: { scale: 'y', field: 'x2End' },
            stroke: { value: LINE_COLOUR },
            strokeWidth: { value: 2 },
            strokeCap: { value: 'round' },
          },
        },
      },
    ],
  });
}
