import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MlopsPlatform } from '../../lib/platform/mlops-platform';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { formatProblem } from '../../lib/spec/fields';
import { nagFindings, testApp } from '../support/cdk';

const ENV = { account: '123456789012', region: 'eu-west-1' };
const CMD = ['python3', '/opt/program/ingest.py'];

function parse(data: Record<string, unknown>) {
  return parseModelSpecObject({
    name: 'demand', description: 'demand', owner: 'ds@example.com', categories: ['books', 'toys'],
    training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1' }, evaluation: { metric: 'rmse' },
    inference: { mode: 'batch', serving: 'none' },
    data,
  }, { file: 'models/demand/model.yaml' });
}
function spec(data: Record<string, unknown>): ModelSpec {
  const { spec: s, problems } = parse(data);
  if (!s) throw new Error(problems.map(formatProblem).join('\n'));
  return s;
}

describe('data.ingestion in the spec', () => {
  test('resolves a duration or a cron cadence, with defaults', () => {
    expect(spec({ ingestion: { every: '6h', command: CMD } }).data.ingestion).toEqual({ every: '6h', intervalSeconds: 21600, timeZone: 'UTC', command: CMD, triggersTraining: false });
    expect(spec({ ingestion: { every: '0 */6 * * MON-FRI', timeZone: 'Europe/Paris', command: ['python3', 'ingest.py'], triggersTraining: true } }).data.ingestion)
      .toEqual({ every: '0 */6 * * MON-FRI', cron: '0 */6 * * MON-FRI', intervalSeconds: 54 * 3600, timeZone: 'Europe/Paris', command: ['python3', 'ingest.py'], triggersTraining: true });
    expect(spec({}).data.ingestion).toBeUndefined();
  });

  test.each([
    [{ every: '6h' }, 'data.ingestion.command: (missing) is invalid: expected a value for "command"'],
    [{ every: '1m', command: CMD }, 'data.ingestion.every: "1m" is invalid: expected a duration from 5m to 6d'],
    [{ every: '0 0 1 * *', command: CMD }, 'data.ingestion.every: "0 0 1 * *" is invalid: expected a cron that fires at least every 6 days'],
    [{ every: 'hourly', command: CMD }, 'data.ingestion.every: "hourly" is invalid: expected a duration such as "6h" or a five-field cron'],
    [{ every: '6h', timeZone: 'Paris', command: CMD }, 'data.ingestion.timeZone: "Paris" is invalid: expected an IANA time zone name'],
    [{ every: '6h', image: 'not an image', command: CMD }, 'data.ingestion.image: "not an image" is invalid: expected an image URI'],
    [{ evry: '6h', command: CMD }, 'data.ingestion.evry: "6h" is invalid: expected one of the fields every, timeZone, command, image, triggersTraining, source. Fix: did you mean "every"?'],
  ])('%j is refused naming the field, the value and the fix', (ingestion, message) => {
    const { problems } = parse({ ingestion });
    expect(problems.map(formatProblem).join('\n')).toContain(`models/demand/model.yaml: ${message}`);
    expect(problems.every((p) => p.fix.length > 0)).toBe(true);
  });
});

describe('MlopsPlatform with data.ingestion', () => {
  test('the model stack gets the ingestion state machine, schedule and alarms; the training image runs on x86_64 with pull access', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    // Training at 13:00 UTC, after the day's first 6h windows have landed (MLOPS-IngestionFeedsTraining).
    new MlopsPlatform(stack, 'Platform', { models: [{ ...spec({ ingestion: { every: '6h', command: CMD } }), schedule: { cron: '0 13 * * *', timeZone: 'UTC', enabled: true } }] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(6 hours)', Description: 'Ingestion of demand (data.ingestion)' });
    t.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'X86_64' } });
    const policies = t.findResources('AWS::IAM::Policy');
    const execution = JSON.stringify(Object.entries(policies).filter(([id]) => id.includes('IngestionJobExecutionRole')));
    expect(execution).toContain('ecr:BatchGetImage');
    expect(execution).toContain(':repository/demand');
  });

  test('triggersTraining: the Data Arrived rule of the model starts its training; the time schedule is created disabled', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: [spec({ ingestion: { every: '1d', command: CMD, triggersTraining: true } })] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['cdk-mlops.ingestion'], 'detail-type': ['Data Arrived'], 'detail': { model: ['demand'] } } });
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 2 * * ? *)', State: 'DISABLED' });
    t.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 day)', State: 'ENABLED' });
  });

  test('a model without data.ingestion gets none of it', () => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: [spec({})] });
    Template.fromStack(stack).resourceCountIs('AWS::ECS::TaskDefinition', 0);
  });

  test.each([
    ['a tag', '210987654321.dkr.ecr.us-east-2.amazonaws.com/team/ingest:2.0', ':2.0'],
    ['a digest', `210987654321.dkr.ecr.us-east-2.amazonaws.com/team/ingest@sha256:${'a'.repeat(64)}`, `@sha256:${'a'.repeat(64)}`],
  ])('an ingestion image of its own in another account and region (%s): pulled from its repository, with that reference, and no "policies need to be attached" warning', (_, image, ref) => {
    const stack = new Stack(testApp(), 'Platform', { env: ENV });
    new MlopsPlatform(stack, 'Platform', { models: [spec({ ingestion: { every: '6h', command: CMD, image, triggersTraining: true } })] });
    const t = Template.fromStack(stack);
    const job = Object.values(t.findResources('AWS::ECS::TaskDefinition'))[0].Properties;
    expect(job.RuntimePlatform.CpuArchitecture).toBe('ARM64');
    for (const c of job.ContainerDefinitions) expect(JSON.stringify(c.Image)).toContain(`.dkr.ecr.us-east-2.`);
    expect(JSON.stringify(job.ContainerDefinitions[0].Image)).toContain(`/team/ingest${ref}`);
    const execution = JSON.stringify(Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => id.includes('IngestionJobExecutionRole')));
    expect(execution).toContain('ecr:BatchGetImage');
    expect(execution).toContain(':ecr:us-east-2:210987654321:repository/team/ingest"');
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
    expect(warnings.filter((w) => /Proper policies need to be attached/.test(w))).toEqual([]);
  });

  test('cdk-nag clean with an ingestion image of its own (arm64)', () => {
    expect(nagFindings((app) => {
      new MlopsPlatform(new Stack(app, 'Platform', { env: ENV }), 'Platform', { models: [spec({ ingestion: { every: '6h', command: CMD, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ingest:1', triggersTraining: true } })] });
    })).toEqual([]);
  });
});
