import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ARTIFACT_PREFIXES, RUN_STATUS_TAG } from './data-lake-layout';

/** Lifecycle settings after defaults are applied. */
export interface LifecycleSettings {
  readonly noncurrentVersionExpiration: Duration;
  readonly abortIncompleteMultipartUploadAfter: Duration;
  readonly datasetsIntelligentTieringAfter: Duration;
  readonly experimentRunOutputsExpiration: Duration;
  readonly failedRunOutputsExpiration: Duration;
  readonly predictionsExpiration?: Duration;
  readonly accessLogsExpiration: Duration;
}

// Every data bucket: bound what versioning and failed uploads cost. Removing delete markers
// that no longer hide any version keeps listings fast. (S3 rejects ExpiredObjectDeleteMarker in
// a rule with expiration days or a tag filter, hence one unfiltered rule of its own.)
function housekeeping(s: LifecycleSettings): s3.LifecycleRule {
  return {
    id: 'Housekeeping',
    abortIncompleteMultipartUploadAfter: s.abortIncompleteMultipartUploadAfter,
    noncurrentVersionExpiration: s.noncurrentVersionExpiration,
    expiredObjectDeleteMarker: true,
  };
}

/** Datasets grow every day and are read less as they age: move them to Intelligent-Tiering. */
export function datasetsLifecycle(s: LifecycleSettings): s3.LifecycleRule[] {
  return [
    housekeeping(s),
    {
      id: 'DatasetsToIntelligentTiering',
      transitions: [{ storageClass: s3.StorageClass.INTELLIGENT_TIERING, transitionAfter: s.datasetsIntelligentTieringAfter }],
    },
  ];
}

/** Experiment outputs expire by prefix; failed-run outputs wherever they are tagged failed. */
export function artifactsLifecycle(s: LifecycleSettings): s3.LifecycleRule[] {
  return [
    housekeeping(s),
    { id: 'ExpireExperimentRunOutputs', prefix: ARTIFACT_PREFIXES.experiments, expiration: s.experimentRunOutputsExpiration },
    { id: 'ExpireFailedRunOutputs', tagFilters: { [RUN_STATUS_TAG.key]: RUN_STATUS_TAG.failed }, expiration: s.failedRunOutputsExpiration },
  ];
}

/**
 * When archived predictions move to cheaper storage (days after they are written), and the
 * least each class bills an object for. The cost model prices the archive with the same tiers.
 */
export const PREDICTIONS_ARCHIVE_TIERS = [
  { storageClass: s3.StorageClass.INFREQUENT_ACCESS, afterDays: 30, minimumDays: 30, label: 'Standard-IA' },
  { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, afterDays: 90, minimumDays: 90, label: 'Glacier Instant Retrieval' },
] as const;

/**
 * The predictions archive is kept unless an expiration is set, and moves to cheaper storage as it
 * ages. Why these classes: archived predictions are read in the days after their run (loading,
 * drift, answers being questioned), later only by an investigation, which must not wait for a
 * Glacier restore. A transition is left out when the objects would expire before the class's
 * minimum storage duration (and with an unresolved expiration, which cannot be compared).
 */
export function predictionsLifecycle(s: LifecycleSettings): s3.LifecycleRule[] {
  const rules = [housekeeping(s)];
  const expiration = s.predictionsExpiration;
  const expiresAfterDays = expiration === undefined ? Infinity : expiration.isUnresolved() ? 0 : expiration.toDays();
  const transitions = PREDICTIONS_ARCHIVE_TIERS
    .filter((t) => t.afterDays + t.minimumDays <= expiresAfterDays)
    .map((t) => ({ storageClass: t.storageClass, transitionAfter: Duration.days(t.afterDays) }));
  if (transitions.length) rules.push({ id: 'PredictionsToCheaperStorage', transitions });
  if (expiration) rules.push({ id: 'ExpirePredictions', expiration });
  return rules;
}

/**
 * Access logs expire after their retention; the noncurrent versions that expiry (or a deletion)
 * leaves behind follow after `noncurrentVersionExpiration`. With expiration days in the rule S3
 * removes the resulting expired delete markers itself.
 */
export function accessLogsLifecycle(s: LifecycleSettings): s3.LifecycleRule[] {
  return [
    {
      id: 'ExpireAccessLogs',
      expiration: s.accessLogsExpiration,
      noncurrentVersionExpiration: s.noncurrentVersionExpiration,
      abortIncompleteMultipartUploadAfter: s.abortIncompleteMultipartUploadAfter,
    },
  ];
}
