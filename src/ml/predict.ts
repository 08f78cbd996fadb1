/** Predictions of a trained `ModelSpec` (one output unit: the probability of class 1). */
import type { Dataset, ModelSpec } from '../data.ts';
import { tf } from './backend.ts';
import { createNetwork } from './model.ts';

/** The model's probability of class 1 for each point, as float32 values. */
export function predict(spec: ModelSpec, points: number[][]): number[] {
  if (points.length === 0) return [];
  const net = createNetwork(spec);
  try {
    const p = tf.tidy(() => net.forward(tf.tensor2d(points, undefined, 'float32')));
    const values = Array.from(p.dataSync());
    p.dispose();
    return values;
  } finally {
    net.dispose();
  }
}

/** The share of samples classified correctly, predicting class 1 when p ≥ 0.5. */
export function accuracy(spec: ModelSpec, data: Dataset): number {
  const p = predict(spec, data.X);
  return p.filter((pi, i) => (pi >= 0.5 ? 1 : 0) === data.y[i]).length / data.y.length;
}
