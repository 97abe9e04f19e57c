// Turns the scoring job's output archive (SageMaker uploads /opt/ml/output/data as
// output.tar.gz) into JSON Lines part files of bounded size under the predictions prefix of
// (model, category, date), so that each loader invocation handles one bounded part. Streams
// end to end (S3 -> gunzip -> tar -> parts), so the archive is never held in memory.
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PART_PREFIX, partKey } from './constants';
import { tarEntries } from './tar';

export interface ExtractInput {
  readonly s3: S3Client;
  readonly sourceBucket: string;
  readonly sourceKey: string;
  readonly targetBucket: string;
  /** Prefix of the part files (layout.predictionsPrefix), ending with '/'. */
  readonly targetPrefix: string;
  readonly linesPerPart: number;
}

export interface ExtractResult {
  readonly parts: number;
  readonly lines: number;
  readonly files: number;
}

/** Writes the parts; removes parts of an earlier run first, so a re-run never loads stale parts. */
export async function extractPredictions(input: ExtractInput): Promise<ExtractResult> {
  await deleteParts(input.s3, input.targetBucket, input.targetPrefix);
  const obj = await input.s3.send(new GetObjectCommand({ Bucket: input.sourceBucket, Key: input.sourceKey }));
  const body = obj.Body as Readable | undefined;
  if (!body) throw new Error(`s3://${input.sourceBucket}/${input.sourceKey} has no body`);
  const gz = input.sourceKey.endsWith('.gz') ? body.pipe(createGunzip()) : body;

  let part: string[] = [];
  let parts = 0;
  let lines = 0;
  let files = 0;
  const flush = async () => {
    if (part.length === 0) return;
    await input.s3.send(new PutObjectCommand({
      Bucket: input.targetBucket, Key: partKey(input.targetPrefix, parts), Body: `${part.join('\n')}\n`, ContentType: 'application/x-ndjson',
    }));
    parts++;
    part = [];
  };

  for await (const entry of tarEntries(gz)) {
    const base = entry.name.split('/').pop() ?? '';
    if (!/\.(jsonl|ndjson)$/.test(base)) continue;
    files++;
    let rest = '';
    for await (const chunk of entry.chunks) {
      const text = rest + chunk.toString('utf8');
      const split = text.split('\n');
      rest = split.pop() ?? '';
      for (const line of split) {
        if (line.trim() === '') continue;
        part.push(line);
        lines++;
        if (part.length >= input.linesPerPart) await flush();
      }
    }
    if (rest.trim() !== '') { part.push(rest); lines++; }
    if (part.length >= input.linesPerPart) await flush();
  }
  await flush();
  return { parts, lines, files };
}

async function deleteParts(s3: S3Client, bucket: string, prefix: string): Promise<void> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}${PART_PREFIX}`, ContinuationToken: token }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    token = page.NextContinuationToken;
  } while (token);
}
