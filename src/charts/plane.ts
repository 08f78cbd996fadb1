/**
 * The feature plane shared by the scatter, decision-line and decision-region charts: x₁/x₂ scales
 * and axes, the dataset's points coloured by class, named test points, and their legends. Builders
 * add their own layers below the points (heatmaps) or between points and test points (lines).
 */
import type { Data, Legend, Mark, Scale, Spec } from 'vega';
import type { Dataset } from '../data.ts';
import { placeLabels } from './labels.ts';
import { paddedDomain, span, tidy } from './numbers.ts';
import { CLASS_COLOURS, LINE_COLOUR, POINT_COLOURS, frame, type ChartTitle } from './theme.ts';

/** A named point to mark on the plane, such as a test input, with the model's probability for it. */
export interface TestPoint {
  name: string;
  point: [number, number];
  /** P(class 1) for the point; shown beside it. */
  probability?: number;
}

/** Plot ranges of the plane: x₁ horizontally, x₂ vertically. */
export interface PlaneDomain {
  x1: [number, number];
  x2: [number, number];
}

/** Extra data, scales, legends and marks a builder puts on the plane. */
export interface PlaneLayers {
  data?: Data[];
  scales?: Scale[];
  legends?: Legend[];
  /** Drawn first, under the dataset's points. */
  under?: Mark[];
  /** Drawn over the dataset's points, under the test points. */
  over?: Mark[];
  /** Names of the lines the layers draw (in LINE_COLOUR), listed in the key under the classes. */
  lines?: string[];
  /** Lines under the title (notes about the layers). */
  notes?: string[];
  /** Outline of the dataset's points: white by default, dark over a coloured background. */
  pointStroke?: string;
}

const CLASS_NAMES = ['class 0', 'class 1'];
/** Area of a test point's diamond in square pixels: it frames a data point at the same place, which stays visible inside. */
const TEST_POINT_SIZE = 220;
/** Half the diagonal of that diamond, in pixels. */
const TEST_POINT_RADIUS = Math.sqrt(TEST_POINT_SIZE) / 2;

/** Throws unless the dataset has 2 features a row and one 0/1 label per row. */
function checkDataset(dataset: Dataset): void {
  if (dataset.X.length !== dataset.y.length) {
    throw new RangeError(`dataset has ${dataset.X.length} rows but ${dataset.y.length} labels`);
  }
  dataset.X.forEach((row, i) => {
    if (row.length !== 2) throw new RangeError(`dataset row ${i} has ${row.length} features; a 2-D chart needs 2`);
  });
  dataset.y.forEach((label, i) => {
    if (label !== 0 && label !== 1) throw new RangeError(`dataset label ${i} is ${label}; charts expect 0 or 1`);
  });
}

/** The data's range on each axis padded by 10%, widened to take in the test points. */
export function planeDomain(dataset: Dataset, points: TestPoint[] = []): PlaneDomain {
  const rows = [...dataset.X, ...points.map((p) => p.point)];
  return { x1: paddedDomain(rows.map((r) => r[0])), x2: paddedDomain(rows.map((r) => r[1])) };
}

/** The data's own x₁ range (unpadded), over which decision lines are drawn. */
export function dataRange(dataset: Dataset): [number, number] {
  const x1 = dataset.X.map((r) => r[0]);
  return x1.length === 0 ? [-1, 1] : span(x1);
}

/** Area of a data point's circle in square pixels: larger when there are few of them (XOR has 4). */
const pointSize = (count: number): number => (count <= 20 ? 100 : 36);

/** The test points with their label text and a label position that covers no data point where there is one. */
function testPointRows(points: TestPoint[], dataset: Dataset, domain: PlaneDomain): object[] {
  const texts = points.map(({ name, probability }) => (probability === undefined ? name : `${name}  p = ${probability.toFixed(3)}`));
  const radius = Math.sqrt(pointSize(dataset.X.length) / Math.PI);
  const placements = placeLabels(
    points.map((p, i) => ({ x: p.point[0], y: p.point[1], text: texts[i], radius: TEST_POINT_RADIUS })),
    dataset.X.map(([x, y]) => ({ x, y, radius })),
    domain,
  );
  return points.map(({ name, point, probability }, i) => ({
    name,
    x1: tidy(point[0]),
    x2: tidy(point[1]),
    ...(probability === undefined ? {} : { probability: tidy(probability) }),
    label: texts[i],
    ...placements[i],
  }));
}

/** Test-point label text; drawn twice, first as a white halo so it reads over points and lines. */
function testPointLabel(halo: boolean): Mark {
  return {
    type: 'text',
    from: { data: 'testPoints' },
    encode: {
      update: {
        x: { scale: 'x', field: 'x1' },
        y: { scale: 'y', field: 'x2' },
        dx: { field: 'dx' },
        dy: { field: 'dy' },
        align: { field: 'align' },
        baseline: { field: 'baseline' },
        text: { field: 'label' },
        fontSize: { value: 11 },
        fontWeight: { value: 'bold' },
        ...(halo
          ? { stroke: { value: 'white' }, strokeWidth: { value: 5 }, strokeJoin: { value: 'round' } }
          : { fill: { scale: 'testPoint', field: 'name' } }),
      },
    },
  };
}

