/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
  // A worker's heap grows past 1 GB over the synth suites (what jest's per-file module registries
  // leave behind), which slows every later garbage collection and the heap-measuring tests; a
  // worker holding more than this after a file is replaced (a fresh one starts in about a second).
  workerIdleMemoryLimit: '700MB',
};
