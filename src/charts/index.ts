/** Vega charts of classification experiments: spec builders and deterministic SVG rendering. */
export { scatterSpec, type ScatterOptions } from './scatter.ts';
export { decisionLine, decisionLineSpec, type DecisionLine, type DecisionLineOptions } from './decision-line.ts';
export { LOG_SPAN, lossCurveSpec, lossCurvesSpec, spansDecades, type LossCurveOptions, type LossCurvesOptions, type LossSeries } from './loss.ts';
export { objectiveSpec, type ObjectiveChartOptions, type TrialValue } from './objective.ts';
export { decisionRegionSpec, type DecisionRegionOptions } from './region.ts';
export { parallelCoordinatesSpec, type ParallelAxis, type ParallelLine, type ParallelOptions } from './parallel.ts';
export { interactiveLossSpec, lossChartRows, type InteractiveMeta, type LogScaleToggle, type LossRow } from './interactive.ts';
export { isoline, type ProbabilityGrid, type Segment } from './contour.ts';
export type { TestPoint } from './plane.ts';
export type { ChartTitle } from './theme.ts';
export { renderSvg, specJson } from './render.ts';
