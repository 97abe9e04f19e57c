// Turns the scoring job's output archive (SageMaker uploads /opt/ml/output/data as
// output.tar.gz) into JSON Lines part files of bounded size under the execution's parts prefix,
// so that each loader invocation handles one bounded part. Streams end to end (S3 -> gunzip ->
// tar -> parts), so the archive is never held in memory. Every line is checked as the loader
// will check it, so a run that scored nothing, or mostly garbage, fails before anything loads.
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PART_PREFIX, partKey } from './constants';
import { BatchContext, toItem } from './loader';
import { tarEntries } from './tar';

export interface ExtractInput {
  readonly s3: S3Client;
  readonly sourceBucket: string;
  readonly sourceKey: string;
  readonly targetBucket: string;
  /** Prefix of the part files (the execution's parts prefix), ending with '/'. */
  readonly targetPrefix: string;
  readonly linesPerPart: number;
  /** The batch the lines are checked for (as the loader will store them). */
  readonly context: BatchContext;
  /** Largest share of invalid lines (0-1) a run may have; above it the run fails. */
  readonly maxInvalidShare: number;
}

export interface ExtractResult {
  readonly parts: number;
  readonly lines: number;
  /** Lines the loader will count as failed (they are kept in the parts, so it reports them too). */
  readonly invalid: number;
  readonly files: number;
}

/** The scoring output is unusable: no prediction lines, or too many invalid ones. The category fails. */
export class ScoringOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScoringOutputError';
  }
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
  let invalid = 0;
  const reasons: string[] = [];
  const check = (line: string) => {
    try {
      toItem(JSON.parse(line), input.context);
    } catch (e) {
      invalid++;
      if (reasons.length < 3) reasons.push(`line ${lines}: ${(e as Error).message}`);
    }
  };
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
    // A multi-byte character may straddle two chunks: the decoder carries its first bytes over.
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for await (const chunk of entry.chunks) {
      const split = (rest + decoder.write(chunk)).split('\n');
      rest = split.pop() ?? '';
      for (const line of split) {
        if (line.trim() === '') continue;
        part.push(line);
        lines++;
        check(line);
        if (part.length >= input.linesPerPart) await flush();
      }
    }
    rest += decoder.end();
    if (rest.trim() !== '') { part.push(rest); lines++; check(rest); }
    if (part.length >= input.linesPerPart) await flush();
  }
  await flush();
  const source = `s3://${input.sourceBucket}/${input.sourceKey}`;
  if (lines === invalid) {
    throw new ScoringOutputError(`${source} holds no valid prediction lines (${lines} line(s) in ${files} JSON Lines file(s)${reasons.length ? `; first: ${reasons.join('; ')}` : ''}): the scoring code must write {"entityId": ..., "prediction": ...} lines to /opt/ml/output/data/*.jsonl`);
  }
  if (invalid / lines > input.maxInvalidShare) {
    throw new ScoringOutputError(`${invalid} of ${lines} prediction lines in ${source} are invalid, more than the tolerated share of ${input.maxInvalidShare} (maxInvalidPredictionShare); first: ${reasons.join('; ')}`);
  }
  return { parts, lines, invalid, files };
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
