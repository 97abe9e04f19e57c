// The loader against DynamoDB Local, the part extractor and file loader against the S3
// emulator, and version resolution against the registry. Throttling and unprocessed items are
// injected with a wrapper client (DynamoDB Local never throttles).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { ENTITY_ID } from '../../lambda/shared/entity-id';
import { ExtractInput, ScoringOutputError, extractPredictions } from '../../lambda/shared/predictions/extract';
import { loadFile } from '../../lambda/shared/predictions/load-file';
import { LoadIncompleteError, backoffDelay, toItem, writeItems } from '../../lambda/shared/predictions/loader';
import { JOB_ATTEMPT_SUFFIX_LENGTH, partsPrefix, resolveScoringTargets, scoringJobName, scoringJobPrefix } from '../../lambda/shared/predictions/resolve';
import { PREDICTIONS_SCHEMA, StoredPrediction } from '../../lambda/shared/predictions/schema';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { s3Endpoint } from '../support/endpoints';
import { createLocalTable, localDoc } from '../support/dynamo';

const doc = localDoc();
// Items stored into DynamoDB Local must not expire while the suite runs (its TTL deletes in real
// time): the batch was generated an hour ago, whatever today's date.
const NOW = new Date();
const GENERATED_AT = new Date(NOW.getTime() - 3600_000);
const ctx = { model: 'demand', category: 'books', version: 2, generatedAt: GENERATED_AT, ttlHours: 72 };
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
    expect(toItem({ entityId: 'e1', prediction: { units: 3 } }, ctx)).toEqual({
      pk: 'demand#books#2#e1', model: 'demand', category: 'books', version: 2, entityId: 'e1', prediction: { units: 3 },
      generatedAt: GENERATED_AT.toISOString(), expiresAt: Math.floor(GENERATED_AT.getTime() / 1000) + 72 * 3600,
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

  test('counts every retried chunk, however the concurrent workers interleave', async () => {
    // Every chunk's first call comes back fully unprocessed: each of the 16 chunks retries once.
    const seen = new Set<string>();
    const firstCallUnprocessed = {
      async send(cmd: BatchWriteCommand) {
        const [table, requests] = Object.entries(cmd.input.RequestItems!)[0];
        const first = (requests[0].PutRequest!.Item as StoredPrediction).pk;
        await new Promise((r) => setImmediate(r));
        if (!seen.has(first)) { seen.add(first); return { UnprocessedItems: { [table]: requests } }; }
        return {};
      },
    } as unknown as DynamoDBDocumentClient;
    const res = await writeItems({ doc: firstCallUnprocessed, tableName: 't-x', sleep: noSleep, concurrency: 4 }, items(400));
    expect(res).toEqual({ written: 400, retries: 16 });
  });

  test('backoff is full jitter, exponential and capped', () => {
    expect(backoffDelay(3, 50, 5000, () => 0.999)).toBeCloseTo(400 * 0.999);
    expect(backoffDelay(20, 50, 5000, () => 1)).toBe(5000);
    expect(backoffDelay(3, 50, 5000, () => 0)).toBe(0);
  });
});

