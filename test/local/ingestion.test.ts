// The example model's synthesized ingestion state machine run by the local runner through the
// handler map local mode and `npm run demo` use (local/pipelines/ingestion-handlers.ts): the real
// window and delivery handlers, the task definition's own container command (the staging wrapper
// running generate_data.py) against the S3 emulator. One category keeps it fast.
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PARAMETERS } from '../../lambda/shared/contract';
import { getText } from '../../lambda/shared/training/s3';
import { INGESTION_STATES } from '../../local/pipelines/ingestion-handlers';
import { PlatformAssembly } from '../../local/platform/assembly';
import { LocalPlatform, TaskEvent } from '../../local/platform/local-platform';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';
import { dynamoEndpoint, s3Endpoint } from '../support/endpoints';

const spec = { ...loadModelSpec(join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml')), categories: ['books'] };

function assemblyOf(): PlatformAssembly {
  const stacks = new MlopsPlatformStacks(testApp(), { models: [spec] });
  const of = (s: Stack) => ({ stackName: s.stackName, template: Template.fromStack(s).toJSON() as never });
  return { platform: PARAMETERS.defaultPlatform, platformStack: of(stacks.platformStack), models: { [spec.name]: of(stacks.modelStacks[0]) } };
}

test('a scheduled run at the next midnight ingests the day before: window, the generator in the staging wrapper, a delivery filed under that day', async () => {
  const events: TaskEvent[] = [];
  const platform = new LocalPlatform({ assembly: assemblyOf(), specs: [spec], endpoints: { dynamodb: dynamoEndpoint(), s3: s3Endpoint() }, onTask: (e) => events.push(e) });
  await platform.createResources();

  const { execution, arrived } = await platform.model(spec.name).ingest(new Date('2026-11-21T00:00:00.000Z'));

  expect(execution).toMatchObject({ status: 'SUCCEEDED' });
  expect(events.map((e) => [e.machine, e.state, e.error])).toEqual([INGESTION_STATES.window, INGESTION_STATES.job, INGESTION_STATES.deliver].map((s) => ['ingestion', s, undefined]));
  const output = (execution as { output: { window: unknown; delivery: unknown } }).output;
  expect(output.window).toEqual({ start: '2026-11-20T00:00:00.000Z', end: '2026-11-21T00:00:00.000Z' });
  const manifestKey = 'demand-forecast/_ingestion/2026-11-20/0000-1440m.json';
  expect(output.delivery).toMatchObject({ manifestKey, rows: 300 });
  // The event training on arrival acts on: train with executionDate 2026-11-20.
  expect(arrived).toEqual([expect.objectContaining({ model: spec.name, date: '2026-11-20', label: '0000-1440m', categories: ['books'], rows: 300, manifestKey })]);

  // The part sits where the training pipeline of that date reads: <location><category>/<date>/.
  const bucket = platform.parameter(PARAMETERS.datasetsBucket);
  const rows = ((await getText(platform.s3, bucket, 'demand-forecast/books/2026-11-20/0000-1440m.csv')) ?? '').trim().split(/\r?\n/);
  expect(rows[0]).toBe('date,store_id,units');
  expect(rows).toHaveLength(301);
  expect(rows.slice(1).map((r) => r.split(',')[0]).sort().pop()).toBe('2026-11-20');
}, 120_000);

test('a built-in source (HTTP on loopback) runs through the same local map: the fetch function\'s real code instead of the job', async () => {
  const { createServer } = await import('node:http');
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/csv' }).end('date,store_id,units\n2026-11-20,store-001,12\n2026-11-20,store-002,7\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    const sourced = {
      ...spec, name: 'sourced', data: { ...spec.data, location: 'sourced/', minRows: 1,
        ingestion: { ...spec.data.ingestion!, command: undefined, source: { http: { url: `http://127.0.0.1:${port}/export/{category}?from={start}` } } } },
    };
    const stacks = new MlopsPlatformStacks(testApp(), { models: [sourced as typeof spec] });
    const of = (s: Stack) => ({ stackName: s.stackName, template: Template.fromStack(s).toJSON() as never });
    const assembly = { platform: PARAMETERS.defaultPlatform, platformStack: of(stacks.platformStack), models: { sourced: of(stacks.modelStacks[0]) } };
    const events: TaskEvent[] = [];
    const platform = new LocalPlatform({ assembly, specs: [sourced as typeof spec], endpoints: { dynamodb: dynamoEndpoint(), s3: s3Endpoint() }, onTask: (e) => events.push(e) });
    await platform.createResources();

    const { execution, arrived } = await platform.model('sourced').ingest(new Date('2026-11-21T00:00:00.000Z'));

    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    expect(events.map((e) => e.state)).toEqual([INGESTION_STATES.window, INGESTION_STATES.fetch, INGESTION_STATES.deliver]);
    expect(asked).toEqual([`/export/books?from=${encodeURIComponent('2026-11-20T00:00:00.000Z')}`]);
    expect(arrived).toEqual([expect.objectContaining({ model: 'sourced', date: '2026-11-20', rows: 2 })]);
  } finally {
    server.close();
  }
}, 120_000);
