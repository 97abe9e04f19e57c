// What the policy-pack work fixes rather than acknowledges (issue 13, section 2), checked on the
// templates: log groups under a customer key with audit retention, dead-letter queues and
// reserved concurrency for asynchronously invoked functions only, the tables' AWS Backup option,
// and acknowledgements given only where the evidence holds.
import { Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { PolicyPackAcknowledgements } from '../../lib/common/policy-pack-acks';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { PredictionStore } from '../../lib/prediction-store/prediction-store';
import { testApp } from '../support/cdk';
import { synthWithAllPacks, twoModelSpecs } from './policy-apps';

let templates: Record<string, Template>;
beforeAll(() => {
  const app = testApp();
  new MlopsPlatformStacks(app, { models: twoModelSpecs() });
  templates = Object.fromEntries(app.synth().stacks.map((s) => [s.stackName, Template.fromJSON(s.template)]));
});

const resourcesOf = (t: Template, type: string) => Object.entries(t.findResources(type));

test('every log group of every stack is encrypted with that stack\'s log key, which admits CloudWatch Logs for this account\'s log groups only', () => {
  for (const [stack, t] of Object.entries(templates)) {
    const [[keyId, key]] = resourcesOf(t, 'AWS::KMS::Key').filter(([id]) => id.startsWith('MlopsLogKey'));
    expect([stack, key.Properties.EnableKeyRotation, key.DeletionPolicy]).toEqual([stack, true, 'Retain']);
    const logsStatement = key.Properties.KeyPolicy.Statement.find((s: any) => JSON.stringify(s.Principal).includes('logs.'));
    expect(logsStatement.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']] });
    const groups = resourcesOf(t, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const [id, g] of groups) expect([stack, id, g.Properties.KmsKeyId]).toEqual([stack, id, { 'Fn::GetAtt': [keyId, 'Arn'] }]);
  }
});

test('Step Functions execution logs (audit logs) are kept a year; other logs a month', () => {
  for (const [stack, t] of Object.entries(templates)) {
    const sfnLogGroups = new Set(Object.values(t.findResources('AWS::StepFunctions::StateMachine'))
      .flatMap((sm: any) => sm.Properties.LoggingConfiguration?.Destinations ?? [])
      .map((d: any) => d.CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0]));
    for (const [id, g] of resourcesOf(t, 'AWS::Logs::LogGroup')) {
      expect([stack, id, g.Properties.RetentionInDays]).toEqual([stack, id, sfnLogGroups.has(id) ? 365 : 30]);
    }
  }
});

test('asynchronously invoked functions have the stack\'s dead-letter queue and reserved concurrency; synchronously invoked ones neither', () => {
  const t = templates['MlopsPlatformStack-model-03'];
  const fns = Object.fromEntries(resourcesOf(t, 'AWS::Lambda::Function').map(([id, f]) => [id.replace(/[0-9A-F]{8}$/, ''), f.Properties]));
  const asyncFns = ['ModelTrainingExecutionEndedFunction', 'MonitoringDriftRetrainFunction'];
  const [[queueId]] = resourcesOf(t, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('AsyncDeadLetters'));
  for (const name of asyncFns) expect([name, fns[name].DeadLetterConfig, fns[name].ReservedConcurrentExecutions]).toEqual([name, { TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } }, 2]);
  for (const [name, f] of Object.entries(fns).filter(([n]) => !asyncFns.includes(n))) expect([name, f.DeadLetterConfig, f.ReservedConcurrentExecutions]).toEqual([name, undefined, undefined]);
  t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: 'alias/aws/sqs', MessageRetentionPeriod: 1209600 });
});

test('the HTTP API writes JSON access logs', () => {
  const format = templates['MlopsPlatformStack-model-01'].findResources('AWS::ApiGatewayV2::Stage');
  const [stage] = Object.values(format) as any[];
  expect(JSON.parse(stage.Properties.AccessLogSettings.Format)).toEqual(expect.objectContaining({ requestId: '$context.requestId', status: '$context.status' }));
});

