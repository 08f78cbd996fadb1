/**
 * Loss functions with PyTorch's numerics, bound to one target tensor so their
 * constants are built once rather than on every epoch.
 */
import { tf } from './backend.ts';

/** `bce` is `nn.BCELoss()`, `mse` is `nn.MSELoss()`, both with mean reduction. */
export type LossName = 'bce' | 'mse';

/** A loss bound to its targets: `fn(p)` is the scalar loss of predictions `p` (same shape). */
export interface BoundLoss {
  fn: (p: tf.Tensor) => tf.Scalar;
  dispose(): void;
}

/** Creates loss `name` against targets `y`. */
export function createLoss(name: LossName, y: tf.Tensor): BoundLoss {
  return name === 'bce' ? bce(y) : mse(y);
}

function mse(y: tf.Tensor): BoundLoss {
  return { fn: (p) => tf.mean(tf.squaredDifference(p, y)), dispose: () => undefined };
}

/**
 * `nn.BCELoss`: forward −mean(y·max(log p, −100) + (1−y)·max(log1p(−p), −100)), written
 * as ATen writes it. The gradient is ATen's too, (p − y) / max(p(1 − p), 1e−12) / n:
 * autodiff through the clamped logs would give 0 · ∞ = NaN once p saturates at 0 or 1,
 * where PyTorch keeps a finite gradient and training goes on.
 */
function bce(y: tf.Tensor): BoundLoss {
  const yMinus1 = tf.sub(y, 1);
  const [floor, eps, one, n] = [tf.scalar(-100), tf.scalar(1e-12), tf.scalar(1), tf.scalar(y.size)];
  // customGrad types its arguments loosely (tensor or save function): narrow them here.
  const fn = tf.customGrad((...args) => {
    const [p, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([p]);
    const logP = tf.maximum(tf.log(p), floor);
    const log1mP = tf.maximum(tf.log1p(tf.neg(p)), floor);
    return {
      value: tf.mean(tf.sub(tf.mul(yMinus1, log1mP), tf.mul(y, logP))),
      gradFunc: (dy, [saved]) =>
        tf.div(tf.mul(tf.div(dy, n), tf.sub(saved, y)), tf.maximum(tf.mul(tf.sub(one, saved), saved), eps)),
    };
  }) as (p: tf.Tensor) => tf.Scalar;
  return { fn, dispose: () => [yMinus1, floor, eps, one, n].forEach((t) => t.dispose()) };
}
