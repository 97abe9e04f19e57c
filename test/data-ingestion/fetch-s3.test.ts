// The S3 source of the fetch function: a source bucket on its own emulator ("another account"),
// the staging bucket on the shared S3 emulator, the real handler code between them.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { fetchWindow } from '../../lambda/ingestion-fetch';
import { FetchConfig, SOURCE_LIMITS } from '../../lambda/shared/ingestion/source';
import { getText, listAll } from '../../lambda/shared/training/s3';
import { s3Client } from '../training-pipeline/harness';
import { SourceBucket } from './source-bucket';

const WINDOW = { start: '2026-11-29T06:00:00.000Z', end: '2026-11-29T12:00:00.000Z' };
const at = (iso: string) => new Date(iso);
let source: SourceBucket;
let n = 0;

beforeAll(async () => { source = await SourceBucket.start(); });
afterAll(async () => { await source?.stop(); });

/** A staging bucket of its own, and a client that records the checksum header of every PutObject it sends. */
async function staging(limits = SOURCE_LIMITS) {
  const bucket = `fetch-stage-${process.pid}-${n++}`;
  const s3 = s3Client();
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const checksums: Record<string, string> = {};
  s3.middlewareStack.add((next) => async (args) => {
    const req = args.request as { path?: string; headers?: Record<string, string> };
    if (req.headers?.['x-amz-checksum-sha256'] && req.path) checksums[decodeURIComponent(req.path.replace(`/${bucket}/`, ''))] = req.headers['x-amz-checksum-sha256'];
    return next(args);
  }, { step: 'finalizeRequest', name: 'recordChecksumHeader' });
  const config: FetchConfig = {
    model: 'demand', categories: ['books', 'toys'], format: 'csv', stagingBucket: bucket, stagingPrefix: 'runs/demand/_ingestion/',
    limits, s3: { bucket: source.bucket, prefix: `exports-${n}/demand/` },
  };
  return { s3, bucket, config, checksums, deps: { source: source.client, staging: s3, secrets: { send: async () => { throw new Error('no secret for an S3 source'); } }, fetch } };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64');
const staged = async (s3: S3Client, bucket: string) => (await listAll(s3, bucket, '')).map((o) => o.Key).sort();

describe('the S3 source', () => {
  test('copies the objects whose LastModified is in [start, end), under each category, into the run\'s staging prefix with their SHA-256', async () => {
    const t = await staging();
    const p = t.config.s3!.prefix;
    await source.put(`${p}books/a.csv`, 'id,units\nb1,3\n', at('2026-11-29T07:00:00Z'));
    await source.put(`${p}books/2026/b.csv`, 'id,units\nb2,4\n', at('2026-11-29T11:59:59Z'));
    await source.put(`${p}books/old.csv`, 'id,units\nold,1\n', at('2026-11-29T05:59:59Z'));
    await source.put(`${p}books/next.csv`, 'id,units\nnext,1\n', at('2026-11-29T12:00:00Z'));
    await source.put(`${p}toys/t.csv`, 'id,units\nt1,1\n', at('2026-11-29T06:00:00Z'));
    await source.put(`${p}garden/g.csv`, 'id,units\ng1,1\n', at('2026-11-29T08:00:00Z'));

    const result = await fetchWindow({ window: WINDOW, runId: 'run-1' }, t.config, t.deps);

    const run = 'runs/demand/_ingestion/run-1/';
    expect(await staged(t.s3, t.bucket)).toEqual([`${run}_source.json`, `${run}books/2026/b.csv`, `${run}books/a.csv`, `${run}toys/t.csv`]);
    expect(await getText(t.s3, t.bucket, `${run}books/a.csv`)).toBe('id,units\nb1,3\n');
    expect(result).toEqual({ files: 3, bytes: 3 * 'id,units\nb1,3\n'.length, categories: { books: 2, toys: 1 }, recordKey: `${run}_source.json` });
    // Each write carries the body's SHA-256, which S3 checks against the bytes it receives.
    expect(t.checksums[`${run}books/a.csv`]).toBe(sha256('id,units\nb1,3\n'));
    const record = JSON.parse((await getText(t.s3, t.bucket, result.recordKey))!);
    expect(record.files).toContainEqual({
      category: 'books', key: `${run}books/a.csv`, bytes: 14, sha256: sha256('id,units\nb1,3\n'),
      source: `${p}books/a.csv`, lastModified: '2026-11-29T07:00:00.000Z', checkedAgainst: 'md5',
    });
  });

  test('a body that differs from the source\'s checksum fails the run naming the object, and stages nothing of it', async () => {
    const t = await staging();
    const p = t.config.s3!.prefix;
    await source.put(`${p}books/a.csv`, 'id,units\nb1,3\n', at('2026-11-29T07:00:00Z'));
    await source.put(`${p}toys/t.csv`, 'id,units\nt1,1\n', at('2026-11-29T07:00:00Z'));
    source.damage(`${p}books/a.csv`);

    await expect(fetchWindow({ window: WINDOW, runId: 'run-1' }, t.config, t.deps)).rejects.toMatchObject({
      name: 'ChecksumMismatch',
      message: expect.stringMatching(new RegExp(`^s3://${source.bucket}/${p}books/a\\.csv: the copied body's MD5 [0-9a-f]{32} differs from the source's ETag [0-9a-f]{32}; the copy was not staged; re-run the window`)),
    });
    expect(await staged(t.s3, t.bucket)).toEqual([]);
  });

  describe('against the checksums a source object carries (headers S3 sends; s3rver stores none)', () => {
    const BODY = 'id,units\nb1,3\n';
    const crc = (s: string) => { const b = Buffer.alloc(4); b.writeUInt32BE(crc32(s)); return b.toString('base64'); };
    const kms = { 'x-amz-server-side-encryption': 'aws:kms' };
    test.each([
      ['its full-object SHA-256: compared with the body\'s', { 'x-amz-checksum-sha256': sha256(BODY), 'x-amz-checksum-type': 'FULL_OBJECT' }, 'sha256'],
      ['a composite SHA-256 (multipart): falls back to the MD5 ETag', { 'x-amz-checksum-sha256': `${sha256('parts')}-3`, 'x-amz-checksum-type': 'COMPOSITE' }, 'md5'],
      ['a full-object CRC32 on an SSE-KMS object (its ETag is no MD5)', { 'x-amz-checksum-crc32': crc(BODY), ...kms }, 'crc'],
      ['nothing comparable (SSE-KMS, no checksum): the SHA-256 is only recorded', kms, 'none'],
    ])('an object with %s', async (_, headers, checkedAgainst) => {
      const t = await staging();
      const key = `${t.config.s3!.prefix}books/a.csv`;
      await source.put(key, BODY, at('2026-11-29T07:00:00Z'));
      const result = await fetchWindow({ window: WINDOW, runId: 'r' }, t.config, { ...t.deps, source: source.clientAnswering({ [key]: headers }) });
      const record = JSON.parse((await getText(t.s3, t.bucket, result.recordKey))!);
      expect(record.files.map((f: { checkedAgainst: string }) => f.checkedAgainst)).toEqual([checkedAgainst]);
    });

    test.each([
      ['SHA-256', { 'x-amz-checksum-sha256': sha256('something else') }, /Checksum mismatch: expected ".*" but received ".*" in response header "x-amz-checksum-sha256"/],
      ['CRC32', { 'x-amz-checksum-crc32': crc('something else'), ...kms }, /Checksum mismatch: expected ".*" but received ".*" in response header "x-amz-checksum-crc32"/],
    ])('a body that differs from its %s fails the run naming the object', async (_, headers, message) => {
      const t = await staging();
      const key = `${t.config.s3!.prefix}books/a.csv`;
      await source.put(key, BODY, at('2026-11-29T07:00:00Z'));
      const run = fetchWindow({ window: WINDOW, runId: 'r' }, t.config, { ...t.deps, source: source.clientAnswering({ [key]: headers }) });
      await expect(run).rejects.toMatchObject({ name: 'ChecksumMismatch', message: expect.stringMatching(new RegExp(`^s3://${source.bucket}/${key}: `)) });
      await expect(run).rejects.toThrow(message);
      expect(await staged(t.s3, t.bucket)).toEqual([]);
    });
  });

  test('a window over the object or byte limit fails before copying anything, with the counts and the fix', async () => {
    const byCount = await staging({ ...SOURCE_LIMITS, maxObjects: 2 });
    const p = byCount.config.s3!.prefix;
    for (const k of ['a', 'b', 'c']) await source.put(`${p}books/${k}.csv`, 'id,units\nx,1\n', at('2026-11-29T07:00:00Z'));
    await expect(fetchWindow({ window: WINDOW, runId: 'run-1' }, byCount.config, byCount.deps)).rejects.toMatchObject({
      name: 'SourceLimitExceeded',
      message: expect.stringContaining(`3 objects (39 bytes) under s3://${source.bucket}/${p}<category>/ for ${WINDOW.start}..${WINDOW.end} exceed one run's limit of 2 objects and ${SOURCE_LIMITS.maxBytes} bytes: ingest more often`),
    });
    const byBytes = await staging({ ...SOURCE_LIMITS, maxBytes: 38 });
    await expect(fetchWindow({ window: WINDOW, runId: 'run-1' }, { ...byBytes.config, s3: byCount.config.s3 }, byBytes.deps)).rejects.toMatchObject({ name: 'SourceLimitExceeded' });
    expect(await staged(byCount.s3, byCount.bucket)).toEqual([]);
    expect(await staged(byBytes.s3, byBytes.bucket)).toEqual([]);
  });

  test('an empty window stages only the record', async () => {
    const t = await staging();
    expect(await fetchWindow({ window: WINDOW, runId: 'run-1' }, t.config, t.deps)).toMatchObject({ files: 0, bytes: 0, categories: { books: 0, toys: 0 } });
    expect(await staged(t.s3, t.bucket)).toEqual(['runs/demand/_ingestion/run-1/_source.json']);
  });
});
