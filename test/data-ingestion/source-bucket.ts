// A source bucket "in another account": its own s3rver on loopback, with its storage folder
// known to the test, so an object can be dated (s3rver's LastModified is the stored file's mtime)
// or damaged at rest (the stored body changes, its recorded MD5 ETag does not), as a real bucket
// cannot be from the outside. Nothing is mocked: the fetch function reads it over S3's protocol.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort } from '../../local/emulators';

export class SourceBucket {
  private constructor(private readonly proc: ChildProcess, private readonly dir: string, private readonly endpoint: string, readonly client: S3Client, readonly bucket: string) {}

  static async start(bucket = 'partner-exports'): Promise<SourceBucket> {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-source-s3-'));
    const port = await freePort();
    const proc = spawn(process.execPath, [require.resolve('s3rver/bin/s3rver.js'), '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent', '--allow-mismatched-signatures', '--no-vhost-buckets'], {
      stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    });
    const endpoint = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await (await fetch(endpoint, { signal: AbortSignal.timeout(1000) })).text()).includes('ListAllMyBucketsResult')) break;
      } catch { /* not up yet */ }
      if (i > 150 || proc.exitCode !== null) { proc.kill('SIGKILL'); throw new Error(`the source s3rver did not start on ${endpoint}`); }
      await new Promise((r) => setTimeout(r, 100));
    }
    const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    return new SourceBucket(proc, dir, endpoint, client, bucket);
  }

  /** Writes an object whose LastModified is `at` (second precision, as S3's). */
  async put(key: string, body: string, at: Date): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body }));
    utimesSync(this.file(key), at, at);
  }

  /** Changes one byte of the stored body (same length, same mtime): S3 still answers the ETag of what was written. */
  damage(key: string): void {
    const file = this.file(key);
    const { mtime } = statSync(file);
    const bytes = readFileSync(file);
    bytes[bytes.length - 2] ^= 0x01;
    writeFileSync(file, bytes);
    utimesSync(file, mtime, mtime);
  }

  /**
   * A client of this bucket whose GetObject answers carry extra headers per key, as S3 sends them
   * for an object stored with a checksum (x-amz-checksum-sha256, -crc32, x-amz-checksum-type) or
   * encrypted with SSE-KMS: s3rver stores neither, so they are added to its answers (before the
   * SDK reads them), the way test/data-ingestion/deliver.test.ts adds version ids.
   */
  clientAnswering(headers: Record<string, Record<string, string>>): S3Client {
    const client = new S3Client({ endpoint: this.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    client.middlewareStack.add((next, context) => async (args) => {
      const out = await next(args);
      const res = out.response as { headers?: Record<string, string> };
      const key = (args.input as { Key?: string }).Key;
      if (context.commandName === 'GetObjectCommand' && key && headers[key] && res.headers) Object.assign(res.headers, headers[key]);
      return out;
    }, { step: 'deserialize', priority: 'low', name: 'checksumHeadersStandIn' });
    return client;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => { this.proc.once('exit', () => resolve()); this.proc.kill('SIGTERM'); });
    rmSync(this.dir, { recursive: true, force: true });
  }

  // s3rver stores `<dir>/<bucket>/<key folders>/<name>._S3rver_object`.
  private file(key: string): string {
    const parts = key.split('/');
    const name = parts.pop()!;
    const file = join(this.dir, this.bucket, ...parts, `${name}._S3rver_object`);
    if (!readdirSync(join(this.dir, this.bucket, ...parts)).includes(`${name}._S3rver_object`)) throw new Error(`s3rver stored ${key} elsewhere than ${file}`);
    return file;
  }
}
