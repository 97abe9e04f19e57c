// The synthesized ingestion state machine in the local ASL runner: the real window and delivery
// handlers against the S3 emulator; the Fargate job runs the task definition's own entry point
// (the staging wrapper) and environment locally, with a command that only writes files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { CfnElement, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { computeWindow } from '../../lambda/ingestion-window';
import { deliver } from '../../lambda/ingestion-deliver';
import { INGESTION_ENV } from '../../lambda/shared/ingestion/constants';
import { DeliveryConfig } from '../../lambda/shared/ingestion/deliver';
import { getText, listAll } from '../../lambda/shared/training/s3';
import { DataIngestion } from '../../lib/data-ingestion/data-ingestion';
import { DataLake } from '../../lib/data-lake/data-lake';
import { PlatformNetwork } from '../../lib/platform/platform-network';
import { ColumnType, DataFormat } from '../../lib/spec/model-spec';
import { LocalStateMachine, extractDefinition } from '../../local/asl';
import { testStack } from '../support/cdk';
import { s3Endpoint } from '../support/endpoints';
import { s3Client } from '../training-pipeline/harness';

let n = 0;

// The job's command: writes the files JOB_FILES (JSON {category: {file: body}}) names under the contract's folder.
const JOB = `
import json, os
out = os.path.join(os.environ['MLOPS_ML_ROOT'], 'output', 'data')
assert os.environ['MLOPS_MODE'] == 'ingest' and 'MLOPS_INGEST_OUTPUT_URI' not in os.environ
for category, files in json.loads(os.environ['JOB_FILES']).items():
    os.makedirs(os.path.join(out, category), exist_ok=True)
    for name, body in files.items():
        open(os.path.join(out, category, name), 'w').write(body)
`;

async function localIngestion(job: (env: Record<string, string>) => Record<string, Record<string, string>>) {
  const stack = testStack();
  const dataLake = new DataLake(stack, 'DataLake');
  const ingestion = new DataIngestion(stack, 'Ingestion', {
    model: 'demand', categories: ['books', 'toys'], dataLake, location: 'demand/', format: DataFormat.CSV,
    columns: [{ name: 'units', type: ColumnType.INTEGER, nullable: false }], interval: Duration.hours(6), timeZone: 'Europe/Paris',
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/python:3.12-slim'), command: ['python3', '-c', JOB],
    vpc: new PlatformNetwork(stack, 'Network').vpc, alarmTopic: new sns.Topic(stack, 'Topic', { enforceSSL: true }),
  });
  const id = `${process.pid}-${n++}`;
  const buckets = { datasets: `ingds-${id}`, artifacts: `ingart-${id}` };
  const logicalId = (c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as CfnElement);
  const template = Template.fromStack(stack).toJSON();
  const definition = extractDefinition(template, undefined, { refs: { [logicalId(dataLake.datasetsBucket)]: buckets.datasets, [logicalId(dataLake.artifactsBucket)]: buckets.artifacts } });
  const s3 = s3Client();
  for (const b of Object.values(buckets)) await s3.send(new CreateBucketCommand({ Bucket: b }));
  const fnEnv = (fn: { node: { defaultChild?: unknown } }) => template.Resources[logicalId(fn)].Properties.Environment.Variables as Record<string, unknown>;
  const cadence = JSON.parse(fnEnv(ingestion.windowFunction)[INGESTION_ENV.cadence] as string);
  // The delivery config as the construct writes it, with the buckets the template's tokens name here.
  const config: DeliveryConfig = {
    model: 'demand', categories: ['books', 'toys'], bucket: buckets.datasets, location: 'demand/', stagingBucket: buckets.artifacts, stagingPrefix: 'runs/demand/_ingestion/',
    timeZone: 'Europe/Paris', eventBusName: 'default', validation: { format: 'csv', sampleRows: 1000, columns: [{ name: 'units', type: 'integer', nullable: false }] },
  };
  type ContainerDef = { Name: string; EntryPoint: string[]; Environment: Array<{ Name: string; Value: unknown }> };
  const containers = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::ECS::TaskDefinition') as { Properties: { ContainerDefinitions: ContainerDef[] } };
  const ingest = containers.Properties.ContainerDefinitions.find((c) => c.Name === 'ingest')!;
  const events: PutEventsCommand[] = [];
  const jobRuns: Array<Record<string, string>> = [];
  const machine = new LocalStateMachine(definition, {
    handlers: {
      'Compute window': (e) => computeWindow(e, cadence),
      'Run ingestion job': async (p: { Overrides: { ContainerOverrides: Array<{ Environment: Array<{ Name: string; Value: string }> }> } }) => {
        const env = Object.fromEntries(p.Overrides.ContainerOverrides[0].Environment.map((v) => [v.Name, v.Value]));
        jobRuns.push(env);
        // The task definition's entry point and environment (tokens left out), the override, a temp /opt/ml and the emulator.
        const root = mkdtempSync(join(tmpdir(), 'mlops-ingest-'));
        const staticEnv = Object.fromEntries(ingest.Environment.filter((v) => typeof v.Value === 'string').map((v) => [v.Name, v.Value as string]));
        const [python, ...args] = ingest.EntryPoint;
        const res = spawnSync(python, args, {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH, ...staticEnv, ...env, JOB_FILES: JSON.stringify(job(env)), MLOPS_ML_ROOT: root,
            MLOPS_S3_ENDPOINT: s3Endpoint(), AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1',
          },
        });
        rmSync(root, { recursive: true, force: true });
        if (res.status !== 0) throw Object.assign(new Error(res.stderr), { name: 'States.TaskFailed' });
        return { StopCode: 'EssentialContainerExited' };
      },
      'Validate and write delivery': (e) => deliver(e, config, { s3, events: { send: (async (c: PutEventsCommand) => { events.push(c); return {}; }) as never }, now: () => new Date('2026-11-29T12:10:00Z') }),
    },
  });
  return { machine, s3, buckets, events, jobRuns };
}

