/**
 * Loss functions with PyTorch's numerics, bound to one target tensor so their
 * constants are built once rather than on every epoch. Each gives its value and its
 * gradient with respect to the predictions; train.ts runs the backward pass itself
 * (see model.ts).
 */
import { tf } from './backend.ts';
import type { LossName } from './options.ts';

export type { LossName };

/** A loss bound to its targets, for predictions `p` of the targets' shape. */
export interface BoundLoss {
  /** The scalar loss. */
  value: (p: tf.Tensor) => tf.Scalar;
  /** dLoss/dp, same shape as `p`. */
  grad: (p: tf.Tensor) => tf.Tensor;
  dispose(): void;
}

/** Creates loss `name` against targets `y`. */
export function createLoss(name: LossName, y: tf.Tensor): BoundLoss {
  return name === 'bce' ? bce(y) : mse(y);
}

/**
 * `nn.MSELoss`: mean((p − y)²). The gradient is written as tfjs's autodiff computes
 * it, (1/n)·(2·(p − y)), so the numbers are the same bits as before it was explicit.
 */
function mse(y: tf.Tensor): BoundLoss {
  const [two, invN] = [tf.scalar(2), tf.scalar(1 / y.size)];
  return {
    value: (p) => tf.mean(tf.squaredDifference(p, y)),
    grad: (p) => tf.mul(invN, tf.mul(two, tf.sub(p, y))),
    dispose: () => [two, invN].forEach((t) => t.dispose()),
  };
}

/**
 * `nn.BCELoss`: forward −mean(y·max(log p, −100) + (1−y)·max(log1p(−p), −100)), written
 * as ATen writes it. The gradient is ATen's too, (p − y) / max(p(1 − p), 1e−12) / n:
 * differentiating the clamped logs would give 0 · ∞ = NaN once p saturates at 0 or 1,
 * where PyTorch keeps a finite gradient and training goes on.
 */
function bce(y: tf.Tensor): BoundLoss {
  const yMinus1 = tf.sub(y, 1);
  const [floor, eps, one, invN] = [tf.scalar(-100), tf.scalar(1e-12), tf.scalar(1), tf.scalar(1 / y.size)];
  return {
    value: (p) => {
      const logP = tf.maximum(tf.log(p), floor);
      const log1mP = tf.maximum(tf.log1p(tf.neg(p)), floor);
      return tf.mean(tf.sub(tf.mul(yMinus1, log1mP), tf.mul(y, logP)));
    },
    grad: (p) => tf.div(tf.mul(invN, tf.sub(p, y)), tf.maximum(tf.mul(tf.sub(one, p), p), eps)),
    dispose: () => [yMinus1, floor, eps, one, invN].forEach((t) => t.dispose()),
  };
}
