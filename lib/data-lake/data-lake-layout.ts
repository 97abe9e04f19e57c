// Key prefixes and object tags the data lake's lifecycle rules act on. Plain constants (no CDK
// imports); the run-status tag lives in the runtime contract, which the handlers that set it import.
// `lambda/shared/contract.ts` `layout.runPrefix` builds keys under these prefixes; a test keeps
// the two in step.

/** Key prefixes in the artifacts bucket. */
export const ARTIFACT_PREFIXES = {
  /** Scheduled (production) runs: `runs/<model>/<runId>/`. Kept unless the run is marked failed. */
  runs: 'runs/',
  /** Experiment runs: `experiments/<model>/<runId>/`. Expire after `experimentRunOutputsExpiration`. */
  experiments: 'experiments/',
} as const;

/**
 * Object tag that marks the outputs of a failed run for expiry. Whoever records the failure (the
 * training pipeline's failure handler) tags every object under the run's prefix with
 * `mlops:run-status=failed` (`s3:PutObjectTagging`, included in `grantWriteArtifacts`); a
 * tag-filtered lifecycle rule then expires them after `failedRunOutputsExpiration`. Untagged
 * objects are never touched by that rule, so a forgotten tag keeps data rather than losing it.
 * Defined in the runtime contract (`lambda/shared/contract.ts`) so the handler that tags and
 * the rule that matches share one value.
 */
export { RUN_STATUS_TAG } from '../../lambda/shared/contract';

/** Prefixes in the access-logs bucket, one per data bucket, so each bucket's logs stay apart. */
export const ACCESS_LOG_PREFIXES = {
  datasets: 'datasets/',
  artifacts: 'artifacts/',
  predictions: 'predictions/',
} as const;
