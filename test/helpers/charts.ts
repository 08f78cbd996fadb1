/** Small charts shared by the determinism tests and the fresh process they spawn. */
import type { Spec } from 'vega';
import { decisionRegionSpec } from '../../src/charts/region.ts';
import { scatterSpec } from '../../src/charts/scatter.ts';
import { threePoints } from './svg.ts';

/** Two small charts for determinism checks: a scatter, and a region chart (whose gradient legend gets an SVG id). */
export function smallCharts(): Record<'scatter' | 'region', Spec> {
  const xor = { X: [[0, 0], [0, 1], [1, 0], [1, 1]], y: [0, 1, 1, 0] };
  const axis = [0, 0.25, 0.5, 0.75, 1];
  const probability = axis.map((b) => axis.map((a) => (Math.abs(a + b - 1) < 0.5 ? 0.9 : 0.1)));
  return {
    scatter: scatterSpec(threePoints, { title: 'Three points' }),
    region: decisionRegionSpec(xor, { x1: axis, x2: axis, probability }, { title: 'XOR region' }),
  };
}
