/**
 * Metrics by name, `stage.metric`, as a sweep's objective names them (in the file's `sweep:`
 * block, or with `rxlab sweep --metric`): the ones the stages declare, and the words for a
 * name that is not one of them.
 */
import type { Stage } from '../../contract/stage.ts';
import { didYouMean } from '../../util/suggest.ts';

/**
 * `stage.metric` → direction for every metric the stages declare, in file order; a metric
 * measured on an optional input counts only where the pipeline gives that input.
 */
export function declaredMetrics(stages: readonly { id: string; stage: Stage; inputs: Record<string, string> }[]): Record<string, 'maximize' | 'minimize'> {
  return Object.fromEntries(
    stages.flatMap(({ id, stage, inputs }) =>
      Object.entries(stage.metrics)
        .filter(([, m]) => m.input === undefined || Object.hasOwn(inputs, m.input))
        .map(([name, m]) => [`${id}.${name}`, m.direction]),
    ),
  );
}

/** Why `name` is not one of `declared`, or undefined when it is. */
export function unknownMetric(name: string, declared: readonly string[]): string | undefined {
  if (declared.includes(name)) return undefined;
  if (declared.length === 0) return `no stage of the pipeline declares a metric, so "${name}" cannot be one`;
  return `no metric "${name}"${didYouMean(name, declared)}; the pipeline's metrics are ${declared.join(', ')}`;
}
