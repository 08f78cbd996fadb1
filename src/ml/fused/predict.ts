/** Predictions of a `ModelSpec` by the fused forward pass. */
import type { Dataset, ModelSpec } from '../../data.ts';
import { validateSpec } from '../options.ts';
import { Workspace } from './kernel.ts';

/** The model's probability of class 1 for each point, as float32 values. */
export function predict(spec: ModelSpec, points: number[][]): number[] {
  validateSpec(spec);
  if (points.some((p) => p.length !== spec.layers[0])) throw new Error(`every point needs ${spec.layers[0]} features`);
  if (points.length === 0) return [];
  const ws = new Workspace(spec, points, { loss: 'bce', outputs: points.length });
  const { kernel, layout } = ws;
  const block = kernel.blockSize();
  for (let s = 0; s < points.length; s += block) {
    kernel.predict(layout.scratch, layout.out + 4 * s, s, Math.min(block, points.length - s));
  }
  return Array.from(new Float32Array(ws.memory.buffer, layout.out, points.length));
}

/** The share of samples classified correctly, predicting class 1 when p ≥ 0.5. */
export function accuracy(spec: ModelSpec, data: Dataset): number {
  const p = predict(spec, data.X);
  return p.filter((pi, i) => (pi >= 0.5 ? 1 : 0) === data.y[i]).length / data.y.length;
}
