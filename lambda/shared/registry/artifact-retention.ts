// A promoted version keeps its artifact. Experiment runs write under `experiments/`, which the
// data lake expires (90 days by default): once that happened, scoring the version fails, and
// after the predictions' TTL every answer is a fallback. So promoting a version whose artifact
// lies there first copies the training job's output (model, metrics.json, baseline.json) under
// `runs/` with the same relative key, which never expires, and points the version at the copy
// with a conditional write. Versions already under `runs/` (every version ever promoted since,
// hence every version a rollback can return to) are left as they are.
import { CopyObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mlopsCommand } from '../../../cli/command-line';
import { listAll } from '../training/s3';
import { RegistryContext } from './context';
import { ConflictError } from './errors';
import { keys } from './keys';
import { ModelVersion } from './types';
import { requireVersion } from './versions';

/** Key prefixes of the artifacts bucket (lib/data-lake/data-lake-layout.ts names the same). */
const EXPERIMENTS = 'experiments/';
const RUNS = 'runs/';

/** CopyObject copies at most 5 GiB in one request. */
const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;

/** What promotion copied, for the caller to report. */
export interface RetainedArtifact {
  /** The registered artifact under experiments/. */
  readonly from: string;
  /** The copy under runs/, now the version's artifactUri. */
  readonly to: string;
  /** Objects copied (model files, metrics, baseline). */
  readonly objects: number;
}

/** `s3://<bucket>/experiments/<model>/<rest>` -> bucket and key, or undefined for any other URI. */
function experimentLocation(uri: string, model: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m || !m[2].startsWith(`${EXPERIMENTS}${model}/`) || m[2].split('/').includes('..')) return undefined;
  return { bucket: m[1], key: m[2] };
}

/** The same key under runs/. */
const underRuns = (key: string) => `${RUNS}${key.slice(EXPERIMENTS.length)}`;

/**
 * What to copy for an artifact: the whole job output when the artifact is the job's
 * `.../output/model/` (so metrics.json and baseline.json next to it come along, and drift finds
 * the baseline from the new artifactUri), else the artifact prefix or object itself.
 */
function sourcePrefix(key: string): string {
  const job = /^(.*\/output\/)model\/?$/.exec(key);
  return job ? job[1] : key;
}

/**
 * Copies an experiment version's artifact under `runs/` and records the copy on the version
 * (conditional on the artifactUri still being the experiment one). Returns the version as it now
 * is, and what was copied (undefined when nothing had to be).
 */
export async function retainArtifact(ctx: RegistryContext, s3: S3Client | undefined, version: ModelVersion): Promise<{ version: ModelVersion; retained?: RetainedArtifact }> {
  const source = experimentLocation(version.artifactUri, version.model);
  if (!source) return { version };
  const what = `version ${version.version} of ${version.model}/${version.category}`;
  if (!s3) {
    throw new ConflictError(`${what} comes from an experiment run: its artifact ${version.artifactUri} is under ${EXPERIMENTS}, which expires, and this promotion cannot copy it under ${RUNS} (this registry client has no S3 client). Promote it with \`${mlopsCommand('promote', [version.model, String(version.version)], { category: version.category, reason: '<why>' })}\`, which copies it first`);
  }
  const prefix = sourcePrefix(source.key);
  const objects = prefix.endsWith('/') ? await listAll(s3, source.bucket, prefix) : await listAll(s3, source.bucket, prefix).then((all) => all.filter((o) => o.Key === prefix));
  if (objects.length === 0) {
    throw new ConflictError(`${what} cannot be promoted: its artifact ${version.artifactUri} no longer exists (experiment outputs under ${EXPERIMENTS} expire). Retrain it with \`${mlopsCommand('train', [version.model], { category: version.category })}\` and promote the new version`);
  }
  const tooLarge = objects.find((o) => (o.Size ?? 0) > COPY_OBJECT_MAX_BYTES);
  if (tooLarge) {
    throw new ConflictError(`${what} cannot be copied under ${RUNS}: s3://${source.bucket}/${tooLarge.Key} is ${((tooLarge.Size ?? 0) / 1024 ** 3).toFixed(1)} GiB, above the 5 GiB a single copy takes. Copy ${prefix} to ${underRuns(prefix)} yourself (\`aws s3 cp --recursive s3://${source.bucket}/${prefix} s3://${source.bucket}/${underRuns(prefix)}\`), then promote a version registered there`);
  }
  for (const o of objects) {
    await s3.send(new CopyObjectCommand({
      Bucket: source.bucket,
      Key: underRuns(o.Key!),
      CopySource: `${source.bucket}/${o.Key!.split('/').map(encodeURIComponent).join('/')}`,
      // No tags carried over: the data lake expires objects tagged as outputs of failed runs.
      TaggingDirective: 'REPLACE',
    }));
  }
  const to = `s3://${source.bucket}/${underRuns(source.key)}`;
  try {
    await ctx.doc.send(new UpdateCommand({
      TableName: ctx.tableName,
      Key: { pk: keys.line(version.model, version.category), sk: keys.versionSk(version.version) },
      UpdateExpression: 'SET artifactUri = :to, originalArtifactUri = :from',
      ConditionExpression: 'artifactUri = :from',
      ExpressionAttributeValues: { ':to': to, ':from': version.artifactUri },
    }));
  } catch (e) {
    // A concurrent promotion copied it first (to the same keys): the version already points there.
    if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    return { version: await requireVersion(ctx, version.model, version.category, version.version) };
  }
  return {
    version: { ...version, artifactUri: to, originalArtifactUri: version.artifactUri },
    retained: { from: version.artifactUri, to, objects: objects.length },
  };
}
