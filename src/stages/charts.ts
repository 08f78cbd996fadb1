/**
 * Chart stages: each writes a Vega spec (`chart.vg.json`, editable) and its SVG rendering
 * (`chart.svg`). The decision chart draws a line for a single-layer model and the
 * decision region (a probability heatmap) for a model with hidden layers.
 */
import { from, type Observable } from 'rxjs';
import type { Spec } from 'vega';
import { concatMap } from 'rxjs/operators';
import type { Dataset } from '../data.ts';
import { defineStage, type StageEvent } from '../contract/stage.ts';
import { CHART_PACKAGES, chartArtifacts, loadCharts } from './artifacts.ts';
import { ML_PACKAGES, backendParam, backendProblems, computeWith } from './ml.ts';
import { titleParams } from './params.ts';
import { featuresProblem } from './preflight.ts';

/** Memory per plotted point: its datum, Vega's scene-graph item and its SVG text. */
const POINT_BYTES = 2048;

/** A chart of a dataset: it must have two features (the two axes); a mark per sample. */
const plotted = (dataset: { from: string; features?: number; samples?: number } | undefined) => ({
  problems: featuresProblem(dataset, 2, ['inputs', 'dataset'], 'a chart plots', 'a chart of more features is not drawn: leave this stage out'),
  ...(dataset?.samples ? { memory: { bytes: dataset.samples * POINT_BYTES, path: ['inputs', 'dataset'], what: `a chart of ${dataset.samples} points` } } : {}),
});

/** A chart stage's events: the chart code is loaded, `build` makes the spec, and it is written as spec + SVG. */
const drawn = (build: (charts: Awaited<ReturnType<typeof loadCharts>>) => Spec | Promise<Spec>): Observable<StageEvent> =>
  from(loadCharts()).pipe(
    concatMap(async (charts) => chartArtifacts(await build(charts))),
    concatMap((events) => events),
  );

export const scatterChartStage = defineStage({
  name: 'scatter-chart',
  description: 'The dataset as a scatter plot coloured by class.',
  params: { type: 'object', properties: titleParams('Data'), additionalProperties: false },
  inputs: { dataset: { kind: 'dataset' } },
  preflight: (_params, { dataset }) => plotted(dataset),
  packages: CHART_PACKAGES,
  run: (ctx, { dataset }) => drawn((charts) => charts.scatterSpec(twoFeatures(dataset), ctx.params)),
});

export const lossChartStage = defineStage({
  name: 'loss-chart',
  description: 'The loss of every epoch, and the validation loss beside it when training measured one.',
  params: { type: 'object', properties: titleParams('Loss'), additionalProperties: false },
  inputs: { history: { kind: 'history' } },
  packages: CHART_PACKAGES,
  run: (ctx, { history }) => drawn((charts) => charts.lossCurveSpec(history.loss, { ...ctx.params, ...(history.val_loss ? { validation: history.val_loss } : {}) })),
});

export const decisionChartStage = defineStage({
  name: 'decision-chart',
  description: "The model's decision line (one layer) or decision region (hidden layers) over the data, with evaluated points marked.",
  params: {
    type: 'object',
    properties: {
      ...titleParams('Decision boundary'),
      grid: { type: 'integer', minimum: 2, maximum: 400, default: 60, description: 'cells per axis of the decision-region heatmap' },
      backend: backendParam,
    },
    additionalProperties: false,
  },
  inputs: {
    dataset: { kind: 'dataset' },
    model: { kind: 'model' },
    predictions: { kind: 'predictions', optional: true, description: 'evaluated points to mark, with their probabilities' },
  },
  check: ({ backend }) => backendProblems(backend),
  preflight: (_params, { dataset }) => plotted(dataset),
  packages: [...CHART_PACKAGES, ...ML_PACKAGES],
  run: (ctx, { dataset, model, predictions }) =>
    drawn(async (charts) => {
      twoFeatures(dataset);
      const points = (predictions?.points ?? []).map((p) => ({
        name: p.name,
        point: p.point as [number, number],
        probability: p.probability,
      }));
      const opts = { title: ctx.params.title, subtitle: ctx.params.subtitle, points };
      if (model.layers.length === 2) return charts.decisionLineSpec(dataset, model.params[0], opts);
      const ml = await computeWith(ctx.params.backend);
      return charts.decisionRegionSpec(dataset, probabilityGrid(dataset, ctx.params.grid, (xs) => ml.predict(model, xs)), opts);
    }),
});

/** Charts are drawn in the x₁/x₂ plane. */
function twoFeatures(dataset: Dataset): Dataset {
  const features = dataset.X[0]?.length ?? 0;
  if (features !== 2) throw new Error(`charts plot two features, but the dataset has ${features}`);
  return dataset;
}

/** The model's probabilities at the centres of an n × n grid over the data, padded by 10% each side. */
function probabilityGrid(dataset: Dataset, n: number, predict: (xs: number[][]) => number[]) {
  const axis = (k: number): number[] => {
    const values = dataset.X.map((row) => row[k]);
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    const pad = (hi - lo || 1) * 0.1;
    const step = (hi - lo + 2 * pad) / n;
    return Array.from({ length: n }, (_, i) => lo - pad + (i + 0.5) * step);
  };
  const x1 = axis(0);
  const x2 = axis(1);
  const flat = predict(x2.flatMap((b) => x1.map((a) => [a, b])));
  return { x1, x2, probability: x2.map((_, j) => flat.slice(j * n, (j + 1) * n)) };
}
