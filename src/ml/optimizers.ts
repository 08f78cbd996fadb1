/**
 * Optimizers with `torch.optim` semantics, written with tf ops. tfjs's own Adam differs
 * (eps 1e-7, added to the uncorrected √v with a folded step size), so Adam has to be
 * written out; SGD and momentum are too, to keep one update path and one set of
 * constants that live as long as the training run.
 */
import { tf } from './backend.ts';

/** Which optimizer, with PyTorch's parameter names and defaults. */
export type OptimizerSpec =
  | { name: 'sgd'; lr: number }
  | { name: 'momentum'; lr: number; momentum: number }
  | { name: 'adam'; lr: number; beta1?: number; beta2?: number; eps?: number };

/** One optimizer bound to the variables it updates. */
export interface Optimizer {
  /** Updates every variable from its gradient (same order); call inside `tf.tidy`. */
  step(grads: tf.Tensor[]): void;
  /** Frees the optimizer's state and constants. */
  dispose(): void;
}

/** Creates `spec` for `variables`. */
export function createOptimizer(spec: OptimizerSpec, variables: tf.Variable[]): Optimizer {
  if (!(spec.lr > 0)) throw new Error(`optimizer.lr must be a positive number, got ${spec.lr}`);
  switch (spec.name) {
    case 'sgd':
      return sgd(spec.lr, variables);
    case 'momentum':
      return momentum(spec.lr, spec.momentum, variables);
    case 'adam':
      return adam(spec.lr, spec.beta1 ?? 0.9, spec.beta2 ?? 0.999, spec.eps ?? 1e-8, variables);
  }
}

/** `SGD(lr)`: p −= lr·g. */
function sgd(lr: number, variables: tf.Variable[]): Optimizer {
  const lrT = tf.scalar(lr);
  return {
    step: (grads) => variables.forEach((v, i) => v.assign(tf.sub(v, tf.mul(lrT, grads[i])))),
    dispose: () => lrT.dispose(),
  };
}

/**
 * `SGD(lr, momentum)` (dampening 0, no Nesterov): buf = μ·buf + g, p −= lr·buf.
 * PyTorch starts buf at g; a zero buffer gives exactly that on the first step.
 */
function momentum(lr: number, mu: number, variables: tf.Variable[]): Optimizer {
  const [lrT, muT] = [tf.scalar(lr), tf.scalar(mu)];
  const bufs = zeroStates(variables);
  return {
    step: (grads) =>
      variables.forEach((v, i) => {
        bufs[i].assign(tf.add(tf.mul(muT, bufs[i]), grads[i]));
        v.assign(tf.sub(v, tf.mul(lrT, bufs[i])));
      }),
    dispose: () => [lrT, muT, ...bufs].forEach((t) => t.dispose()),
  };
}

/**
 * `Adam(lr, (β1, β2), eps)` as torch's single-tensor path computes it:
 * m = m + (1−β1)(g − m); v = β2·v + (1−β2)·g²;
 * p −= lr/(1−β1^t) · m / (√v / √(1−β2^t) + eps).
 * The bias corrections are computed in double precision, as Python does.
 */
function adam(lr: number, beta1: number, beta2: number, eps: number, variables: tf.Variable[]): Optimizer {
  const [b2T, oneMinusB1, oneMinusB2, epsT] = [tf.scalar(beta2), tf.scalar(1 - beta1), tf.scalar(1 - beta2), tf.scalar(eps)];
  const [ms, vs] = [zeroStates(variables), zeroStates(variables)];
  let t = 0;
  return {
    step: (grads) => {
      t++;
      const stepSize = tf.scalar(lr / (1 - beta1 ** t));
      const bc2Sqrt = tf.scalar(Math.sqrt(1 - beta2 ** t));
      variables.forEach((p, i) => {
        const [m, v, g] = [ms[i], vs[i], grads[i]];
        m.assign(tf.add(m, tf.mul(oneMinusB1, tf.sub(g, m))));
        v.assign(tf.add(tf.mul(v, b2T), tf.mul(tf.mul(oneMinusB2, g), g)));
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), epsT);
        p.assign(tf.sub(p, tf.mul(stepSize, tf.div(m, denom))));
      });
    },
    dispose: () => [b2T, oneMinusB1, oneMinusB2, epsT, ...ms, ...vs].forEach((x) => x.dispose()),
  };
}

/** A zero, non-trainable state variable shaped like each of `variables`. */
function zeroStates(variables: tf.Variable[]): tf.Variable[] {
  // tidy frees the zeros tensors; the variables keep their own reference.
  return tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
}