/** A test point's diamond outline, drawn twice: a white halo, then its colour. */
function testPointMarker(halo: boolean): Mark {
  return {
    type: 'symbol',
    from: { data: 'testPoints' },
    encode: {
      update: {
        x: { scale: 'x', field: 'x1' },
        y: { scale: 'y', field: 'x2' },
        shape: { value: 'diamond' },
        size: { value: TEST_POINT_SIZE },
        ...(halo
          ? { stroke: { value: 'white' }, strokeWidth: { value: 4.5 } }
          : {
              // Transparent, not empty: the inside still answers the pointer with the tooltip.
              fill: { value: 'transparent' },
              stroke: { scale: 'testPoint', field: 'name' },
              strokeWidth: { value: 2.5 },
              tooltip: { signal: "{'point': datum.name, 'P(class 1)': datum.probability}" },
            }),
      },
    },
  };
}

/** The dataset's points. */
function classMark(count: number, stroke: string): Mark {
  return {
    type: 'symbol',
    from: { data: 'points' },
    encode: {
      update: {
        x: { scale: 'x', field: 'x1' },
        y: { scale: 'y', field: 'x2' },
        shape: { value: 'circle' },
        size: { value: pointSize(count) },
        fill: { scale: 'class', field: 'class' },
        fillOpacity: { value: 0.85 },
        stroke: { value: stroke },
        strokeWidth: { value: stroke === 'white' ? 0.5 : 1 },
        tooltip: { signal: "{'x₁': datum.x1, 'x₂': datum.x2, 'class': datum.class}" },
      },
    },
  };
}

/** The key: the two classes as dots, then each line layer as a stroke. */
function keyLegend(lines: string[]): { scales: Scale[]; legend: Legend } {
  if (lines.length === 0) return { scales: [], legend: { fill: 'class', symbolType: 'circle', orient: 'right' } };
  const domain = [...CLASS_NAMES, ...lines];
  const scale = (name: string, range: string[]): Scale => ({ name, type: 'ordinal', domain, range });
  return {
    scales: [
      scale('keyFill', [...CLASS_COLOURS, ...lines.map(() => 'transparent')]),
      scale('keyStroke', [...CLASS_NAMES.map(() => 'transparent'), ...lines.map(() => LINE_COLOUR)]),
      scale('keyShape', [...CLASS_NAMES.map(() => 'circle'), ...lines.map(() => 'stroke')]),
    ],
    legend: { fill: 'keyFill', stroke: 'keyStroke', shape: 'keyShape', symbolStrokeWidth: 2, orient: 'right' },
  };
}

/**
 * A complete chart of the dataset on the x₁/x₂ plane over `domain`, with the test points and the
 * builder's `layers`. The single place where the plane's scales, axes, legends and points are defined.
 */
export function planeSpec(
  dataset: Dataset,
  domain: PlaneDomain,
  title: ChartTitle & { points?: TestPoint[] },
  layers: PlaneLayers = {},
): Spec {
  checkDataset(dataset);
  const points = title.points ?? [];
  const names = points.map((p) => p.name);
  if (new Set(names).size !== names.length) throw new RangeError(`test point names must be unique: ${names.join(', ')}`);
  const rows = dataset.X.map((r, i) => ({ x1: tidy(r[0]), x2: tidy(r[1]), class: CLASS_NAMES[dataset.y[i]] }));
  const hasPoints = points.length > 0;
  const key = keyLegend(layers.lines ?? []);
  return {
    ...frame(title, layers.notes),
    data: [
      ...(layers.data ?? []),
      { name: 'points', values: rows },
      ...(hasPoints ? [{ name: 'testPoints', values: testPointRows(points, dataset, domain) }] : []),
    ],
    scales: [
      { name: 'x', type: 'linear', domain: domain.x1, range: 'width', zero: false, nice: false },
      { name: 'y', type: 'linear', domain: domain.x2, range: 'height', zero: false, nice: false },
      { name: 'class', type: 'ordinal', domain: CLASS_NAMES, range: [...CLASS_COLOURS] },
      ...key.scales,
      ...(hasPoints
        ? [{ name: 'testPoint', type: 'ordinal' as const, domain: names, range: [...POINT_COLOURS] }]
        : []),
      ...(layers.scales ?? []),
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'x₁', tickCount: 6 },
      { orient: 'left', scale: 'y', title: 'x₂', tickCount: 6 },
    ],
    legends: [
      ...(layers.legends ?? []),
      key.legend,
      // One test point is named by its label; a legend of one entry would only repeat it.
      ...(points.length > 1 ? [{ stroke: 'testPoint', title: 'test points', symbolType: 'diamond', symbolStrokeWidth: 2.5, orient: 'right' as const }] : []),
    ],
    marks: [
      ...(layers.under ?? []),
      classMark(rows.length, layers.pointStroke ?? 'white'),
      ...(layers.over ?? []),
      ...(hasPoints ? [testPointMarker(true), testPointMarker(false), testPointLabel(true), testPointLabel(false)] : []),
    ],
  };
}
