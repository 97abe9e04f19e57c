// The bill of a model's scheduled ingestion and of the per-stack KMS keys: the cost model's
// figures (usage.ts) are checked against the synthesized stacks, so a change to DataIngestion or
// to the keys a stack creates fails here until the cost model follows.
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as fc from 'fast-check';
import { PlatformCost } from '../../lib/cost';
import { ingestionsPerMonth } from '../../lib/cost/ingestion-cost';
import { runsPerMonth } from '../../lib/cost/model-cost';
import { SECONDS_PER_MONTH, USAGE } from '../../lib/cost/usage';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { ModelSpec } from '../../lib/spec';
import { loadModelSpec } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';

const example = loadModelSpec(join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml'));
const withoutIngestion: ModelSpec = { ...example, data: { ...example.data, ingestion: undefined } };
const ingestingEvery = (intervalSeconds: number, triggersTraining = true): ModelSpec => ({
  ...example, data: { ...example.data, ingestion: { ...example.data.ingestion!, every: `${intervalSeconds}s`, intervalSeconds, triggersTraining } },
});

type Resources = Record<string, { Type: string; Properties: Record<string, any>; }>;
const stacks = new MlopsPlatformStacks(testApp(), { models: [example] });
const platform = Template.fromStack(stacks.platformStack).toJSON().Resources as Resources;
const model = Template.fromStack(stacks.modelStacks[0]).toJSON().Resources as Resources;
const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('the cost model counts what DataIngestion creates', () => {
  test('task size: the task definition of the job', () => {
    const [[, job]] = ofType(model, 'AWS::ECS::TaskDefinition').filter(([id]) => id.startsWith('ModelIngestionJob'));
    expect({ vcpu: Number(job.Properties.Cpu) / 1024, memoryGb: Number(job.Properties.Memory) / 1024 })
      .toEqual({ vcpu: USAGE.ingestionTask.vcpu, memoryGb: USAGE.ingestionTask.memoryGb });
  });

  test('one state transition per Task state, the functions\' memory, one metric per alarm', () => {
    const [[, machine]] = ofType(model, 'AWS::StepFunctions::StateMachine').filter(([id]) => id.startsWith('ModelIngestion'));
    expect(JSON.stringify(machine.Properties.DefinitionString).match(/\\"Type\\":\\"Task\\"/g)).toHaveLength(USAGE.ingestionTransitionsPerRun);
    const memory = (prefix: string) => ofType(model, 'AWS::Lambda::Function').find(([id]) => id.startsWith(prefix))![1].Properties.MemorySize / 1024;
    const f = USAGE.ingestionFunctions;
    expect([memory('ModelIngestionWindow'), memory('ModelIngestionDeliver'), memory('ModelTrainOnArrival')]).toEqual([f.window.memoryGb, f.deliver.memoryGb, f.trainOnArrival.memoryGb]);
    expect(ofType(model, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('ModelIngestion'))).toHaveLength(USAGE.ingestionAlarmMetrics);
  });

  test('KMS keys: the platform stack\'s (data, topic, logs) and each model stack\'s (logs, owner topic)', () => {
    expect(ofType(platform, 'AWS::KMS::Key')).toHaveLength(USAGE.platformKeys);
    expect(ofType(model, 'AWS::KMS::Key')).toHaveLength(USAGE.modelStackLogKeys + USAGE.ownerTopicKeys);
  });
});

describe('the example\'s bill', () => {
  const bill = new PlatformCost({ models: [example] });
  const lines = (group: string) => bill.lines.filter((l) => l.group === group);

  test('has the daily ingestion: 30.4 Fargate runs of 5 minutes (x86_64, the training image), transitions, calls, alarms and logs', () => {
    expect(lines('ingestion').map((l) => l.item)).toEqual([
      'job on Fargate 1 vCPU 2 GB x86_64, 5 min a window (data.ingestion every 1d)',
      'state machine (3 transitions a run) and 3 function calls a run',
      'alarms (3 metrics read: missed, empty, failed delivery) and job, function and execution logs',
    ]);
    expect(lines('ingestion')[0].quantity).toBe('30.4 runs, 2.53 task-h');
    const withoutIt = new PlatformCost({ models: [withoutIngestion] });
    expect(bill.scopeUsd(example.name) - withoutIt.scopeUsd(example.name)).toBeCloseTo(lines('ingestion').reduce((s, l) => s + l.usd, 0), 6);
  });

  test('has a KMS key per stack: the platform\'s three, and the model stack\'s log and owner topic keys', () => {
    expect(lines('keys').map((l) => [l.scope, l.quantity, l.usd])).toEqual([[example.name, '2 keys', 2], ['platform', '3 keys', 3]]);
  });

  test('trains once per delivered window when ingestion triggers training (the cron schedule is then disabled)', () => {
    expect(runsPerMonth(example)).toBeCloseTo(SECONDS_PER_MONTH / 86400, 6);
    expect(runsPerMonth(ingestingEvery(6 * 3600))).toBeCloseTo(4 * SECONDS_PER_MONTH / 86400, 6);
    // Without the trigger the schedule decides: the example's is daily too.
    expect(runsPerMonth(ingestingEvery(6 * 3600, false))).toBeCloseTo(runsPerMonth(withoutIngestion), 6);
  });
});

test('any cadence from 5 minutes to 6 days: one run per window, and a shorter cadence never costs less', () => {
  fc.assert(fc.property(fc.integer({ min: 300, max: 6 * 86400 }), fc.integer({ min: 300, max: 6 * 86400 }), (a, b) => {
    const [short, long] = a <= b ? [a, b] : [b, a];
    expect(ingestionsPerMonth(ingestingEvery(short, false).data.ingestion!)).toBeCloseTo(SECONDS_PER_MONTH / short, 6);
    const usd = (s: number) => new PlatformCost({ models: [ingestingEvery(s, false)] }).lines.filter((l) => l.group === 'ingestion').reduce((t, l) => t + l.usd, 0);
    expect(usd(short)).toBeGreaterThanOrEqual(usd(long));
  }), { numRuns: 50 });
});
