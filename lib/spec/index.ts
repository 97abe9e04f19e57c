export * from './model-spec';
export * from './load-model-spec';
export * from './spec-schema';
export { formatProblem } from './fields';
export type { SpecProblem } from './fields';
export { parseDuration, parseSize, formatDuration } from './units';
export { parseCron, maxIntervalMs, toEventBridgeCron } from './cron';
export type { CronSchedule } from './cron';
export * from './freshness';
