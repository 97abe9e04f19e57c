// The loader against DynamoDB Local, the part extractor and file loader against the S3
// emulator, and version resolution against the registry. Throttling and unprocessed items are
// injected with a wrapper client (DynamoDB Local never throttles).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { extractPredictions } from '../../lambda/shared/predictions/extract';
import { loadFile } from '../../lambda/shared/predictions/load-file';
import { LoadIncompleteError, backoffDelay, toItem, writeItems } from '../../lambda/shared/predictions/loader';
import { resolveScoringTargets, scoringJobName } from '../../lambda/shared/predictions/resolve';
import { PREDICTIONS_SCHEMA, StoredPrediction } from '../../lambda/shared/predictions/schema';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { s3Endpoint } from '../support/endpoints';
import { createLocalTable, localDoc } from '../support/dynamo';

const doc = localDoc();
// Items stored in DynamoDB Local expire relative to the wall clock (its TTL sweeper deletes them),
// so stored fixtures are generated now; only the pure toItem test uses a fixed date.
const ctx = { model: 'demand', category: 'books', version: 2, generatedAt: new Date(), ttlHours: 72 };
const fixedCtx = { ...ctx, generatedAt: new Date('2026-11-24T06:00:00Z') };
const items = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => toItem({ entityId: `e${i + offset}`, prediction: i }, ctx));
const noSleep = async () => undefined;

async function scanAll(tableName: string): Promise<StoredPrediction[]> {
  const out: StoredPrediction[] = [];
  let key: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: key }));
    out.push(...(page.Items ?? []) as StoredPrediction[]);
    key = page.LastEvaluatedKey;
  } while (key);
  return out;
}

/**
 * Passes calls to DynamoDB Local, but throttles every 4th call and returns all but the first
 * 5 items of every 3rd call as UnprocessedItems (without writing them), like DynamoDB under load.
 */
function flakyClient(): { client: DynamoDBDocumentClient; stats: { calls: number; throttled: number; partial: number } } {
  const stats = { calls: 0, throttled: 0, partial: 0 };
  const client = {
    async send(cmd: BatchWriteCommand) {
      stats.calls++;
      if (stats.calls % 4 === 0) {
        stats.throttled++;
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
      }
      const [table, requests] = Object.entries(cmd.input.RequestItems!)[0];
      if (stats.calls % 3 === 0 && requests.length > 5) {
        stats.partial++;
        await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, 5) } }));
        return { UnprocessedItems: { [table]: requests.slice(5) } };
      }
      return doc.send(cmd);
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, stats };
}

describe('loader', () => {
  test('items carry the key parts, generatedAt and expiresAt = generatedAt + ttl', () => {
    expect(toItem({ entityId: 'e1', prediction: { units: 3 } }, fixedCtx)).toEqual({
      pk: 'demand#books#2#e1', model: 'demand', category: 'books', version: 2, entityId: 'e1', prediction: { units: 3 },
      generatedAt: '2026-11-24T06:00:00.000Z', expiresAt: Date.parse('2026-11-27T06:00:00Z') / 1000,
    });
  });

  test('every item lands despite throttling and unprocessed items', async () => {
    const tableName = await createLocalTable('pred-load', PREDICTIONS_SCHEMA);
    const { client, stats } = flakyClient();
    const res = await writeItems({ doc: client, tableName, sleep: noSleep }, items(1000));
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.partial).toBeGreaterThan(0);
    expect(res.written).toBe(1000);
    const stored = await scanAll(tableName);
    expect(stored).toHaveLength(1000);
    expect(new Set(stored.map((i) => i.entityId)).size).toBe(1000);
  });

  test('re-running a load overwrites the same keys (idempotent) and keeps the last duplicate', async () => {
    const tableName = await createLocalTable('pred-idem', PREDICTIONS_SCHEMA);
    await writeItems({ doc, tableName }, items(60));
    const again = [...items(60), toItem({ entityId: 'e0', prediction: 'last' }, ctx)];
    expect((await writeItems({ doc, tableName }, again)).written).toBe(60);
    const stored = await scanAll(tableName);
    expect(stored).toHaveLength(60);
    expect(stored.find((i) => i.entityId === 'e0')?.prediction).toBe('last');
  });

  test('fails loudly (never silently drops) when items stay unprocessed after every attempt', async () => {
    const alwaysUnprocessed = {
      async send(cmd: BatchWriteCommand) { return { UnprocessedItems: cmd.input.RequestItems }; },
    } as unknown as DynamoDBDocumentClient;
    await expect(writeItems({ doc: alwaysUnprocessed, tableName: 't-x', sleep: noSleep, maxAttempts: 3 }, items(30)))
      .rejects.toThrow(LoadIncompleteError);
    await expect(writeItems({ doc: alwaysUnprocessed, tableName: 't-x', sleep: noSleep, maxAttempts: 3 }, items(30)))
      .rejects.toThrow(/not written after 3 attempts.*the load is idempotent: retry it/);
  });

  test('a non-retryable error is not retried', async () => {
    let calls = 0;
    const invalid = { async send() { calls++; throw Object.assign(new Error('bad'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }); } } as unknown as DynamoDBDocumentClient;
    await expect(writeItems({ doc: invalid, tableName: 't-x', sleep: noSleep }, items(3))).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });

  test('backoff is full jitter, exponential and capped', () => {
    expect(backoffDelay(3, 50, 5000, () => 0.999)).toBeCloseTo(400 * 0.999);
    expect(backoffDelay(20, 50, 5000, () => 1)).toBe(5000);
    expect(backoffDelay(3, 50, 5000, () => 0)).toBe(0);
  });
});

