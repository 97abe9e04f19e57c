// The synthesized source-variant ingestion state machine in the local ASL runner, end to end:
// window -> (wait) -> fetch from the source -> validate and write the delivery into the datasets
// bucket. Every Lambda task runs its real handler with the configuration the template gives it
// (intrinsics resolved to the emulator's buckets); the source bucket is its own emulator.
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { computeWindow } from '../../lambda/ingestion-window';
import { deliver } from '../../lambda/ingestion-deliver';
import { fetchWindow } from '../../lambda/ingestion-fetch';
import { INGESTION_ENV } from '../../lambda/shared/ingestion/constants';
import { DeliveryConfig, DeliveryManifest } from '../../lambda/shared/ingestion/deliver';
import { FetchConfig, INGEST_SOURCE_ENV } from '../../lambda/shared/ingestion/source';
import { getText, listAll } from '../../lambda/shared/training/s3';
import { DataIngestion, IngestionSource } from '../../lib/data-ingestion';
import { DataLake } from '../../lib/data-lake/data-lake';
import { ColumnType, DataFormat } from '../../lib/spec/model-spec';
import { LocalStateMachine, extractDefinition, resolveIntrinsics } from '../../local/asl';
import { testStack } from '../support/cdk';
import { s3Client } from '../training-pipeline/harness';
import { SourceBucket } from './source-bucket';

let source: SourceBucket;
let n = 0;
beforeAll(async () => { source = await SourceBucket.start(); });
afterAll(async () => { await source?.stop(); });

async function localSourceIngestion(sourceOf: (stack: Stack) => IngestionSource, format: 'csv' | 'jsonl' = 'csv') {
  const stack = testStack();
  const dataLake = new DataLake(stack, 'DataLake');
  const ingestion = new DataIngestion(stack, 'Ingestion', {
    model: 'demand', categories: ['books', 'toys'], dataLake, location: 'demand/', format: format === 'csv' ? DataFormat.CSV : DataFormat.JSONL,
    columns: [{ name: 'units', type: ColumnType.INTEGER, nullable: false }], interval: Duration.hours(6),
    source: sourceOf(stack), alarmTopic: new sns.Topic(stack, 'Topic', { enforceSSL: true }),
  });
  const id = `${process.pid}-${n++}`;
  const buckets = { datasets: `srcds-${id}`, artifacts: `srcart-${id}` };
  const logicalId = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const template = Template.fromStack(stack).toJSON();
  const refs = { [logicalId(dataLake.datasetsBucket)]: buckets.datasets, [logicalId(dataLake.artifactsBucket)]: buckets.artifacts };
  const definition = extractDefinition(template, undefined, { refs });
  const s3c = s3Client();
  for (const b of Object.values(buckets)) await s3c.send(new CreateBucketCommand({ Bucket: b }));
  // Each function's environment as the template writes it, its intrinsics resolved to the emulator's buckets.
  const env = (fn: { node: { defaultChild?: unknown } }, name: string) => {
    const value = resolveIntrinsics(template.Resources[logicalId(fn)].Properties.Environment.Variables[name], { resources: template.Resources, refs });
    return JSON.parse(value as string);
  };
  const fetchConfig = env(ingestion.fetchFunction!, INGEST_SOURCE_ENV) as FetchConfig;
  const deliveryConfig = env(ingestion.deliverFunction, INGESTION_ENV.config) as DeliveryConfig;
  const events: PutEventsCommand[] = [];
  const machine = new LocalStateMachine(definition, {
    handlers: {
      'Compute window': (e) => computeWindow(e, env(ingestion.windowFunction, INGESTION_ENV.cadence)),
      'Fetch from source': (e) => fetchWindow(e, fetchConfig, { source: source.client, staging: s3c, secrets: { send: async () => { throw new Error('no secret'); } }, fetch }),
      'Validate and write delivery': (e) => deliver(e, deliveryConfig, { s3: s3c, events: { send: (async (c: PutEventsCommand) => { events.push(c); return {}; }) as never }, now: () => new Date('2026-11-29T12:10:00Z') }),
    },
  });
  const run = async (input: unknown, name: string) => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const execution = machine.start(input, { name });
    try {
      return { outcome: await execution.outcome, entered: execution.entered };
    } finally {
      write.mockRestore();
    }
  };
  return { run, s3: s3c, buckets, events, fetchConfig };
}