describe('lines DynamoDB cannot store, or the server would never read', () => {
  const nested = (levels: number): unknown => (levels === 0 ? 1 : { a: nested(levels - 1) });
  test.each([
    ['a number beyond 2^53', { entityId: 'e', prediction: 2 ** 53 + 2 }, /greater than Number.MAX_SAFE_INTEGER/],
    ['a number below -2^53', { entityId: 'e', prediction: { v: -(2 ** 53) - 2 } }, /lesser than Number.MIN_SAFE_INTEGER/],
    ['an underflow', { entityId: 'e', prediction: [1, 1e-140] }, /prediction\[1\] 1e-140 is invalid: DynamoDB numbers must be 0 or at least 1E-130/],
    ['an item over 400 KB', { entityId: 'e', prediction: 'x'.repeat(400 * 1024) }, /at most 409600 bytes/],
    ['an empty map key', { entityId: 'e', prediction: { top: { '': 1 } } }, /prediction.top key "" is invalid: map keys must be non-empty/],
    ['32 nested levels', { entityId: 'e', prediction: nested(32) }, /at most 31 nested levels/],
    ['an entity id with a space', { entityId: 'store 1', prediction: 1 }, /entityId "store 1" is invalid: use 1-256 letters/],
    ['an entity id with a slash', { entityId: 'a/b', prediction: 1 }, /entityId "a\/b" is invalid/],
    ['an entity id with #', { entityId: 'a#b', prediction: 1 }, /entityId "a#b" is invalid/],
    ['a non-ASCII entity id', { entityId: 'café', prediction: 1 }, /entityId "café" is invalid/],
  ])('%s is refused with its reason', (_what, line, reason) => {
    expect(() => toItem(line, ctx)).toThrow(reason);
  });

  test('the limits are DynamoDB\'s: 31 levels and an item just under 400 KB are stored', async () => {
    const tableName = await createLocalTable('pred-limits', PREDICTIONS_SCHEMA);
    const deep = toItem({ entityId: 'deep', prediction: nested(31) }, ctx);
    const big = toItem({ entityId: 'big', prediction: 'x'.repeat(400 * 1024 - 300) }, ctx);
    expect((await writeItems({ doc, tableName }, [deep, big])).written).toBe(2);
  });

  test('whatever JSON a model writes, toItem refuses it or DynamoDB stores it', async () => {
    const tableName = await createLocalTable('pred-any', PREDICTIONS_SCHEMA);
    await fc.assert(fc.asyncProperty(fc.jsonValue(), async (prediction) => {
      let item: StoredPrediction;
      try {
        item = toItem({ entityId: 'any', prediction }, ctx);
      } catch (e) {
        expect((e as Error).name).toBe('ValidationError');
        return;
      }
      await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    }), { numRuns: 150 });
  });

  test('the loader accepts exactly the entity ids the server accepts', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@+=,~ #/-]{0,30}$/)), (entityId) => {
      let accepted = true;
      try { toItem({ entityId, prediction: 1 }, ctx); } catch { accepted = false; }
      expect(accepted).toBe(ENTITY_ID.test(entityId));
    }));
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

  /** Uploads what SageMaker would: /opt/ml/output/data tarred and gzipped. Returns its key. */
  async function uploadArchive(name: string, files: Record<string, string>): Promise<string> {
    const data = join(work, name);
    for (const [file, body] of Object.entries(files)) {
      mkdirSync(join(data, file, '..'), { recursive: true });
      writeFileSync(join(data, file), body);
    }
    execFileSync('tar', ['-czf', join(work, `${name}.tar.gz`), '-C', data, '.']);
    const key = `demand/books/${name}/_scoring/job/output/output.tar.gz`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(join(work, `${name}.tar.gz`)) }));
    return key;
  }
  const extract = (sourceKey: string, targetPrefix: string, extra: Partial<ExtractInput> = {}) => extractPredictions({
    s3, sourceBucket: bucket, sourceKey, targetBucket: bucket, targetPrefix, linesPerPart: 100, context: ctx, maxInvalidShare: 0.01, ...extra,
  });
  const lines = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => JSON.stringify({ entityId: `${prefix}${i}`, prediction: i })).join('\n');
  async function partLines(prefix: string): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}part-` }));
    const out: string[] = [];
    for (const o of listed.Contents ?? []) out.push(...(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))).Body!.transformToString()).trim().split('\n'));
    return out;
  }

  test('the scoring archive is split into bounded parts, and a re-run replaces earlier parts', async () => {
    const key = await uploadArchive('split', {
      'a.jsonl': lines(250, 'a'),
      [`shard-b/${'long-name-'.repeat(12)}.jsonl`]: `${lines(120, 'b')}\n`,
      'metrics.json': '{"rows": 370}',
    });
    const prefix = 'demand/books/split/exec-1/';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}part-00009.jsonl`, Body: '{"entityId":"stale","prediction":0}\n' }));
    const res = await extract(key, prefix);
    expect(res).toEqual({ parts: 4, lines: 370, invalid: 0, files: 2 });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}part-` }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([0, 1, 2, 3].map((n) => `${prefix}part-0000${n}.jsonl`));
    const last = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}part-00003.jsonl` }));
    expect((await last.Body!.transformToString()).trim().split('\n')).toHaveLength(70);
  });

  test('two executions of the same date keep their own parts', async () => {
    const key = await uploadArchive('shared-date', { 'p.jsonl': lines(150, 'x') });
    const daily = partsPrefix('demand', 'books', 'shared-date', 'demand-daily-2026');
    const drift = partsPrefix('demand', 'books', 'shared-date', 'drift-demand-20261124T0600');
    expect(daily).not.toBe(drift);
    await extract(key, daily);
    await extract(key, drift, { linesPerPart: 1000 });
    expect(await partLines(daily)).toHaveLength(150);
    expect(await partLines(drift)).toHaveLength(150);
  });

  test('text split across decompressed chunks keeps its multi-byte characters', async () => {
    // Lines of 2-, 3- and 4-byte characters, long enough to straddle several 16 KiB chunks.
    const original = Array.from({ length: 50 }, (_, i) => JSON.stringify({ entityId: `u${i}`, prediction: `${'é€😀'.repeat(40 + i)}` }));
    const key = await uploadArchive('utf8', { 'p.jsonl': original.join('\n') });
    await extract(key, 'demand/books/utf8/exec/', { linesPerPart: 1000 });
    expect(await partLines('demand/books/utf8/exec/')).toEqual(original);
  });

  test('a run that wrote no prediction lines fails its category', async () => {
    const key = await uploadArchive('empty', { 'metrics.json': '{}', 'p.jsonl': '\n\n' });
    await expect(extract(key, 'demand/books/empty/exec/')).rejects.toThrow(ScoringOutputError);
    await expect(extract(key, 'demand/books/empty/exec/')).rejects.toThrow(/holds no valid prediction lines .*\/opt\/ml\/output\/data/);
  });

  test('a run with only invalid lines fails, whatever the threshold', async () => {
    const key = await uploadArchive('all-bad', { 'p.jsonl': '{"entityId":"a b","prediction":1}\nnot json\n' });
    await expect(extract(key, 'demand/books/all-bad/exec/', { maxInvalidShare: 0.99 })).rejects.toThrow(/no valid prediction lines \(2 line\(s\).*entityId "a b" is invalid/);
  });

  test('more invalid lines than the tolerated share fail the category; fewer are counted', async () => {
    const body = `${lines(97, 'ok')}\n{"entityId":"bad id","prediction":1}\n{"entityId":"n","prediction":1e-140}\nnot json`;
    const key = await uploadArchive('some-bad', { 'p.jsonl': body });
    await expect(extract(key, 'demand/books/some-bad/strict/')).rejects.toThrow(/3 of 100 prediction lines .* are invalid, more than the tolerated share of 0.01 \(maxInvalidPredictionShare\); first: line 98: entityId "bad id"/);
    expect(await extract(key, 'demand/books/some-bad/lenient/', { maxInvalidShare: 0.05 })).toMatchObject({ lines: 100, invalid: 3 });
  });

  test('a part file loads into the table; invalid and unstorable lines are counted as failed with their reason, not written', async () => {
    const tableName = await createLocalTable('pred-file', PREDICTIONS_SCHEMA);
    await s3.send(new PutObjectCommand({
      Bucket: bucket, Key: 'demand/books/2026-11-25/part-00000.jsonl',
      Body: [
        '{"entityId":"x1","prediction":1}', 'not json', '{"entityId":"x2"}', '', '{"entityId":"x3","prediction":[1,2]}',
        '{"entityId":"x4","prediction":1e-140}', '{"entityId":"x 5","prediction":1}', `{"entityId":"x6","prediction":${2 ** 53 + 2}}`,
      ].join('\n'),
    }));
    const invalid: Array<[number, string]> = [];
    const res = await loadFile({
      s3, bucket, key: 'demand/books/2026-11-25/part-00000.jsonl', context: ctx, write: { doc, tableName },
      onInvalidLine: (line, reason) => invalid.push([line, reason]),
    });
    expect(res).toMatchObject({ written: 2, failed: 5 });
    expect(invalid).toEqual([
      [2, expect.stringMatching(/JSON/)], [3, expect.stringMatching(/prediction \(missing\)/)], [6, expect.stringMatching(/1E-130/)],
      [7, expect.stringMatching(/entityId "x 5"/)], [8, expect.stringMatching(/MAX_SAFE_INTEGER/)],
    ]);
    expect((await scanAll(tableName)).map((i) => i.entityId).sort()).toEqual(['x1', 'x3']);
  });
});

