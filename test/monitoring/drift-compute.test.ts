import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { computeDrift } from '../../lambda/drift-compute';
import { METRICS } from '../../lambda/shared/contract';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { createLocalTable, localDoc } from '../support/dynamo';
import { s3Endpoint } from '../support/endpoints';

// Real protocols on loopback: the registry in DynamoDB Local, predictions and baselines in s3rver.
describe('drift compute (DynamoDB Local + s3rver)', () => {
  const s3 = new S3Client({ endpoint: s3Endpoint(), forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const suffix = `${process.pid}-${Date.now()}`;
  const artifactsBucket = `artifacts-${suffix}`;
  const predictionsBucket = `predictions-${suffix}`;
  // Evaluation's layout: <runPrefix><jobName>/output/model/ (the artifact) and .../output/data/.
  const jobOutput = (run: string) => `runs/demand/${run}/demand-north-${run}-1/output/`;
  let registry: ModelRegistryClient;

  const line = (p: number, region: string) => JSON.stringify({ prediction: p, features: { region } });
  /** `low` predictions below 0.5 (region eu) and `high` at or above it (region us). */
  const batch = (low: number, high: number) => [
    ...Array.from({ length: low }, (_, i) => line(0.1 + (i % 4) / 10, 'eu')),
    ...Array.from({ length: high }, (_, i) => line(0.6 + (i % 4) / 10, 'us')),
  ];
  const put = (Bucket: string, Key: string, Body: string | Buffer) => s3.send(new PutObjectCommand({ Bucket, Key, Body }));
  const deps = (emit: (l: string) => void = () => undefined) => ({ s3, registry, predictionsBucket, emit, now: () => new Date('2025-03-01T07:00:00Z') });

  beforeAll(async () => {
    registry = new ModelRegistryClient({ tableName: await createLocalTable('driftreg', REGISTRY_SCHEMA), doc: localDoc() });
    await s3.send(new CreateBucketCommand({ Bucket: artifactsBucket }));
    await s3.send(new CreateBucketCommand({ Bucket: predictionsBucket }));
    await registry.createModel({ model: 'demand', actor: 'test' });
    // Version 1: its run recorded no baseline URI; train.py wrote baseline.json to output/data/.
    await registry.startRun({ runId: 'run-1', model: 'demand', category: 'north' });
    await registry.registerVersion({ model: 'demand', category: 'north', artifactUri: `s3://${artifactsBucket}/${jobOutput('run-1')}model/`, runId: 'run-1', actor: 'test' });
    await registry.promote({ model: 'demand', category: 'north', version: 1, actor: 'test', reason: 'first' });
    await put(artifactsBucket, `${jobOutput('run-1')}data/baseline.json`, JSON.stringify({
      prediction: { type: 'numeric', edges: [0.5], counts: [500, 500] },
      features: { region: { type: 'categorical', categories: ['eu', 'us'], counts: [500, 500] } },
    }));
    // Version 2: a different model whose predictions are mostly low; its run recorded its baseline.
    await registry.startRun({ runId: 'run-2', model: 'demand', category: 'north' });
    await registry.registerVersion({ model: 'demand', category: 'north', artifactUri: `s3://${artifactsBucket}/${jobOutput('run-2')}model/`, runId: 'run-2', actor: 'test' });
    await put(artifactsBucket, `${jobOutput('run-2')}model/baseline.json`, JSON.stringify({ prediction: { type: 'numeric', edges: [0.5], counts: [900, 100] } }));
    await registry.finishRun({ runId: 'run-2', status: 'SUCCEEDED', artifacts: { baseline: `s3://${artifactsBucket}/${jobOutput('run-2')}model/baseline.json` } });

    // 2025-03-01, scored by version 1, in two files (one gzipped): shares [0.4, 0.6] of 250.
    const day = batch(100, 150);
    await put(predictionsBucket, 'demand/north/2025-03-01/part-0.jsonl', day.slice(0, 120).join('\n'));
    await put(predictionsBucket, 'demand/north/2025-03-01/part-1.jsonl.gz', gzipSync([...day.slice(120), ''].join('\n')));
    // 2025-03-03: a small batch (a few stores only).
    await put(predictionsBucket, 'demand/north/2025-03-03/part-0.jsonl', batch(20, 30).join('\n'));
  });

  test('computes PSI of predictions and features against the scored version\'s baseline, found where evaluation writes it, and publishes EMF', async () => {
    const lines: string[] = [];
    const res = await computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-01', version: 1 }, deps((l) => lines.push(l)));
    expect(res).toMatchObject({ status: 'PUBLISHED', version: 1, sampleSize: 250, baselineUri: `s3://${artifactsBucket}/${jobOutput('run-1')}data/baseline.json` });
    // e = [0.5, 0.5], a = [0.4, 0.6] for both -> 0.0405465 (see psi.test.ts)
    expect(res.predictionPsi).toBeCloseTo(0.0405465, 6);
    expect(res.featurePsi.region).toBeCloseTo(0.0405465, 6);
    const prediction = JSON.parse(lines[0]);
    expect(prediction._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: METRICS.namespace,
      Dimensions: [['Model', 'Category'], ['Model']],
      Metrics: [{ Name: METRICS.predictionDrift, Unit: 'None' }],
    });
    expect(prediction).toMatchObject({ Model: 'demand', Category: 'north', [METRICS.predictionDrift]: 0.040547 });
    const feature = JSON.parse(lines[1]);
    expect(feature._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Model', 'Category', 'Feature'], ['Model', 'Feature']]);
    expect(feature).toMatchObject({ Feature: 'region', [METRICS.featureDrift]: 0.040547 });
  });

  test('a promotion while the batch was scored does not compare it with the new version\'s baseline', async () => {
    await registry.promote({ model: 'demand', category: 'north', version: 2, actor: 'pipeline', reason: 'promoted during scoring' });
    try {
      const res = await computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-01', version: 1 }, deps());
      expect(res).toMatchObject({ status: 'PUBLISHED', version: 1 });
      expect(res.predictionPsi).toBeCloseTo(0.0405465, 6);
      // The same batch against version 2's recorded baseline [0.9, 0.1] would read as a major shift.
      const v2 = await computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-01', version: 2 }, deps());
      expect(v2.baselineUri).toBe(`s3://${artifactsBucket}/${jobOutput('run-2')}model/baseline.json`);
      expect(v2.predictionPsi).toBeGreaterThan(1);
    } finally {
      await registry.rollback({ model: 'demand', category: 'north', actor: 'test', reason: 'back' });
    }
  });

  test('reads only its own execution\'s parts when another execution scored the same date', async () => {
    // The daily run (version 1's shares [0.4, 0.6]) and a promotion run of the same date whose
    // parts are all low: without partsPrefix drift would mix both batches.
    await put(predictionsBucket, 'demand/north/2025-03-05/daily-run-0a1b2c3d/part-00000.jsonl', batch(100, 150).join('\n'));
    await put(predictionsBucket, 'demand/north/2025-03-05/promotion-9f8e7d6c/part-00000.jsonl', batch(250, 0).join('\n'));
    const own = await computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-05', version: 1, partsPrefix: 'demand/north/2025-03-05/daily-run-0a1b2c3d/' }, deps());
    expect(own).toMatchObject({ status: 'PUBLISHED', sampleSize: 250 });
    expect(own.predictionPsi).toBeCloseTo(0.0405465, 6);
    await expect(computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-05', version: 1, partsPrefix: 'demand/south/2025-03-05/x/' }, deps()))
      .rejects.toThrow(/event.partsPrefix must be a folder under demand\/north\/2025-03-05\//);
  });

  test('publishes nothing for a batch too small for a meaningful PSI, and says how many values it needs', async () => {
    const lines: string[] = [];
    const res = await computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-03', version: 1 }, deps((l) => lines.push(l)));
    expect(res).toMatchObject({ status: 'TOO_FEW_VALUES', sampleSize: 50 });
    expect(res.predictionPsi).toBeUndefined();
    // 2 bins -> minimum max(100, 20 * 2) = 100; effective size 50 * 1000 / 1050 = 47.6
    expect(res.tooFewValues?.prediction).toEqual({ batch: 50, baseline: 1000, effective: 47.6, required: 100 });
    expect(res.tooFewValues?.region).toEqual({ batch: 50, baseline: 1000, effective: 47.6, required: 100 });
    expect(lines).toEqual([]);
  });

  test('publishes nothing when there are no predictions or no baseline', async () => {
    const lines: string[] = [];
    await expect(computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-02', version: 1 }, deps((l) => lines.push(l))))
      .resolves.toMatchObject({ status: 'NO_PREDICTIONS' });
    await expect(computeDrift({ model: 'demand', category: 'south', executionDate: '2025-03-01', version: 1 }, deps((l) => lines.push(l))))
      .resolves.toMatchObject({ status: 'NO_BASELINE' });
    await expect(computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-01', version: 1, baselineUri: `s3://${artifactsBucket}/nope/baseline.json` }, deps((l) => lines.push(l))))
      .resolves.toMatchObject({ status: 'NO_BASELINE', baselineUri: `s3://${artifactsBucket}/nope/baseline.json` });
    expect(lines).toEqual([]);
  });

  test('rejects a malformed event with the field, the value and the fix', async () => {
    await expect(computeDrift({ model: 'demand', category: 'north', executionDate: '01/03/2025', version: 1 }, deps()))
      .rejects.toThrow(/event.executionDate must be YYYY-MM-DD, but "01\/03\/2025"/);
    await expect(computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-01' } as never, deps()))
      .rejects.toThrow(/event.version must be the version that scored the batch .* pass \$.version in the batch inference step's payload/);
  });
});
