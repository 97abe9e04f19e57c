// data.ingestion.triggersTraining: the Data Arrived rule, its function, and the training input it
// derives from a real delivery's event.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { INGESTION_ENV } from '../../lambda/shared/ingestion/constants';
import { DataArrivedEvent, arrivalExecutionName, trainOnArrival } from '../../lambda/shared/ingestion/trigger';
import { deliverWindow } from '../../lambda/shared/ingestion/deliver';
import { plan, plannedRuns, runItem } from '../../lambda/shared/training/plan';
import { PipelineConfig } from '../../lambda/shared/training/types';
import { TrainOnArrival } from '../../lib/data-ingestion/train-on-arrival';
import { nagFindings, testStack } from '../support/cdk';
import { s3Client } from '../training-pipeline/harness';

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:demand-training';

function trigger(stack: Stack): TrainOnArrival {
  const pipeline = new sfn.StateMachine(stack, 'Pipeline', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'P')) });
  return new TrainOnArrival(stack, 'TrainOnArrival', { model: 'demand', stateMachine: pipeline });
}

/** Step Functions stand-in with its naming rule: a name is taken once (ExecutionAlreadyExists after). */
function stepFunctions() {
  const started: StartExecutionCommand['input'][] = [];
  const send = async (c: StartExecutionCommand) => {
    if (started.some((s) => s.name === c.input.name)) throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${c.input.name}'`, $metadata: {} });
    started.push(c.input);
    return { executionArn: `${ARN.replace(':stateMachine:', ':execution:')}:${c.input.name}` };
  };
  return { started, sfn: { send: send as never } };
}

/** The Data Arrived event of a real delivery (S3 emulator) of one 6h window in Paris time. */
async function deliveredEvent(): Promise<DataArrivedEvent> {
  const s3 = s3Client();
  const id = `${process.pid}-${Date.now()}`;
  const [bucket, staging] = [`toa-ds-${id}`, `toa-st-${id}`];
  for (const b of [bucket, staging]) await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(new PutObjectCommand({ Bucket: staging, Key: 'ingestion/demand/run-1/books/a.csv', Body: 'id,units\nb,1\n' }));
  const sent: PutEventsCommand[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  await deliverWindow({ window: { start: '2026-11-29T05:00:00.000Z', end: '2026-11-29T11:00:00.000Z' }, runId: 'run-1' }, {
    model: 'demand', categories: ['books', 'toys'], bucket, location: 'demand/', stagingBucket: staging, stagingPrefix: 'ingestion/demand/',
    timeZone: 'Europe/Paris', eventBusName: 'default', validation: { format: 'csv', sampleRows: 10, columns: [] },
  }, { s3, events: { send: (async (c: PutEventsCommand) => { sent.push(c); return {}; }) as never }, now: () => new Date('2026-11-29T11:05:00Z') }).finally(() => write.mockRestore());
  const entry = sent[0].input.Entries![0];
  return { source: entry.Source!, 'detail-type': entry.DetailType!, detail: JSON.parse(entry.Detail!) };
}

describe('TrainOnArrival (data.ingestion.triggersTraining)', () => {
  test('a rule on the model\'s Data Arrived events invokes the function with the event itself; it may start only this pipeline', () => {
    const stack = testStack();
    trigger(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['cdk-mlops.ingestion'], 'detail-type': ['Data Arrived'], 'detail': { model: ['demand'] } },
      // No Input/InputTransformer: the function gets the whole event (DataArrivedEvent).
      Targets: [Match.objectLike({ Arn: Match.anyValue(), Input: Match.absent(), InputTransformer: Match.absent(), RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 7200 } })],
    });
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([{ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('^Pipeline') } }]) } });
    const fns = t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { [INGESTION_ENV.trainOnArrival]: Match.anyValue() } } } });
    expect(Object.keys(fns)).toHaveLength(1);
  });

  test('cdk-nag clean (AwsSolutions; the fixture pipeline is not under test)', () => {
    const findings = nagFindings((app: App) => { trigger(new Stack(app, 'Nag', { env: { account: '123456789012', region: 'eu-west-1' } })); });
    expect(findings.filter((f: { path: string }) => !f.path.startsWith('Nag/Pipeline/'))).toEqual([]);
  });

  test('a delivered window starts training once for the date its parts are filed under; a repeated event starts nothing', async () => {
    const event = await deliveredEvent();
    expect(event).toMatchObject({ 'source': 'cdk-mlops.ingestion', 'detail-type': 'Data Arrived', 'detail': { model: 'demand', date: '2026-11-29', label: '0600-360m', categories: ['books'] } });
    const { started, sfn } = stepFunctions();
    const config = { model: 'demand', stateMachineArn: ARN };
    expect(await trainOnArrival(event, config, { sfn })).toMatchObject({ status: 'STARTED', name: 'demand-2026-11-29-0600-360m' });
    expect(await trainOnArrival(event, config, { sfn })).toEqual({ status: 'ALREADY_STARTED', name: 'demand-2026-11-29-0600-360m' });
    expect(started).toHaveLength(1);
    // The training plan reads exactly the folder the part was written to.
    const input = JSON.parse(started[0].input!);
    expect(input).toEqual({ executionDate: '2026-11-29', categories: ['books'], trigger: 'data-arrival' });
    const config2 = { model: 'demand', categories: ['books', 'toys'], timeZone: 'Europe/Paris', hyperparameters: {} } as unknown as PipelineConfig;
    const planned = plan(input, { config: config2, datasetsBucket: 'ds', artifactsBucket: 'art', executionId: 'x', startTime: '2026-11-29T11:06:00Z' });
    const items = plannedRuns(planned).map((r) => runItem(r, { datasetsBucket: 'ds', artifactsBucket: 'art' }));
    expect(items.map((r) => r.datasetPrefix)).toEqual([event.detail.parts[0].key!.replace(/[^/]+$/, '')]);
    expect(planned.trigger).toBe('data-arrival');
  });

  test('execution names stay within Step Functions\' 80 characters and character set', () => {
    const name = arrivalExecutionName('m'.repeat(120), '2026-11-29', '0000-1440m');
    expect(name).toHaveLength(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(name.endsWith('-2026-11-29-0000-1440m')).toBe(true);
  });

  test('an event of another model (a wrong pattern) is refused with the fix', async () => {
    const { sfn } = stepFunctions();
    await expect(trainOnArrival({ 'source': 'cdk-mlops.ingestion', 'detail-type': 'Data Arrived', 'detail': { model: 'other' } as never }, { model: 'demand', stateMachineArn: ARN }, { sfn }))
      .rejects.toThrow(/not a Data Arrived event of demand.*check the rule's event pattern/);
  });
});