describe('version resolution', () => {
  const IMAGE = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/demand';
  async function registryWith(versions: Record<string, { artifactUri: string; image: string }>) {
    const registry = new ModelRegistryClient({ tableName: await createLocalTable('registry', REGISTRY_SCHEMA), doc });
    await registry.createModel({ model: 'demand', actor: 't' });
    for (const [category, v] of Object.entries(versions)) {
      await registry.registerVersion({ model: 'demand', category, ...v, actor: 't' });
      await registry.promote({ model: 'demand', category, version: 1, actor: 't', reason: 'first' });
    }
    return registry;
  }
  const context = (registry: ModelRegistryClient) => ({
    registry, datasetsBucket: 'ds', artifactsBucket: 'art', predictionsBucket: 'pred', defaultCategories: ['books', 'games'], imageRepository: IMAGE,
  });
  const input = { model: 'demand', executionDate: '2026-11-24T06:00:00Z', executionName: 'exec-1', startedAt: '2026-11-24T06:00:05Z' };

  test('scores the production version of each category and skips categories without one', async () => {
    const registry = await registryWith({ books: { artifactUri: 's3://art/runs/demand/r1/model/', image: `${IMAGE}@sha256:abc` } });
    const out = await resolveScoringTargets(context(registry), input);
    expect(out.skipped).toEqual([{ category: 'games', reason: expect.stringMatching(/no production version yet/) }]);
    expect(out.rejected).toEqual([]);
    expect(out.targets).toEqual([expect.objectContaining({
      category: 'books', version: 1, versionLabel: '1', executionDate: '2026-11-24', image: `${IMAGE}@sha256:abc`,
      modelUri: 's3://art/runs/demand/r1/model/', inputUri: 's3://ds/demand/books/2026-11-24/',
      outputUri: 's3://pred/demand/books/2026-11-24/_scoring/', outputPrefix: 'demand/books/2026-11-24/_scoring/',
      partsPrefix: expect.stringMatching(/^demand\/books\/2026-11-24\/exec-1-[0-9a-f]{8}\/$/),
      jobBase: scoringJobName('demand', 'books', 'exec-1'),
      generatedAt: '2026-11-24T06:00:05.000Z',
    })]);
  });

  test('a version whose artifact or image lies outside the platform is rejected before any job starts', async () => {
    const registry = await registryWith({
      books: { artifactUri: 's3://someone-elses-bucket/secrets/', image: `${IMAGE}:v1` },
      games: { artifactUri: 's3://art/runs/other-model/r1/model/', image: '999999999999.dkr.ecr.eu-west-1.amazonaws.com/miner:latest' },
    });
    const out = await resolveScoringTargets(context(registry), input);
    expect(out.targets).toEqual([]);
    expect(out.rejected).toEqual([
      { category: 'books', reason: expect.stringMatching(/^version 1 may not be scored: "s3:\/\/someone-elses-bucket\/secrets\/" is not under s3:\/\/art\/runs\/demand\/\. Register versions/) },
      { category: 'games', reason: expect.stringMatching(/"s3:\/\/art\/runs\/other-model\/r1\/model\/" is not under s3:\/\/art\/runs\/demand\/; image ".*miner:latest" is neither the model's scoring image nor in its repository/) },
    ]);
  });

  test('scoring job names are valid SageMaker names with the attempt suffix, in the role\'s scope, unique per execution', () => {
    const modelName = fc.stringMatching(/^[a-z][a-z0-9-]{0,62}$/);
    const categoryName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/);
    fc.assert(fc.property(modelName, categoryName, fc.string({ minLength: 1, maxLength: 80 }), (model, category, execution) => {
      const base = scoringJobName(model, category, execution);
      const withSuffix = `${base}-${'f'.repeat(JOB_ATTEMPT_SUFFIX_LENGTH - 1)}`;
      expect(withSuffix.length).toBeLessThanOrEqual(63);
      expect(withSuffix).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
      expect(base.startsWith(scoringJobPrefix(model))).toBe(true);
      expect(scoringJobName(model, category, `${execution}x`)).not.toBe(base);
    }));
  });
});
