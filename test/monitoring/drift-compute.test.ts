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
  let registry: ModelRegistryClient;

  beforeAll(async () => {
    registry = new ModelRegistryClient({ tableName: await createLocalTable('driftreg', REGISTRY_SCHEMA), doc: localDoc() });
    await s3.send(new CreateBucketCommand({ Bucket: artifactsBucket }));
    await s3.send(new CreateBucketCommand({ Bucket: predictionsBucket }));
    await registry.createModel({ model: 'demand', actor: 'test' });
    await registry.startRun({ runId: 'run-1', model: 'demand', category: 'north' });
    const v = await registry.registerVersion({ model: 'demand', category: 'north', artifactUri: 's3://a/model.tar.gz', runId: 'run-1', actor: 'test' });
    await registry.promote({ model: 'demand', category: 'north', version: v.version, actor: 'test', reason: 'first' });
    // Baseline at the contract's default place: runs/<model>/<runId>/output/baseline.json
    await s3.send(new PutObjectCommand({
      Bucket: artifactsBucket,
      Key: 'runs/demand/run-1/output/baseline.json',
      Body: JSON.stringify({
        prediction: { type: 'numeric', edges: [0.5], counts: [50, 50] },
        features: { region: { type: 'categorical', categories: ['eu', 'us'], counts: [50, 50] } },
      }),
    }));
    // Day's predictions in two files (one gzipped): predictions [0.4, 0.6] shares = [0.4, 0.6]
    const line = (p: number, region: string) => JSON.stringify({ prediction: p, features: { region } });
    await s3.send(new PutObjectCommand({ Bucket: predictionsBucket, Key: 'demand/north/2025-03-01/part-0.jsonl', Body: [line(0.1, 'eu'), line(0.2, 'eu'), line(0.7, 'us')].join('\n') }));
    await s3.send(new PutObjectCommand({ Bucket: predictionsBucket, Key: 'demand/north/2025-03-01/part-1.jsonl.gz', Body: gzipSync([line(0.8, 'us'), line(0.9, 'us'), ''].join('\n')) }));
  });

  test('computes PSI of predictions and features against the production baseline and publishes EMF', async () => {
    const lines: string[] = [];
    const res = await computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-01' }, {
      s3, registry, artifactsBucket, predictionsBucket, emit: (l) => lines.push(l), now: () => new Date('2025-03-01T07:00:00Z'),
    });
    expect(res).toMatchObject({ status: 'PUBLISHED', version: 1, sampleSize: 5, baselineUri: `s3://${artifactsBucket}/runs/demand/run-1/output/baseline.json` });
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

  test('publishes nothing when there are no predictions or no production version', async () => {
    const lines: string[] = [];
    const deps = { s3, registry, artifactsBucket, predictionsBucket, emit: (l: string) => lines.push(l) };
    await expect(computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-02' }, deps)).resolves.toMatchObject({ status: 'NO_PREDICTIONS' });
    await expect(computeDrift({ model: 'demand', category: 'south', executionDate: '2025-03-01' }, deps)).resolves.toMatchObject({ status: 'NO_PRODUCTION_VERSION' });
    expect(lines).toEqual([]);
  });

  test('reports a missing baseline instead of failing the batch', async () => {
    const res = await computeDrift({ model: 'demand', category: 'north', executionDate: '2025-03-01', baselineUri: `s3://${artifactsBucket}/nope/baseline.json` }, {
      s3, registry, artifactsBucket, predictionsBucket, emit: () => undefined,
    });
    expect(res.status).toBe('NO_BASELINE');
  });

  test('rejects a malformed event with the field and value', async () => {
    await expect(computeDrift({ model: 'demand', category: 'north', executionDate: '01/03/2025' }, { s3, registry, artifactsBucket, predictionsBucket }))
      .rejects.toThrow(/event.executionDate must be YYYY-MM-DD, but "01\/03\/2025"/);
  });
});
