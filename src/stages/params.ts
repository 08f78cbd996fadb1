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
};
