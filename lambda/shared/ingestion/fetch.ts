// One window of a built-in source: copy (S3) or download (HTTP) into the run's staging prefix,
// then record what was fetched next to it (`<staging><runId>/_source.json`, outside every
// category folder, so the delivery step does not read it). The step's output stays small.
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { IngestionWindow } from './window';
import { FetchConfig } from './source';
import { copyS3Window } from './s3-source';
import { HttpSourceDeps, downloadHttpWindow } from './http-source';
import { StagedFile } from './staging';

export interface FetchInput {
  readonly window: IngestionWindow;
  /** The execution's name: the staging folder of this run. */
  readonly runId: string;
}

export interface FetchDeps extends HttpSourceDeps {
  /** Client that reads the source bucket. */
  readonly source: HttpSourceDeps['staging'];
}

export interface FetchResult {
  readonly files: number;
  readonly bytes: number;
  /** Files per category (0 for a category with nothing in the window). */
  readonly categories: Record<string, number>;
  /** Key of the record listing every fetched file (source, checksum and what it was checked against). */
  readonly recordKey: string;
}

export async function fetchWindow(input: FetchInput, config: FetchConfig, deps: FetchDeps): Promise<FetchResult> {
  if ((config.s3 === undefined) === (config.http === undefined)) {
    throw new Error(`the fetch configuration of ${config.model} must hold exactly one of s3 and http: redeploy the model's stack`);
  }
  const files: StagedFile[] = config.s3
    ? await copyS3Window(deps, { ...config, s3: config.s3 }, input.window, input.runId)
    : await downloadHttpWindow(deps, { ...config, http: config.http! }, input.window, input.runId);
  const recordKey = `${config.stagingPrefix}${input.runId}/_source.json`;
  await deps.staging.send(new PutObjectCommand({
    Bucket: config.stagingBucket, Key: recordKey, ContentType: 'application/json',
    Body: JSON.stringify({ model: config.model, window: input.window, runId: input.runId, source: config.s3 ?? { url: config.http!.url }, files }, null, 2),
    ...(config.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: config.kmsKeyId } : {}),
  }));
  const categories = Object.fromEntries(config.categories.map((c) => [c, files.filter((f) => f.category === c).length]));
  return { files: files.length, bytes: files.reduce((n, f) => n + f.bytes, 0), categories, recordKey };
}
