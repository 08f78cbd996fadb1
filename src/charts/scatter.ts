/** The data scatter: the dataset's points on the x₁/x₂ plane, coloured by class. */
import type { Spec } from 'vega';
import type { Dataset } from '../data.ts';
import { planeDomain, planeSpec, type TestPoint } from './plane.ts';
import type { ChartTitle } from './theme.ts';

/** Options of `scatterSpec`: title, subtitle, and named points to mark. */
export interface ScatterOptions extends ChartTitle {
  points?: TestPoint[];
}

/** A scatter of `dataset` coloured by class over its range padded by 10%. */
export function scatterSpec(dataset: Dataset, opts: ScatterOptions): Spec {
  return planeSpec(dataset, planeDomain(dataset, opts.points), opts);
}
