import { Duration, Token } from 'aws-cdk-lib';
import { DataLakeProps } from './data-lake-props';

type PropName = keyof DataLakeProps;

// An existing resource and the props that would configure it if this construct created it.
const CONFIGURES: ReadonlyArray<{ readonly existing: PropName; readonly props: readonly PropName[] }> = [
  { existing: 'encryptionKey', props: ['encryptionKeyAlias'] },
  { existing: 'existingDatasetsBucket', props: ['datasetsIntelligentTieringAfter', 'datasetsEventBridge'] },
  { existing: 'existingArtifactsBucket', props: ['experimentRunOutputsExpiration', 'failedRunOutputsExpiration'] },
  { existing: 'existingPredictionsBucket', props: ['predictionsExpiration'] },
];

// Props that configure every bucket this construct creates (including the access-logs bucket).
const ALL_BUCKET_PROPS: readonly PropName[] = ['noncurrentVersionExpiration', 'abortIncompleteMultipartUploadAfter', 'accessLogsExpiration'];

// Duration props in whole days and the smallest value S3 accepts for each.
const MIN_DAYS: ReadonlyArray<readonly [PropName, number]> = [
  ['noncurrentVersionExpiration', 1],
  ['abortIncompleteMultipartUploadAfter', 1],
  ['datasetsIntelligentTieringAfter', 0],
  ['experimentRunOutputsExpiration', 1],
  ['failedRunOutputsExpiration', 1],
  ['predictionsExpiration', 1],
  ['accessLogsExpiration', 1],
];

/** Throws on props that conflict with each other or that S3 would reject. */
export function validateDataLakeProps(props: DataLakeProps): void {
  validateExistingResources(props);
  for (const [name, min] of MIN_DAYS) validateDays(name, props[name] as Duration | undefined, min);
}

function validateExistingResources(props: DataLakeProps): void {
  for (const { existing, props: configuring } of CONFIGURES) {
    if (props[existing] === undefined) continue;
    for (const name of configuring) {
      // A switch left off (false) configures nothing, so it does not conflict.
      if (props[name] === undefined || props[name] === false) continue;
      throw new Error(
        `${existing} and ${name} were both provided, but ${name} only configures a resource this construct creates: ` +
          `drop ${name} (configure the existing resource where it is defined) or drop ${existing}`,
      );
    }
  }

  const allBucketsExisting = props.existingDatasetsBucket && props.existingArtifactsBucket && props.existingPredictionsBucket;
  if (!allBucketsExisting) return;
  const existingList = 'existingDatasetsBucket, existingArtifactsBucket and existingPredictionsBucket';
  for (const name of ALL_BUCKET_PROPS) {
    if (props[name] === undefined) continue;
    throw new Error(`${name} was provided together with ${existingList}, so no bucket is created for it to configure: drop ${name}`);
  }
  if (props.encryptionKey === undefined) {
    throw new Error(
      `${existingList} were provided without encryptionKey, so the new key would encrypt nothing: ` +
        'pass the key that encrypts them as encryptionKey, or use DataLake.fromDataLakeAttributes()',
    );
  }
  if (props.removalPolicy !== undefined) {
    throw new Error(`removalPolicy was provided together with encryptionKey and ${existingList}, so nothing is created for it to apply to: drop removalPolicy`);
  }
}

function validateDays(name: string, value: Duration | undefined, min: number): void {
  if (value === undefined || value.isUnresolved()) return;
  const days = value.toDays({ integral: false });
  if (!Number.isInteger(days)) {
    throw new Error(`${name} must be a whole number of days (S3 lifecycle rules count days), but ${value.toHumanString()} was provided: use Duration.days(n)`);
  }
  if (days < min) {
    throw new Error(`${name} must be at least ${min} day${min === 1 ? '' : 's'}, but ${value.toHumanString()} was provided: use Duration.days(${min}) or more`);
  }
}

/**
 * Throws unless `prefix` is a usable S3 key prefix for a grant: not empty, no leading slash,
 * ends with `/` (so `runs/a/` cannot also match `runs/ab/`), no wildcards. Tokens are skipped.
 */
export function validateGrantPrefix(method: string, prefix: string | undefined): void {
  if (prefix === undefined || Token.isUnresolved(prefix)) return;
  const fail = (rule: string, fix: string) => {
    throw new Error(`${method}: prefix ${rule}, but '${prefix}' was provided: ${fix}`);
  };
  if (prefix === '') fail('must not be empty', 'omit prefix to grant access to the whole bucket');
  const trimmed = prefix.replace(/^\/+/, '');
  if (prefix.startsWith('/')) fail("must not start with '/' (S3 keys have no leading slash)", trimmed ? `use '${trimmed.replace(/\/?$/, '/')}'` : 'omit prefix to grant access to the whole bucket');
  if (/[*?]/.test(prefix)) fail('must not contain wildcards (* or ?)', 'pass the literal key prefix; the grant appends the wildcard itself');
  if (!prefix.endsWith('/')) fail("must end with '/' so it cannot match sibling keys", `use '${prefix}/'`);
}
