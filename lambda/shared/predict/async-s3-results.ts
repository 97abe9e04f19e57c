// Job results in S3 (SSE-KMS comes from the bucket's default encryption).
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AsyncResult, AsyncResultStore } from './async-results';

export class S3ResultStore implements AsyncResultStore {
  constructor(private readonly s3: S3Client, private readonly bucket: string) {}

  async put(key: string, result: AsyncResult): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: JSON.stringify(result), ContentType: 'application/json' }));
  }

  async get(key: string): Promise<AsyncResult | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return JSON.parse(await out.Body!.transformToString('utf8')) as AsyncResult;
    } catch (e) {
      if (e instanceof NoSuchKey || (e as Error)?.name === 'NoSuchKey') return undefined;
      throw e;
    }
  }
}
