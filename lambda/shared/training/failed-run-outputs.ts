import { GetObjectTaggingCommand, ListObjectsV2Command, PutObjectTaggingCommand, S3Client, Tag } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { RUN_STATUS_TAG, layout } from '../contract';
import { keys } from '../registry/keys';
import { TrainingDeps, logWith } from './deps';
import { RunItem } from './types';

// Marks the outputs of a failed run for expiry: every object under the run's prefix gets the
// RUN_STATUS_TAG, which the DataLake's tag-filtered lifecycle rule expires after
// failedRunOutputsExpiration. Tagging is best effort: an untagged object is kept, never lost,
// so nothing here may fail the recording of the failure.

/** What tagging a prefix did. */
export interface TagOutcome {
  /** Objects that got the tag now. */
  readonly tagged: number;
  /** Objects that already carried it (a retried failure handler). */
  readonly alreadyTagged: number;
  /** Objects that could not be tagged, with the error (the first 20). */
  readonly failed: Array<{ key: string; error: string }>;
  /** Number of objects that could not be tagged. */
  readonly failedCount: number;
  /** Whether the time budget ran out before every object was tried. */
  readonly timedOut: boolean;
}

export interface TagOptions {
  /** Objects per ListObjectsV2 page. @default 1000 */
  readonly pageSize?: number;
  /** Objects tagged at once. @default 8 */
  readonly concurrency?: number;
  /**
   * Epoch milliseconds after which no new object is started (the handler must return before
   * its timeout; untagged objects are kept, which is the safe side).
   * @default - no deadline
   */
  readonly deadline?: number;
}

/**
 * Adds `RUN_STATUS_TAG` (failed) to every object under `prefix`, keeping each object's other tags.
 * Idempotent: objects that already carry the tag are left alone. Never throws for an object;
 * listing errors do throw.
 */
export async function tagPrefixFailed(s3: S3Client, bucket: string, prefix: string, opts: TagOptions = {}): Promise<TagOutcome> {
  const concurrency = opts.concurrency ?? 8;
  let tagged = 0;
  let alreadyTagged = 0;
  let failedCount = 0;
  let timedOut = false;
  const failed: Array<{ key: string; error: string }> = [];
  const tagOne = async (key: string) => {
    try {
      const { TagSet = [] } = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
      if (TagSet.some((t) => t.Key === RUN_STATUS_TAG.key && t.Value === RUN_STATUS_TAG.failed)) {
        alreadyTagged++;
        return;
      }
      const tags: Tag[] = [...TagSet.filter((t) => t.Key !== RUN_STATUS_TAG.key), { Key: RUN_STATUS_TAG.key, Value: RUN_STATUS_TAG.failed }];
      await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: tags } }));
      tagged++;
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return; // deleted since it was listed: nothing to expire
      failedCount++;
      if (failed.length < 20) failed.push({ key, error: `${name ?? 'Error'}: ${(e as Error).message}` });
    }
  };

  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: opts.pageSize }));
    const pending = (page.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
    const worker = async () => {
      for (let key = pending.shift(); key !== undefined; key = pending.shift()) {
        if (opts.deadline !== undefined && Date.now() >= opts.deadline) {
          timedOut = true;
          return;
        }
        await tagOne(key);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
    token = !timedOut && page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { tagged, alreadyTagged, failed, failedCount, timedOut };
}

/**
 * Tags the outputs of a run that was just recorded FAILED, unless a model version was registered
 * from it (its artifact lives under the run prefix and must not expire). The prefix is derived
 * from the run (`layout.runPrefix`), not taken from the state input, so a malformed item cannot
 * widen what gets tagged. Logs the outcome; never throws.
 */
export async function markFailedRunOutputs(item: RunItem, deps: TrainingDeps, opts: TagOptions = {}): Promise<TagOutcome | undefined> {
  const log = logWith(deps);
  const prefix = layout.runPrefix(item.model, item.runId, item.experiment);
  const where = { runId: item.runId, bucket: deps.artifactsBucket, prefix };
  try {
    const ref = await deps.doc.send(new GetCommand({
      TableName: deps.tableName,
      Key: { pk: keys.line(item.model, item.category), sk: keys.runRefSk(item.runId) },
      ConsistentRead: true,
    }));
    if (ref.Item?.version !== undefined) {
      log('WARN', 'failed run outputs not tagged for expiry: version registered from this run points at them', { ...where, version: ref.Item.version });
      return undefined;
    }
    const outcome = await tagPrefixFailed(deps.s3, deps.artifactsBucket, prefix, opts);
    const detail = { ...where, tag: `${RUN_STATUS_TAG.key}=${RUN_STATUS_TAG.failed}`, ...outcome };
    if (outcome.failedCount > 0 || outcome.timedOut) log('WARN', 'some failed run outputs could not be tagged for expiry; they are kept', detail);
    else log('INFO', 'failed run outputs tagged for expiry', detail);
    return outcome;
  } catch (e) {
    log('WARN', 'failed run outputs could not be tagged for expiry; they are kept', { ...where, error: `${(e as Error).name}: ${(e as Error).message}` });
    return undefined;
  }
}
