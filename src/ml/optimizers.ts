/**
 * The optimizers' settings, fully resolved (PyTorch's names, every default filled in), and
 * their TensorFlow.js implementation with `torch.optim` semantics (PyTorch 1.13, the
 * single-tensor path). tfjs's own Adam differs (eps 1e-7, added to the uncorrected √v
 * with a folded step size), so Adam is written out; SGD is too, to keep one update path
 * and one set of constants that live as long as the training run. The fused trainer
 * (fused/) implements the same spec in WebAssembly.
 */
import { tf } from './backend.ts';
import { validateOptimizer, type OptimizerSpec } from './options.ts';

export type { OptimizerSpec } from './options.ts';

/** One optimizer bound to the variables it updates. */
export interface Optimizer {
  /** Updates every variable from its gradient (same order); call inside `tf.tidy`. */
  step(grads: tf.Tensor[]): void;
  /** Frees the optimizer's state and constants. */
  dispose(): void;
}

/** Creates `spec` for `variables`. */
export function createOptimizer(spec: OptimizerSpec, variables: tf.Variable[]): Optimizer {
  validateOptimizer(spec);
  return spec.name === 'sgd' ? sgd(spec, variables) : adam(spec, variables);
}

/**
 * `SGD(lr, momentum, dampening, weight_decay, nesterov)`: g += wd·p; with momentum,
 * buf = g on the first step and μ·buf + (1 − dampening)·g after; g = g + μ·buf (Nesterov)
 * or buf; p −= lr·g. Settings at their defaults cost no operation, so plain SGD and
 * momentum give the bits they gave before these settings existed.
 */
function sgd(spec: Extract<OptimizerSpec, { name: 'sgd' }>, variables: tf.Variable[]): Optimizer {
  const { momentum, dampening, nesterov, weight_decay } = spec;
  const [lrT, muT, keepT, wdT] = [tf.scalar(spec.lr), tf.scalar(momentum), tf.scalar(1 - dampening), tf.scalar(weight_decay)];
  const bufs = momentum !== 0 ? zeroStates(variables) : [];
  let t = 0;
  return {
    step: (grads) => {
      t++;
      variables.forEach((p, i) => {
        let g = grads[i];
        if (weight_decay !== 0) g = tf.add(g, tf.mul(wdT, p));
        if (momentum !== 0) {
          const buf = bufs[i];
          if (t === 1) buf.assign(g);
          else buf.assign(tf.add(tf.mul(muT, buf), dampening === 0 ? g : tf.mul(keepT, g)));
          g = nesterov ? tf.add(g, tf.mul(muT, buf)) : buf;
        }
        p.assign(tf.sub(p, tf.mul(lrT, g)));
      });
    },
    dispose: () => [lrT, muT, keepT, wdT, ...bufs].forEach((x) => x.dispose()),
  };
}

/**
 * `Adam(lr, betas, eps, weight_decay, amsgrad)`: g += wd·p;
 * m = m + (1−β1)(g − m); v = β2·v + (1−β2)·g²; v̂ = max(v̂, v) with amsgrad;
 * p −= lr/(1−β1^t) · m / (√v / √(1−β2^t) + eps).
 * The bias corrections are computed in double precision, as Python does. The first moment
 * is written m + (1−β1)(g − m), not PyTorch 1.13's β1·m + (1−β1)·g: the same value, in
 * the form this path has always used (its bits are in the pipelines' locks).
 */
function adam(spec: Extract<OptimizerSpec, { name: 'adam' }>, variables: tf.Variable[]): Optimizer {
  const [beta1, beta2] = spec.betas;
  const { weight_decay, amsgrad } = spec;
  const [b2T, oneMinusB1, oneMinusB2, epsT, wdT] = [beta2, 1 - beta1, 1 - beta2, spec.eps, weight_decay].map((x) => tf.scalar(x));
  const [ms, vs] = [zeroStates(variables), zeroStates(variables)];
  const vmaxes = amsgrad ? zeroStates(variables) : [];
  let t = 0;
  return {
    step: (grads) => {
      t++;
      const stepSize = tf.scalar(spec.lr / (1 - beta1 ** t));
      const bc2Sqrt = tf.scalar(Math.sqrt(1 - beta2 ** t));
      variables.forEach((p, i) => {
        const [m, v] = [ms[i], vs[i]];
        const g = weight_decay !== 0 ? tf.add(grads[i], tf.mul(wdT, p)) : grads[i];
        m.assign(tf.add(m, tf.mul(oneMinusB1, tf.sub(g, m))));
        v.assign(tf.add(tf.mul(v, b2T), tf.mul(tf.mul(oneMinusB2, g), g)));
        let second: tf.Tensor = v;
        if (amsgrad) {
          vmaxes[i].assign(tf.maximum(vmaxes[i], v));
          second = vmaxes[i];
        }
        const denom = tf.add(tf.div(tf.sqrt(second), bc2Sqrt), epsT);
        p.assign(tf.sub(p, tf.mul(stepSize, tf.div(m, denom))));
      });
    },
    dispose: () => [b2T, oneMinusB1, oneMinusB2, epsT, wdT, ...ms, ...vs, ...vmaxes].forEach((x) => x.dispose()),
  };
}

/** A zero, non-trainable state variable shaped like each of `variables`. */
function zeroStates(variables: tf.Variable[]): tf.Variable[] {
  // tidy frees the zeros tensors; the variables keep their own reference.
  return tf.tidy(() => variables.map((v) => tf.variable(tf.zerosLike(v), false)));
}
