// The contract between metric emitters and alarms: every emitter runs with its default metric
// sink under the Lambda runtime's JSON log wrapping (AWS_LAMBDA_LOG_FORMAT=JSON, console lines
// wrapped in {timestamp, level, requestId, message}); what reaches the log stream is read the
// way CloudWatch reads EMF; and every custom-metric series an alarm or a dashboard graph of the
// synthesized platform reads must be among the series CloudWatch creates.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { computeDrift } from '../../lambda/drift-compute';
import { deliver } from '../../lambda/ingestion-deliver';
import { METRICS } from '../../lambda/shared/contract';
import { ENV } from '../../lambda/shared/env';
import { INGESTION_METRICS } from '../../lambda/shared/ingestion/constants';
import { PREDICT_ENV } from '../../lambda/shared/predict/constants';
import { toItem, writeItems } from '../../lambda/shared/predictions/loader';
import { PREDICTIONS_SCHEMA } from '../../lambda/shared/predictions/schema';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { MlopsPlatformStack } from '../../lib/platform/mlops-platform-stack';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { DATE, GOOD_ROWS, localPipeline, s3Client } from '../training-pipeline/harness';
import { testApp } from '../support/cdk';
import { createLocalTable, localDoc } from '../support/dynamo';
import { dynamoEndpoint, s3Endpoint } from '../support/endpoints';
import { MetricSeries, captureLogStream, emfMetrics, seriesKey } from './support/lambda-log-stream';
import { alarmSeries, dashboardSeries } from './support/template-metrics';

const EXAMPLE = join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml');
const spec = loadModelSpec(EXAMPLE);
const MODEL = spec.name;
const CATEGORIES = spec.categories!;
const s3 = s3Client();
const doc = localDoc();
const suffix = `${process.pid}-${Date.now()}`;
const predictionsBucket = `contract-predictions-${suffix}`;
const artifactsBucket = `contract-artifacts-${suffix}`;
let registryTable: string;
let predictionsTable: string;
let registry: ModelRegistryClient;

/** Environment of the Lambda functions (and the server task) as the constructs set it, pointed at the emulators. */
function runtimeEnv(): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_S3: s3Endpoint(),
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint(),
    [ENV.registryTable]: registryTable,
    [ENV.predictionsTable]: predictionsTable,
    [PREDICT_ENV.servingConfig]: JSON.stringify({
      models: { [MODEL]: { categories: CATEGORIES, defaultCategory: CATEGORIES[0], rules: { fallback: [{ name: 'typical', prediction: 0 }] } } },
    }),
  };
}

const emitted: Record<string, MetricSeries[]> = {};

beforeAll(async () => {
  [registryTable, predictionsTable] = await Promise.all([createLocalTable('contract-registry', REGISTRY_SCHEMA), createLocalTable('contract-predictions', PREDICTIONS_SCHEMA)]);
  registry = new ModelRegistryClient({ tableName: registryTable, doc });
  await s3.send(new CreateBucketCommand({ Bucket: predictionsBucket }));
  await s3.send(new CreateBucketCommand({ Bucket: artifactsBucket }));
  await registry.createModel({ model: MODEL, actor: 'test' });
  for (const category of CATEGORIES) {
    await registry.startRun({ runId: `run-${category}`, model: MODEL, category });
    const v = await registry.registerVersion({ model: MODEL, category, artifactUri: 's3://a/model/', runId: `run-${category}`, actor: 'test' });
    await registry.promote({ model: MODEL, category, version: v.version, actor: 'test', reason: 'seed' });
    await s3.send(new PutObjectCommand({
      Bucket: artifactsBucket,
      Key: `runs/${MODEL}/run-${category}/output/baseline.json`,
      Body: JSON.stringify({ prediction: { type: 'numeric', edges: [0.5], counts: [5000, 5000] } }),
    }));
    // Enough values for drift's minimum sample size, so it publishes.
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ entityId: `e${i}`, prediction: i % 2 ? 0.7 : 0.2 }));
    await s3.send(new PutObjectCommand({ Bucket: predictionsBucket, Key: `${MODEL}/${category}/${DATE}/part-0.jsonl`, Body: lines.join('\n') }));
    await writeItems({ doc, tableName: predictionsTable }, [toItem({ entityId: 'e0', prediction: 1 }, { model: MODEL, category, version: v.version, generatedAt: new Date(), ttlHours: 72 })]);
  }
}, 120_000);