describe('the ingestion state machine in the local runner', () => {
  test('window -> job under the container contract -> validated parts; a re-run of the window overwrites its parts only', async () => {
    let units = 1;
    const l = await localIngestion((env) => ({
      books: { 'a.csv': `id,units\n${env.MLOPS_INGEST_WINDOW_START},${units}\n` },
      toys: { 'a.csv': `id,units\nt,${units}\n` },
    }));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const first = await l.machine.start({ scheduledTime: '2026-11-29T12:03:00Z' }, { name: 'scheduled-1' }).outcome;
      expect(first).toMatchObject({ status: 'SUCCEEDED', output: { window: { start: '2026-11-29T06:00:00.000Z', end: '2026-11-29T12:00:00.000Z' }, delivery: { rows: 2 } } });
      expect(l.jobRuns[0]).toMatchObject({
        MLOPS_MODE: 'ingest', MLOPS_INGEST_WINDOW_START: '2026-11-29T06:00:00.000Z', MLOPS_INGEST_WINDOW_END: '2026-11-29T12:00:00.000Z',
        MLOPS_INGEST_OUTPUT_URI: `s3://${l.buckets.artifacts}/runs/demand/_ingestion/scheduled-1/`,
      });
      units = 7;
      const rerun = await l.machine.start({ scheduledTime: '2026-11-29T12:03:00Z' }, { name: 'rerun-of-1' }).outcome;
      expect(rerun).toMatchObject({ status: 'SUCCEEDED' });
    } finally {
      write.mockRestore();
    }
    const keys = (await listAll(l.s3, l.buckets.datasets, 'demand/')).map((o) => o.Key).sort();
    // 06:00 UTC is 07:00 in Paris: the keys are dated in the cadence's time zone.
    expect(keys).toEqual(['demand/_ingestion/2026-11-29/0700-360m.json', 'demand/books/2026-11-29/0700-360m.csv', 'demand/toys/2026-11-29/0700-360m.csv']);
    expect(await getText(l.s3, l.buckets.datasets, 'demand/toys/2026-11-29/0700-360m.csv')).toBe('id,units\nt,7\n');
    expect(l.events).toHaveLength(2);
  });

  test('output that fails the schema checks fails the execution with the category and the fix', async () => {
    const l = await localIngestion(() => ({ books: { 'a.csv': 'id,units\nb,lots\n' } }));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const res = await l.machine.start({ scheduledTime: '2026-11-29T12:03:00Z' }).outcome.finally(() => write.mockRestore());
    expect(res).toMatchObject({ status: 'FAILED', error: 'DeliveryRejected' });
    expect(JSON.parse((res as { cause: string }).cause).errorMessage).toMatch(/books: a\.csv line 2: "units" is "lots", not a integer.*Fix the ingestion job/);
  });
});
