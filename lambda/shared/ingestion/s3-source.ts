// The S3 source: copies the objects of a window from a prefix in another bucket (or account) into
// the run's staging prefix, verifying each body against the source's own checksum.
//
// Window rule: an object belongs to the window [start, end) its LastModified falls in. Windows
// tile time, so each object is copied once; an object overwritten later gets a new LastModified
// and is copied again, in the window of that write.
import { createHash } from 'node:crypto';
import { GetObjectCommand, GetObjectCommandOutput, S3Client, _Object } from '@aws-sdk/client-s3';
import { listAll } from '../training/s3';
import { IngestionWindow } from './window';
import { ChecksumMismatch, FetchConfig, S3SourceConfig, SourceLimitExceeded } from './source';
import { StagedFile, stage } from './staging';

/**
 * What a copied object was checked against: its full-object SHA-256, its MD5 ETag, its full-object
 * CRC (checked by the AWS SDK while reading), or nothing it carries (the computed SHA-256 is recorded).
 */
export type ChecksumCheck = 'sha256' | 'md5' | 'crc' | 'none';

export interface CopiedObject extends StagedFile {
  /** The source key. */
  readonly source: string;
  readonly lastModified: string;
  readonly checkedAgainst: ChecksumCheck;
}

/** The objects under `<prefix><category>/` whose LastModified is in the window, folder markers left out. */
export async function objectsInWindow(s3: S3Client, source: S3SourceConfig, categories: readonly string[], window: IngestionWindow): Promise<Array<{ category: string; object: _Object }>> {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  const out: Array<{ category: string; object: _Object }> = [];
  for (const category of categories) {
    for (const object of await listAll(s3, source.bucket, `${source.prefix}${category}/`)) {
      const t = object.LastModified?.getTime();
      if (object.Key && !object.Key.endsWith('/') && t !== undefined && t >= start && t < end) out.push({ category, object });
    }
  }
  return out.sort((a, b) => a.object.Key!.localeCompare(b.object.Key!));
}

/** Copies the window's objects into `<staging><runId>/<category>/<key under the category>`; throws before copying anything when over the limits. */
export async function copyS3Window(
  deps: { readonly source: S3Client; readonly staging: S3Client },
  config: FetchConfig & { readonly s3: S3SourceConfig },
  window: IngestionWindow, runId: string,
): Promise<CopiedObject[]> {
  const src = config.s3;
  const found = await objectsInWindow(deps.source, src, config.categories, window);
  const bytes = found.reduce((n, f) => n + (f.object.Size ?? 0), 0);
  const where = `s3://${src.bucket}/${src.prefix}<category>/ for ${window.start}..${window.end}`;
  const { maxObjects, maxBytes } = config.limits;
  if (found.length > maxObjects || bytes > maxBytes) {
    throw new SourceLimitExceeded(`${found.length} objects (${bytes} bytes) under ${where} exceed one run's limit of ${maxObjects} objects and ${maxBytes} bytes: `
      + 'ingest more often (a shorter data.ingestion.every), or bring this data in with a container job (data.ingestion.command)');
  }
  const copied: CopiedObject[] = [];
  for (const { category, object } of found) {
    const key = object.Key!;
    const uri = `s3://${src.bucket}/${key}`;
    const { res, body } = await read(deps.source, src.bucket, key, uri);
    const sha256 = createHash('sha256').update(body).digest('base64');
    const checkedAgainst = verify(res, body, sha256, uri);
    const name = key.slice(`${src.prefix}${category}/`.length);
    const staged = await stage(deps.staging, config, runId, category, name, body, sha256);
    copied.push({ ...staged, source: key, lastModified: object.LastModified!.toISOString(), checkedAgainst });
  }
  return copied;
}

const MISMATCH_FIX = 'the copy was not staged; re-run the window (if it fails again, the source object is damaged: re-upload it)';

/**
 * GetObject with checksum mode on: the AWS SDK then checks the body against a full-object
 * checksum the object carries (CRC or SHA) while it is read, and throws on a mismatch; that error
 * is given the object's name here.
 */
async function read(s3: S3Client, bucket: string, key: string, object: string): Promise<{ res: GetObjectCommandOutput; body: Buffer }> {
  try {
    const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    return { res, body: Buffer.from(await res.Body!.transformToByteArray()) };
  } catch (e) {
    if (/checksum mismatch/i.test((e as Error).message)) throw new ChecksumMismatch(`${object}: ${(e as Error).message}; ${MISMATCH_FIX}`);
    throw e;
  }
}

/**
 * Compares the body with what the source says about it: its full-object SHA-256 when it has one;
 * else its ETag when that is the body's MD5 (a single-part upload without SSE-KMS or SSE-C);
 * else nothing can be compared and the computed SHA-256 is only recorded.
 */
function verify(res: GetObjectCommandOutput, body: Buffer, sha256: string, object: string): ChecksumCheck {
  if (fullObject(res, res.ChecksumSHA256)) {
    if (res.ChecksumSHA256 !== sha256) throw new ChecksumMismatch(`${object}: the copied body's SHA-256 ${sha256} differs from the source's ${res.ChecksumSHA256}; ${MISMATCH_FIX}`);
    return 'sha256';
  }
  const etag = res.ETag?.replace(/"/g, '');
  const md5IsEtag = etag !== undefined && /^[0-9a-f]{32}$/.test(etag) && (res.ServerSideEncryption === undefined || res.ServerSideEncryption === 'AES256') && !res.SSECustomerAlgorithm;
  if (md5IsEtag) {
    const md5 = createHash('md5').update(body).digest('hex');
    if (md5 !== etag) throw new ChecksumMismatch(`${object}: the copied body's MD5 ${md5} differs from the source's ETag ${etag}; ${MISMATCH_FIX}`);
    return 'md5';
  }
  // Checked by the SDK while reading (see read); a mismatch never gets here.
  if ([res.ChecksumCRC64NVME, res.ChecksumCRC32C, res.ChecksumCRC32].some((c) => fullObject(res, c))) return 'crc';
  return 'none';
}

/** A checksum of the whole body: present, and not a composite one (a multipart upload's checksum of part checksums, "<value>-<parts>"). */
function fullObject(res: GetObjectCommandOutput, checksum: string | undefined): boolean {
  return checksum !== undefined && !/-\d+$/.test(checksum) && res.ChecksumType !== 'COMPOSITE';
}