test('a table given a backup plan is selected in it, and no acknowledgement is needed; without one, PITR is acknowledged as its backup', () => {
  const withPlan = synthWithAllPacks((app) => {
    const stack = new Stack(app, 'Tables');
    const plan = backup.BackupPlan.dailyWeeklyMonthly5YearRetention(stack, 'Plan');
    new ModelRegistry(stack, 'Registry', { backupPlan: plan, publishEvents: false });
    new PredictionStore(stack, 'Predictions', { backupPlan: plan });
  });
  const backupFindings = (fs: typeof withPlan.open) => fs.filter((f) => f.rule.endsWith('DynamoDBInBackupPlan')).map((f) => f.path).sort();
  expect(backupFindings(withPlan.open)).toEqual([]);
  expect(backupFindings(withPlan.acknowledged)).toEqual([]);
  const app = testApp();
  const stack = new Stack(app, 'Tables');
  const plan = backup.BackupPlan.daily35DayRetention(stack, 'Plan');
  const registry = new ModelRegistry(stack, 'Registry', { backupPlan: plan, publishEvents: false });
  Template.fromStack(stack).hasResourceProperties('AWS::Backup::BackupSelection', {
    BackupSelection: Match.objectLike({ Resources: [{ 'Fn::GetAtt': [stack.getLogicalId(registry.table.node.defaultChild as any), 'Arn'] }] }),
  });

  const withoutPlan = synthWithAllPacks((a) => { new PredictionStore(new Stack(a, 'Tables'), 'Predictions'); });
  expect(backupFindings(withoutPlan.acknowledged)).toEqual(['Tables/Predictions/Resource/Resource', 'Tables/Predictions/Resource/Resource']);
  const noPitr = synthWithAllPacks((a) => { new PredictionStore(new Stack(a, 'Tables'), 'Predictions', { pointInTimeRecovery: false }); });
  expect(backupFindings(noPitr.open)).toEqual(['Tables/Predictions/Resource/Resource', 'Tables/Predictions/Resource/Resource']);
});

test('evidence-based acknowledgements hold only where the evidence does: one role, versioning, retries', () => {
  const { open, acknowledged } = synthWithAllPacks((app) => {
    const stack = new Stack(app, 'Evidence');
    Aspects.of(stack).add(new PolicyPackAcknowledgements());
    const role = (id: string) => new iam.Role(stack, id, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role('One').addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/k'] }));
    new iam.Policy(stack, 'Shared', { roles: [role('A'), role('B')], statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/k'] })] });
    new s3.Bucket(stack, 'Versioned', { versioned: true });
    new s3.Bucket(stack, 'Unversioned');
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
    new events.Rule(stack, 'Retried', { schedule: events.Schedule.rate(Duration.hours(1)), targets: [new targets.LambdaFunction(fn, { retryAttempts: 2 })] });
    new events.Rule(stack, 'NotRetried', { schedule: events.Schedule.rate(Duration.hours(1)), targets: [new targets.LambdaFunction(fn)] });
  });
  const paths = (fs: typeof open, rule: string) => fs.filter((f) => f.rule === rule).map((f) => f.path.split('/')[1]).sort();
  expect(paths(acknowledged, 'NIST.800.53.R5-IAMNoInlinePolicy')).toEqual(['One']);
  expect(paths(open, 'NIST.800.53.R5-IAMNoInlinePolicy')).toEqual(['Shared']);
  expect(paths(acknowledged, 'NIST.800.53.R5-S3BucketReplicationEnabled')).toEqual(['Versioned']);
  expect(paths(open, 'NIST.800.53.R5-S3BucketReplicationEnabled')).toEqual(['Unversioned']);
  expect(paths(acknowledged, 'Serverless-EventBusDLQ')).toEqual(['Retried']);
  expect(paths(open, 'Serverless-EventBusDLQ')).toEqual(['NotRetried']);
});

