/** Where a pre-training step (the feature store query) writes each run's training channel, under the run's prefix. */
export const FEATURE_SET_SUFFIX = 'input/training/';
