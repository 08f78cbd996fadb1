/** Param schemas that several built-in stages share. */

/**
 * scikit-learn's `random_state`, as an integer seed of NumPy's RandomState. Fixed by
 * default (0), unlike sklearn's fresh entropy, so that runs reproduce.
 */
export const randomStateParam = {
  type: 'integer',
  minimum: 0,
  maximum: 4294967295,
  default: 0,
  description: "the seed (NumPy's RandomState); fixed, unlike sklearn's default of fresh entropy, so runs reproduce",
} as const;

/** A chart's title and subtitle; `${stage.param}` in them names the params that ran. */
export const titleParams = (defaultTitle: string) =>
  ({
    title: { type: 'string', default: defaultTitle, description: 'the chart title; ${stage.param} inserts a param, e.g. ${train.optimizer.lr}' },
    subtitle: { type: 'string', description: 'a line under the title' },
  }) as const;