describe('the source-variant ingestion state machine in the local runner', () => {
  test('S3 source: window -> wait -> fetch (objects of the window, checksums) -> deliver: one part per category and the manifest in the datasets bucket', async () => {
    const l = await localSourceIngestion((stack) => ({ s3: { bucket: s3.Bucket.fromBucketName(stack, 'Src', source.bucket), prefix: `e2e-${n}/` } }));
    const p = l.fetchConfig.s3!.prefix;
    await source.put(`${p}books/a.csv`, 'id,units\nb1,3\n', new Date('2026-11-29T06:30:00Z'));
    await source.put(`${p}books/b.csv`, 'id,units\nb2,4\n', new Date('2026-11-29T11:00:00Z'));
    await source.put(`${p}books/earlier.csv`, 'id,units\nold,9\n', new Date('2026-11-29T05:00:00Z'));
    await source.put(`${p}toys/t.csv`, 'id,units\nt1,1\n', new Date('2026-11-29T09:00:00Z'));

    const { outcome, entered } = await l.run({ scheduledTime: '2026-11-29T12:03:00Z' }, 'scheduled-1');

    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { window: { start: '2026-11-29T06:00:00.000Z', end: '2026-11-29T12:00:00.000Z' }, fetched: { files: 3, categories: { books: 2, toys: 1 } }, delivery: { rows: 3 } } });
    expect(entered).toEqual(['Compute window', 'Wait for uploads in flight', 'Fetch from source', 'Validate and write delivery']);
    const keys = (await listAll(l.s3, l.buckets.datasets, 'demand/')).map((o) => o.Key).sort();
    expect(keys).toEqual(['demand/_ingestion/2026-11-29/0600-360m.json', 'demand/books/2026-11-29/0600-360m.csv', 'demand/toys/2026-11-29/0600-360m.csv']);
    expect(await getText(l.s3, l.buckets.datasets, 'demand/books/2026-11-29/0600-360m.csv')).toBe('id,units\nb1,3\nb2,4\n');
    const manifest = JSON.parse((await getText(l.s3, l.buckets.datasets, 'demand/_ingestion/2026-11-29/0600-360m.json'))!) as DeliveryManifest;
    expect(manifest).toMatchObject({ runId: 'scheduled-1', rows: 3 });
    expect(manifest.parts.map((part) => [part.category, part.rows, part.files])).toEqual([['books', 2, 2], ['toys', 1, 1]]);
    expect(l.events).toHaveLength(1);
  });

  test('HTTP source: the endpoint\'s answer per category is delivered; a non-2xx answer fails the execution naming the status and the category', async () => {
    const answers: Record<string, [number, string]> = { '/books': [200, '{"id":"b1","units":2}\n'], '/toys': [200, '{"id":"t1","units":5}\n'] };
    const server: Server = createServer((req, res) => { const [status, body] = answers[req.url!.split('?')[0]] ?? [404, '']; res.writeHead(status).end(body); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/{category}?since={start}`;
      const l = await localSourceIngestion(() => ({ http: { url } }), 'jsonl');
      const ok = await l.run({ scheduledTime: '2026-11-29T12:03:00Z' }, 'scheduled-1');
      expect(ok.outcome).toMatchObject({ status: 'SUCCEEDED', output: { delivery: { rows: 2 } } });
      expect(ok.entered).not.toContain('Wait for uploads in flight');
      expect(await getText(l.s3, l.buckets.datasets, 'demand/toys/2026-11-29/0600-360m.jsonl')).toBe('{"id":"t1","units":5}\n');

      answers['/toys'] = [502, 'bad gateway'];
      const failed = await l.run({ scheduledTime: '2026-11-29T18:03:00Z' }, 'scheduled-2');
      expect(failed.outcome).toMatchObject({ status: 'FAILED', error: 'HttpSourceError' });
      expect(JSON.parse((failed.outcome as { cause: string }).cause).errorMessage).toMatch(/category toys \(GET http:\/\/127\.0\.0\.1:\d+\/toys\) answered HTTP 502/);
      // Nothing of the failed window reached the datasets.
      expect((await listAll(l.s3, l.buckets.datasets, 'demand/')).some((o) => o.Key!.includes('1200-360m'))).toBe(false);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