describe('every emitter under the Lambda JSON log format', () => {
  test('batch loader', async () => {
    // s3rver accepts its own key only, and DynamoDB Local keeps one database per access key:
    // the loader, the only emitter using both, writes to a table created under that key.
    const ddb = new DynamoDBClient({ endpoint: dynamoEndpoint(), region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const loaderTable = `contract-load-${suffix}`;
    await ddb.send(new CreateTableCommand({
      TableName: loaderTable, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: PREDICTIONS_SCHEMA.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: PREDICTIONS_SCHEMA.partitionKey, KeyType: 'HASH' }],
    }));
    await withEnv({ ...runtimeEnv(), AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', [ENV.predictionsTable]: loaderTable }, async () => {
      const { handler } = await import('../../lambda/batch-load-predictions');
      const load = (category: string, key: string) => handler({ bucket: predictionsBucket, key, model: MODEL, category, version: 1, generatedAt: `${DATE}T06:00:00.000Z` });
      const stream = await captureLogStream('req-loader', async () => {
        for (const category of CATEGORIES) await load(category, `${MODEL}/${category}/${DATE}/part-0.jsonl`);
      });
      emitted.loader = emfMetrics(stream);

      // Freshness counts only loads that wrote rows: a part without a valid line is no heartbeat.
      const emptyKey = `${MODEL}/${CATEGORIES[0]}/${DATE}/part-empty.jsonl`;
      await s3.send(new PutObjectCommand({ Bucket: predictionsBucket, Key: emptyKey, Body: '{"no": "entityId"}\n' }));
      const empty = emfMetrics(await captureLogStream('req-loader-empty', () => load(CATEGORIES[0], emptyKey)));
      expect(empty.map((m) => m.metricName)).toContain(METRICS.predictionsWritten);
      expect(empty.map((m) => m.metricName)).not.toContain(METRICS.predictionsGeneratedAt);
    });
    expect(emitted.loader.length).toBeGreaterThan(0);
  });

  test('training handlers (the pipeline run locally: a day every category succeeds, a day every category fails)', async () => {
    const p = await localPipeline({ categories: CATEGORIES });
    // The harness captures EMF through deps.emit; drop it so the handlers use their default sink.
    delete (p.deps as { emit?: unknown }).emit;
    const failDay = '2026-11-25';
    for (const c of CATEGORIES) {
      await p.uploadData(c, GOOD_ROWS);
      await p.uploadData(c, GOOD_ROWS, failDay);
    }
    const stream = await captureLogStream('req-training', async () => {
      expect((await p.machine.start({ executionDate: DATE }).outcome).status).toBe('SUCCEEDED');
      const failAll = Object.fromEntries(CATEGORIES.map((c) => [`fail_${c}`, 'true']));
      expect((await p.machine.start({ executionDate: failDay, hyperparameters: failAll }).outcome).status).toBe('FAILED');
    });
    emitted.training = emfMetrics(stream);
    expect(emitted.training.map((s) => s.metricName)).toEqual(expect.arrayContaining([METRICS.runsFailed, METRICS.runsSucceeded, METRICS.evaluatedMetric]));
  }, 120_000);

  test('ingestion delivery (the example ingests daily)', async () => {
    const [staging, datasets] = [`contract-staging-${suffix}`, `contract-datasets-${suffix}`];
    for (const b of [staging, datasets]) await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutObjectCommand({ Bucket: staging, Key: `ingestion/run-1/${CATEGORIES[0]}/part.csv`, Body: 'date,store_id,units\n2026-11-20,store-001,3\n' }));
    const stream = await captureLogStream('req-ingestion', () => deliver({ window: { start: '2026-11-20T00:00:00.000Z', end: '2026-11-21T00:00:00.000Z' }, runId: 'run-1' }, {
      model: MODEL, categories: CATEGORIES, bucket: datasets, location: `${MODEL}/`, stagingBucket: staging, stagingPrefix: 'ingestion/', timeZone: 'UTC', eventBusName: 'default',
      validation: { format: spec.data.format, sampleRows: 1000, columns: spec.data.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })) },
    }, { s3, events: { send: async () => ({}) } as never, now: () => new Date('2026-11-21T00:05:00.000Z') }));
    emitted.ingestion = emfMetrics(stream);
    expect(emitted.ingestion.map((s) => s.metricName)).toEqual(expect.arrayContaining([INGESTION_METRICS.emptyDeliveries, INGESTION_METRICS.rowsDelivered]));
  });

  test('drift', async () => {
    const stream = await captureLogStream('req-drift', async () => {
      for (const category of CATEGORIES) {
        const baselineUri = `s3://${artifactsBucket}/runs/${MODEL}/run-${category}/output/baseline.json`;
        await computeDrift({ model: MODEL, category, executionDate: DATE, version: 1, baselineUri }, { s3, registry, predictionsBucket });
      }
    });
    emitted.drift = emfMetrics(stream);
    expect(emitted.drift.length).toBeGreaterThan(0);
  });

  test('predict API', async () => {
    await withEnv(runtimeEnv(), async () => {
      const { handler } = await import('../../lambda/predict-api');
      const stream = await captureLogStream('req-api', async () => {
        for (const category of CATEGORIES) {
          const res = await handler({ rawPath: `/v1/models/${MODEL}/predictions/e0`, queryStringParameters: { category }, requestContext: { requestId: 'r1', http: { method: 'GET' } } });
          expect(res.statusCode).toBe(200);
        }
      });
      emitted.api = emfMetrics(stream);
    });
    expect(emitted.api.length).toBeGreaterThan(0);
  });

  test('prediction server (the container, its stdout under the awslogs driver)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-server-'));
    try {
      const bundle = join(dir, 'server.js');
      await build({ entryPoints: [join(__dirname, '..', '..', 'server', 'main.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', logLevel: 'silent' });
      const port = await freePort();
      const child = spawn(process.execPath, [bundle], { env: { ...process.env, ...runtimeEnv(), [PREDICT_ENV.port]: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d) => { stdout += d; });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      await waitFor(() => stdout.includes('prediction server listening'));
      for (const category of CATEGORIES) {
        const res = await fetch(`http://127.0.0.1:${port}/v1/models/${MODEL}/predictions/e0?category=${category}`);
        expect(res.status).toBe(200);
      }
      child.kill('SIGTERM');
      await exited;
      emitted.server = emfMetrics(stdout.split('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(emitted.server.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('alarms and dashboard of the synthesized platform', () => {
  const stack = new MlopsPlatformStack(testApp(), 'Contract', { models: [spec] });
  const template = Template.fromStack(stack).toJSON() as Parameters<typeof alarmSeries>[0];
  const custom = (s: MetricSeries) => s.namespace === METRICS.namespace;
  const read = [...alarmSeries(template), ...dashboardSeries(template)].filter(custom);

  test('reads custom metrics at all (the contract is not vacuous)', () => {
    expect(read.length).toBeGreaterThan(10);
    expect(new Set(read.map((s) => s.metricName))).toEqual(new Set([
      METRICS.runsFailed, METRICS.runsSucceeded, METRICS.evaluatedMetric, METRICS.predictionsGeneratedAt, METRICS.predictionsWritten,
      METRICS.predictionsFailed, METRICS.predictionDrift, METRICS.predictionAnswers, METRICS.fallbackAnswers, METRICS.productionReadFailures,
      INGESTION_METRICS.emptyDeliveries,
    ]));
  });

  test('every series an alarm or a dashboard graph reads is created from what the emitters wrote', () => {
    const created = new Set(Object.values(emitted).flat().map(seriesKey));
    expect(Object.keys(emitted).sort()).toEqual(['api', 'drift', 'ingestion', 'loader', 'server', 'training']);
    const missing = [...new Set(read.filter((s) => !created.has(seriesKey(s))).map((s) => `${seriesKey(s)} (read by ${s.readBy})`))];
    expect(missing).toEqual([]);
  });

  test('every other custom metric an alarm reads comes from a metric filter of the template', () => {
    const resources = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, any> }>);
    const filtered = new Set(resources.filter((r) => r.Type === 'AWS::Logs::MetricFilter')
      .flatMap((r) => r.Properties.MetricTransformations.map((t: { MetricNamespace: string; MetricName: string }) => `${t.MetricNamespace} ${t.MetricName}`)));
    const others = alarmSeries(template).filter((s) => !s.namespace.startsWith('AWS/') && s.namespace !== 'ECS/ContainerInsights' && !custom(s));
    expect(others.length).toBeGreaterThan(0);
    expect(others.filter((s) => !filtered.has(`${s.namespace} ${s.metricName}`)).map((s) => s.readBy)).toEqual([]);
  });

  test('both serving front ends write every answer series the serving alarms read', () => {
    const answers = read.filter((s) => s.metricName === METRICS.predictionAnswers || s.metricName === METRICS.fallbackAnswers);
    for (const emitter of ['api', 'server']) {
      const created = new Set(emitted[emitter].map(seriesKey));
      expect(answers.filter((s) => !created.has(seriesKey(s))).map(seriesKey)).toEqual([]);
    }
  });
});

/** Runs `fn` with these environment variables set (as the construct sets them), then restores the previous values. */
async function withEnv(vars: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  const previous = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    await fn();
  } finally {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(ready: () => boolean): Promise<void> {
  // Polls a condition the child process reports (no fixed sleep decides the outcome).
  for (let i = 0; i < 600 && !ready(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ready()) throw new Error('the prediction server did not report that it listens within 15 s');
}
