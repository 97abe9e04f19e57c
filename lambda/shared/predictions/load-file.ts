// Loads one JSON Lines part file from S3 into the predictions table.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchContext, WriteOptions, toItem, writeItems } from './loader';
import { StoredPrediction } from './schema';

export interface LoadFileInput {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly context: BatchContext;
  readonly write: WriteOptions;
  /** Called for each line that is not a valid prediction (at most the first 10 are reported). */
  readonly onInvalidLine?: (lineNumber: number, reason: string) => void;
}

export interface LoadFileResult {
  readonly key: string;
  readonly written: number;
  /** Lines that are not valid predictions (they are skipped and counted, not retried). */
  readonly failed: number;
  readonly retries: number;
}

export async function loadFile(input: LoadFileInput): Promise<LoadFileResult> {
  const obj = await input.s3.send(new GetObjectCommand({ Bucket: input.bucket, Key: input.key }));
  const body = obj.Body as Readable | undefined;
  if (!body) throw new Error(`s3://${input.bucket}/${input.key} has no body`);
  const items: StoredPrediction[] = [];
  let failed = 0;
  let n = 0;
  for await (const line of createInterface({ input: body, crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    try {
      items.push(toItem(JSON.parse(line), input.context));
    } catch (e) {
      failed++;
      if (failed <= 10) input.onInvalidLine?.(n, (e as Error).message);
    }
  }
  const res = await writeItems(input.write, items);
  return { key: input.key, written: res.written, failed, retries: res.retries };
}
