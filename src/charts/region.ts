/**
 * The decision region of any model: a heatmap of P(class 1) on a grid, a diverging colour scale
 * centred at 0.5, the p = 0.5 boundary traced over it, and the data points on top.
 */
import type { Spec } from 'vega';
import type { Dataset } from '../data.ts';
import { checkGrid, isoline, type ProbabilityGrid } from './contour.ts';
import { tidy } from './numbers.ts';
import { lineLegend, planeDomain, planeSpec, type TestPoint } from './plane.ts';
import type { ChartTitle } from './theme.ts';

/** Options of `decisionRegionSpec`: title, subtitle, and named points to mark. */
export interface DecisionRegionOptions extends ChartTitle {
  points?: TestPoint[];
}

/** Heatmap colours for p = 0, 0.5 and 1: light tints of the class colours either side of white. */
const REGION_COLOURS = ['#9fbad6', '#ffffff', '#f9c08a'];
const BOUNDARY = 'p = 0.5 boundary';

/** Cell edges around ascending centres: midpoints between neighbours, half a step beyond each end. */
function edges(centres: number[]): number[] {
  const n = centres.length;
  const mids = centres.slice(1).map((c, i) => (c + centres[i]) / 2);
  return [centres[0] - (centres[1] - centres[0]) / 2, ...mids, centres[n - 1] + (centres[n - 1] - centres[n - 2]) / 2];
}

/** The heatmap of `grid` (its values taken as cell centres) with the p = 0.5 boundary, under the points of `dataset`. */
export function decisionRegionSpec(dataset: Dataset, grid: ProbabilityGrid, opts: DecisionRegionOptions): Spec {
  checkGrid(grid);
  const e1 = edges(grid.x1);
  const e2 = edges(grid.x2);
  const data = planeDomain(dataset, opts.points);
  const domain = {
    x1: [tidy(Math.min(e1[0], data.x1[0])), tidy(Math.max(e1[e1.length - 1], data.x1[1]))] as [number, number],
    x2: [tidy(Math.min(e2[0], data.x2[0])), tidy(Math.max(e2[e2.length - 1], data.x2[1]))] as [number, number],
  };
  const cells = grid.probability.flatMap((row, j) =>
    row.map((p, i) => ({ x1: tidy(e1[i]), x1End: tidy(e1[i + 1]), x2: tidy(e2[j]), x2End: tidy(e2[j + 1]), p: tidy(p) })),
  );
  const boundary = isoline(grid, 0.5).map(({ from, to }) => ({
    x1: tidy(from[0]),
    x2: tidy(from[1]),
    x1End: tidy(to[0]),
    x2End: tidy(to[1]),
  }));
  const { scale, legend } = lineLegend(BOUNDARY);
  return planeSpec(dataset, domain, opts, {
    pointStroke: '#222222',
    notes: boundary.length === 0 ? ['no p = 0.5 boundary on this grid'] : [],
    data: [
      { name: 'cells', values: cells },
      { name: 'boundary', values: boundary },
    ],
    scales: [
      { name: 'probability', type: 'linear', domain: [0, 0.5, 1], range: REGION_COLOURS, clamp: true },
      scale,
    ],
    legends: [
      { fill: 'probability', type: 'gradient', title: 'P(class 1)', values: [0, 0.5, 1], gradientLength: 100, orient: 'right' },
      ...(boundary.length > 0 ? [legend] : []),
    ],
    under: [
      {
        type: 'rect',
        from: { data: 'cells' },
        encode: {
          update: {
            x: { scale: 'x', field: 'x1' },
            x2: { scale: 'x', field: 'x1End' },
            y: { scale: 'y', field: 'x2' },
            y2: { scale: 'y', field: 'x2End' },
            fill: { scale: 'probability', field: 'p' },
            // A hairline of the cell's own colour hides the seams anti-aliasing leaves between cells.
            stroke: { scale: 'probability', field: 'p' },
            strokeWidth: { value: 0.5 },
            tooltip: { signal: "{'P(class 1)': datum.p}" },
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
            stroke: { scale: 'lines', value: BOUNDARY },
            strokeWidth: { value: 2 },
            strokeCap: { value: 'round' },
          },
        },
      },
    ],
  });
}
