// ExperimentTracking in the platform: the tracking server, its artifact store, the mirror's
// stream filter and least-privilege IAM; nag-clean; absent unless asked for.
import { Match, Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { join } from 'node:path';
import { ExperimentTrackingOptions, MlopsPlatformStack, MlopsPlatformStacks, TrackingServerSize, loadModelSpec } from '../../lib';
import { nagFindings, testApp } from '../support/cdk';

const synth = (experimentTracking?: ExperimentTrackingOptions, platformName = 'default') => {
  const stack = new MlopsPlatformStack(testApp(), 'Platform', { platformName, experimentTracking });
  return Template.fromStack(stack);
};

test('off by default: no tracking server, no mirror', () => {
  const t = synth();
  t.resourceCountIs('AWS::SageMaker::MlflowTrackingServer', 0);
  expect(JSON.stringify(t.toJSON())).not.toContain('experiment-mirror');
});

test('on: a Small server with its artifact store under mlflow/, no automatic registration, retained', () => {
  const t = synth({}, 'team-a');
  t.hasResource('AWS::SageMaker::MlflowTrackingServer', {
    Properties: {
      TrackingServerName: 'mlops-team-a', TrackingServerSize: 'Small', AutomaticModelRegistration: false, WeeklyMaintenanceWindowStart: 'Sun:03:00',
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', Match.anyValue(), '/mlflow']] },
    },
    DeletionPolicy: 'Retain',
  });
  t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/cdk-mlops/team-a/experiments/mlflow-tracking-server-arn' });
});

test('the mirror reads only runs that just finished, reports item failures and has a dead-letter queue', () => {
  const t = synth({});
  const mappings = t.findResources('AWS::Lambda::EventSourceMapping');
  const [mapping] = Object.values(mappings).filter((m) => JSON.stringify(m).includes('Stream'));
  expect(mapping.Properties).toMatchObject({ FunctionResponseTypes: ['ReportBatchItemFailures'], MaximumRetryAttempts: 10, StartingPosition: 'LATEST' });
  const pattern = JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern);
  expect(pattern).toEqual({
    eventName: ['MODIFY'],
    dynamodb: { NewImage: { entity: { S: ['RUN'] }, status: { S: ['SUCCEEDED', 'FAILED', 'STOPPED'] } }, OldImage: { status: { S: ['RUNNING'] } } },
  });
  expect(mapping.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
});

test('the mirror may only call MLflow on this server, with the APIs it uses', () => {
  const t = synth({});
  const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
  const mlflow = statements.filter((s) => JSON.stringify(s.Action).includes('sagemaker-mlflow'));
  expect(mlflow).toHaveLength(1);
  expect(mlflow[0].Action.sort()).toEqual(['CreateExperiment', 'CreateRun', 'LogBatch', 'SearchExperiments', 'SearchRuns', 'UpdateRun'].map((a) => `sagemaker-mlflow:${a}`));
  expect(mlflow[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/ExperimentTrackingServer/), 'TrackingServerArn'] });
});

test('bad options fail at synth naming the field, the value and the fix', () => {
  expect(() => synth({ weeklyMaintenanceWindowStart: 'sunday 3am' })).toThrow(/weeklyMaintenanceWindowStart "sunday 3am" is not Ddd:HH:MM; fix: write e.g. "Sun:03:00"/);
  expect(() => synth({ mlflowVersion: 'latest' })).toThrow(/mlflowVersion "latest" is not a version; fix/);
});

test('any valid options synthesize the size and window asked for', () => {
  const day = fc.constantFrom('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun');
  const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  fc.assert(fc.property(fc.constantFrom(...Object.values(TrackingServerSize)), day, hhmm, fc.option(fc.constantFrom('2.13', '2.16.2', '3.0'), { nil: undefined }), (size, d, time, version) => {
    const t = synth({ size, weeklyMaintenanceWindowStart: `${d}:${time}`, mlflowVersion: version });
    t.hasResourceProperties('AWS::SageMaker::MlflowTrackingServer', { TrackingServerSize: size, WeeklyMaintenanceWindowStart: `${d}:${time}`, ...(version ? { MlflowVersion: version } : {}) });
  }), { numRuns: 8 });
});

test('cdk-nag (AwsSolutions) finds nothing unacknowledged', () => {
  const findings = nagFindings((app) => { new MlopsPlatformStack(app, 'Platform', { experimentTracking: {} }); });
  expect(findings.filter((f) => /ExperimentTracking/.test(f.path)).map((f) => `${f.ruleId} ${f.path}`)).toEqual([]);
});

describe('training jobs may log to the server themselves', () => {
  const example = loadModelSpec(join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml'));
  const mlflowStatements = (t: Template) => Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p).includes('TrainingRole'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .filter((s: { Action: unknown }) => JSON.stringify(s.Action).includes('sagemaker-mlflow:LogBatch'));

  test('one stack: the job gets MLFLOW_TRACKING_URI and its experiment, and its role may log there', () => {
    const t = Template.fromStack(new MlopsPlatformStack(testApp(), 'Platform', { models: [example], experimentTracking: {}, platformName: 'team-a' }));
    const definitions = JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'));
    expect(definitions).toContain('MLFLOW_TRACKING_URI');
    expect(definitions).toContain('team-a/demand-forecast');
    expect(mlflowStatements(t)).toHaveLength(1);
  });

  test('a stack per model: the model stack names the server by the platform name', () => {
    const stacks = new MlopsPlatformStacks(testApp(), { models: [example], experimentTracking: {}, platformName: 'team-a' });
    const t = Template.fromStack(stacks.modelStacks[0]);
    const definitions = JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'));
    expect(definitions).toContain('MLFLOW_TRACKING_URI');
    expect(definitions).toContain(':mlflow-tracking-server/mlops-team-a');
    expect(mlflowStatements(t)).toHaveLength(1);
  });

  test('without tracking, jobs get no MLflow variables', () => {
    const t = Template.fromStack(new MlopsPlatformStack(testApp(), 'Platform', { models: [example] }));
    expect(JSON.stringify(t.findResources('AWS::StepFunctions::StateMachine'))).not.toContain('MLFLOW_');
  });
});
