/** The environment variable naming the run's folder of shared cloud assemblies (made by global-setup.ts). */
export const SYNTH_CACHE_ENV = 'MLOPS_TEST_SYNTH_CACHE';
