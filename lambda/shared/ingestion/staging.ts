// Writes a built-in source's files where the Fargate wrapper would have uploaded them, so the
// delivery step reads both the same way: `<stagingPrefix><runId>/<category>/<name>`.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { FetchConfig } from './source';

/** One staged file. */
export interface StagedFile {
  readonly category: string;
  /** The staging key. */
  readonly key: string;
  readonly bytes: number;
  /** Base64 SHA-256 of the body, which S3 verified on the write. */
  readonly sha256: string;
}

/** The key a run's file is staged under. */
export function stagingKey(config: Pick<FetchConfig, 'stagingPrefix'>, runId: string, category: string, name: string): string {
  return `${config.stagingPrefix}${runId}/${category}/${name}`;
}

/** Puts the body with its SHA-256 (S3 refuses the write when the bytes it received differ) and SSE-KMS. */
export async function stage(s3: S3Client, config: FetchConfig, runId: string, category: string, name: string, body: Buffer, sha256: string): Promise<StagedFile> {
  const key = stagingKey(config, runId, category, name);
  await s3.send(new PutObjectCommand({
    Bucket: config.stagingBucket, Key: key, Body: body, ChecksumSHA256: sha256,
    ...(config.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: config.kmsKeyId } : {}),
  }));
  return { category, key, bytes: body.length, sha256 };
}