describe('part files on S3', () => {
  const s3 = new S3Client({ endpoint: s3Endpoint(), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const bucket = `predictions-${process.pid}`;
  let work: string;

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    work = mkdtempSync(join(tmpdir(), 'mlops-score-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('the scoring archive is split into bounded parts, and a re-run replaces earlier parts', async () => {
    // What SageMaker uploads: /opt/ml/output/data tarred and gzipped, with any file layout.
    const data = join(work, 'data');
    mkdirSync(join(data, 'shard-b'), { recursive: true });
    writeFileSync(join(data, 'a.jsonl'), Array.from({ length: 250 }, (_, i) => JSON.stringify({ entityId: `a${i}`, prediction: i })).join('\n'));
    writeFileSync(join(data, 'shard-b', `${'long-name-'.repeat(12)}.jsonl`), Array.from({ length: 120 }, (_, i) => JSON.stringify({ entityId: `b${i}`, prediction: i })).join('\n') + '\n');
    writeFileSync(join(data, 'metrics.json'), '{"rows": 370}');
    execFileSync('tar', ['-czf', join(work, 'output.tar.gz'), '-C', data, '.']);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'demand/books/2026-11-24/_scoring/job/output/output.tar.gz', Body: readFileSync(join(work, 'output.tar.gz')) }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'demand/books/2026-11-24/part-00009.jsonl', Body: '{"entityId":"stale","prediction":0}\n' }));

    const res = await extractPredictions({
      s3, sourceBucket: bucket, sourceKey: 'demand/books/2026-11-24/_scoring/job/output/output.tar.gz',
      targetBucket: bucket, targetPrefix: 'demand/books/2026-11-24/', linesPerPart: 100,
    });
    expect(res).toEqual({ parts: 4, lines: 370, files: 2 });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'demand/books/2026-11-24/part-' }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([0, 1, 2, 3].map((n) => `demand/books/2026-11-24/part-0000${n}.jsonl`));
    const last = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'demand/books/2026-11-24/part-00003.jsonl' }));
    expect((await last.Body!.transformToString()).trim().split('\n')).toHaveLength(70);
  });

  test('a part file loads into the table; invalid lines are counted as failed, not written', async () => {
    const tableName = await createLocalTable('pred-file', PREDICTIONS_SCHEMA);
    await s3.send(new PutObjectCommand({
      Bucket: bucket, Key: 'demand/books/2026-11-25/part-00000.jsonl',
      Body: ['{"entityId":"x1","prediction":1}', 'not json', '{"entityId":"x2"}', '', '{"entityId":"x3","prediction":[1,2]}'].join('\n'),
    }));
    const invalid: number[] = [];
    const res = await loadFile({
      s3, bucket, key: 'demand/books/2026-11-25/part-00000.jsonl', context: ctx, write: { doc, tableName },
      onInvalidLine: (line) => invalid.push(line),
    });
    expect(res).toMatchObject({ written: 2, failed: 2 });
    expect(invalid).toEqual([2, 3]);
    expect((await scanAll(tableName)).map((i) => i.entityId).sort()).toEqual(['x1', 'x3']);
  });
});

describe('version resolution', () => {
  test('scores the production version of each category and skips categories without one', async () => {
    const registry = new ModelRegistryClient({ tableName: await createLocalTable('registry', REGISTRY_SCHEMA), doc });
    await registry.createModel({ model: 'demand', actor: 't' });
    await registry.registerVersion({ model: 'demand', category: 'books', artifactUri: 's3://art/runs/demand/r1/model.tar.gz', image: 'acct.dkr.ecr.eu-west-1.amazonaws.com/demand@sha256:abc', actor: 't' });
    await registry.promote({ model: 'demand', category: 'books', version: 1, actor: 't', reason: 'first' });
    const out = await resolveScoringTargets(
      { registry, datasetsBucket: 'ds', predictionsBucket: 'pred', defaultCategories: ['books', 'games'] },
      { model: 'demand', executionDate: '2026-11-24T06:00:00Z', executionName: 'exec-1', startedAt: '2026-11-24T06:00:05Z' },
    );
    expect(out.skipped).toEqual([{ category: 'games', reason: expect.stringMatching(/no production version yet/) }]);
    expect(out.targets).toEqual([expect.objectContaining({
      category: 'books', version: 1, versionLabel: '1', executionDate: '2026-11-24', image: 'acct.dkr.ecr.eu-west-1.amazonaws.com/demand@sha256:abc',
      modelUri: 's3://art/runs/demand/r1/model.tar.gz', inputUri: 's3://ds/demand/books/2026-11-24/',
      outputUri: 's3://pred/demand/books/2026-11-24/_scoring/', predictionsPrefix: 'demand/books/2026-11-24/',
      generatedAt: '2026-11-24T06:00:05.000Z',
    })]);
    expect(out.targets[0].outputKey).toBe(`demand/books/2026-11-24/_scoring/${out.targets[0].jobName}/output/output.tar.gz`);
  });

  test('scoring job names are valid SageMaker names, unique per execution', () => {
    const a = scoringJobName('a-very-long-model-name-for-demand-forecasting', 'electronics_and.more', 'exec-1');
    const b = scoringJobName('a-very-long-model-name-for-demand-forecasting', 'electronics_and.more', 'exec-2');
    expect(a).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
    expect(a).not.toBe(b);
  });
});
