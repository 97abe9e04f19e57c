// How many values a PSI needs before it means something.
//
// PSI of a sample drawn from the baseline's own distribution is not 0: with n values in k bins
// it behaves like a chi-square with k - 1 degrees of freedom divided by n, so small batches
// cross the 0.2 alarm threshold by chance (10 bins: 92 % of batches of 20, 45 % of 50, 3 % of
// 100). A finite baseline adds its own noise the same way, so both sides count through the
// effective size n * m / (n + m) (the harmonic combination of batch size n and baseline size m;
// it equals n for a very large baseline). Drift is published only when the effective size is
// at least MIN_SAMPLE_SIZE and MIN_VALUES_PER_BIN per bin. False-alarm rates at that minimum:
// README "Drift" and test/monitoring/drift-false-alarm.test.ts (seeded simulation).

/** Smallest effective sample size for any histogram. */
export const MIN_SAMPLE_SIZE = 100;
/** Effective values needed per bin of the baseline histogram. */
export const MIN_VALUES_PER_BIN = 20;

/** The smallest effective sample size at which a PSI over `bins` bins is published. */
export function minimumSampleSize(bins: number): number {
  return Math.max(MIN_SAMPLE_SIZE, MIN_VALUES_PER_BIN * bins);
}

/** Effective size of comparing a batch of `batch` values with a baseline of `baseline` values. */
export function effectiveSampleSize(batch: number, baseline: number): number {
  return batch > 0 && baseline > 0 ? (batch * baseline) / (batch + baseline) : 0;
}
