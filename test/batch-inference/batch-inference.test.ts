import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambdaFn from 'aws-cdk-lib/aws-lambda';
import { BatchInference, BatchInferenceProps } from '../../lib/batch-inference';
import { DataLake } from '../../lib/data-lake';
import { ModelRegistry } from '../../lib/model-registry';
import { PredictionStore } from '../../lib/prediction-store';
import { nagFindings, testApp } from '../support/cdk';

function build(stack: Stack, extra: Partial<BatchInferenceProps> = {}) {
  return new BatchInference(stack, 'Batch', {
    model: 'demand-forecast', categories: ['books', 'games'],
    dataLake: new DataLake(stack, 'DataLake'), registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions'),
    ...extra,
  });
}

function definitionOf(t: Template): Record<string, any> {
  const sm = Object.values(t.findResources('AWS::StepFunctions::StateMachine'))[0] as { Properties: { DefinitionString: unknown } };
  // Replace intrinsic functions by placeholders: the structure is what is asserted here.
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '111111111111' };
  const flat = (v: unknown): string => typeof v === 'string' ? v
    : Array.isArray(v) ? v.map(flat).join('')
      : pseudo[(v as { Ref?: string }).Ref ?? ''] ?? 'resolved-token';
  const def = sm.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] };
  return JSON.parse(def['Fn::Join'][1].map(flat).join(''));
}

describe('BatchInference', () => {
  let template: Template;
  let def: Record<string, any>;
  beforeAll(() => {
    const stack = new Stack(testApp(), 'S');
    build(stack, { schedule: events.Schedule.cron({ hour: '5', minute: '0' }) });
    template = Template.fromStack(stack);
    def = definitionOf(template);
  });

  test('a Standard state machine with full logging and tracing', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('the definition is valid ASL', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const validate = require('asl-validator') as (d: unknown) => { isValid: boolean; errors: unknown[] };
    const res = validate(def);
    expect(res.errors).toEqual([]);
    expect(res.isValid).toBe(true);
  });

  test('resolves versions, then scores categories (skipping when none has a production version)', () => {
    expect(def.StartAt).toBe('ResolveVersions');
    expect(def.States.ResolveVersions.Next).toBe('AnythingToScore');
    expect(def.States.AnythingToScore.Choices[0]).toMatchObject({ Variable: '$.resolved.targets[0]', IsPresent: true, Next: 'ScoreCategories' });
    expect(def.States.AnythingToScore.Default).toBe('NothingToScore');
  });

  test('scores with the version\'s own image in score mode: network isolation, KMS on volume and output', () => {
    const inner = def.States.ScoreCategories.ItemProcessor;
    expect(inner.ProcessorConfig).toMatchObject({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    const score = inner.States.Score;
    expect(score.Resource).toMatch(/sagemaker:createTrainingJob\.sync$/);
    expect(score.Parameters).toMatchObject({
      EnableNetworkIsolation: true,
      AlgorithmSpecification: { 'TrainingImage.$': '$.image', TrainingInputMode: 'File' },
      Environment: { MLOPS_MODE: 'score', 'MLOPS_MODEL.$': '$.model', 'MLOPS_CATEGORY.$': '$.category', 'MLOPS_MODEL_VERSION.$': '$.versionLabel', 'MLOPS_EXECUTION_DATE.$': '$.executionDate' },
    });
    expect(score.Parameters.InputDataConfig.map((c: { ChannelName: string }) => c.ChannelName)).toEqual(['model', 'scoring']);
    expect(score.Parameters.ResourceConfig.VolumeKmsKeyId).toBeDefined();
    expect(score.Parameters.OutputDataConfig.KmsKeyId).toBeDefined();
    expect(inner.States.Score.Next).toBe('ExtractPredictions');
  });

  test('every scoring attempt gets a new job name; a category that still fails is caught, the others go on', () => {
    const inner = def.States.ScoreCategories.ItemProcessor;
    const score = inner.States.Score;
    // Evaluated in the Task's own Parameters, so a Retry and a redrive get a fresh suffix.
    expect(score.Parameters['TrainingJobName.$']).toBe("States.Format('{}-{}', $.jobBase, States.ArrayGetItem(States.StringSplit(States.UUID(), '-'), 0))");
    expect(score.Retry).toEqual([
      expect.objectContaining({ ErrorEquals: expect.arrayContaining(['SageMaker.ResourceLimitExceeded', 'SageMaker.ThrottlingException']), IntervalSeconds: 60, MaxAttempts: 4 }),
      expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 1 }),
    ]);
    for (const state of ['Score', 'ExtractPredictions', 'LoadPredictions', 'RecordLoad']) {
      expect(inner.States[state].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RecordScoringFailure' }]);
    }
    // The registry hears of the failure (the promotion waiting for it says why), then the outcome is reported.
    expect(inner.States.RecordScoringFailure).toMatchObject({ Next: 'CategoryFailed', ResultPath: null, Catch: [{ ErrorEquals: ['States.ALL'], Next: 'CategoryFailed' }] });
    expect(inner.States.CategoryFailed.Parameters).toMatchObject({ status: 'FAILED', 'error.$': '$.failure.Error', 'cause.$': '$.failure.Cause' });
    expect(def.States.ScoreCategories.Next).toBe('CollectOutcomes');
    expect(def.States.AllCategoriesScored.Default).toBe('Done');
    expect(def.States.AllCategoriesScored.Choices[0].Next).toBe('CategoriesFailed');
  });

  test('loads every part file with a Distributed Map reading the S3 listing, one loader call per part with retries', () => {
    const load = def.States.ScoreCategories.ItemProcessor.States.LoadPredictions;
    expect(load.ItemReader).toMatchObject({ Resource: expect.stringMatching(/s3:listObjectsV2$/), Parameters: { 'Prefix.$': "States.Format('{}part-', $.partsPrefix)" } });
    expect(load.ItemSelector).toMatchObject({ 'key.$': '$$.Map.Item.Value.Key', 'version.$': '$.version', 'generatedAt.$': '$.generatedAt' });
    // No failed part is tolerated (0 is the ASL default, so CDK omits it).
    expect(load.ToleratedFailurePercentage ?? 0).toBe(0);
    expect(load.MaxConcurrency).toBe(10);
    const loadPart = load.ItemProcessor.States.LoadPart;
    expect(loadPart.Retry).toEqual(expect.arrayContaining([expect.objectContaining({ ErrorEquals: ['LoadIncompleteError', 'States.Timeout', 'Sandbox.Timedout', 'Lambda.TooManyRequestsException'], JitterStrategy: 'FULL' })]));
    // Only a two-number summary per part flows back: no state grows with the size of the day.
    expect(loadPart.ResultSelector).toEqual({ 'written.$': '$.Payload.written', 'failed.$': '$.Payload.failed' });
    expect(load.ResultPath).toBeNull();
  });

  test('a part\'s timeouts and retries fit its child execution: Standard children, LoadPart timeout above the loader\'s', () => {
    const load = def.States.ScoreCategories.ItemProcessor.States.LoadPredictions;
    // Express children end after 5 minutes, whatever the retries still pending.
    expect(load.ItemProcessor.ProcessorConfig).toMatchObject({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    const loader = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('load predictions with TTL') } }))[0] as { Properties: { Timeout: number } };
    expect(load.ItemProcessor.States.LoadPart.TimeoutSeconds).toBeGreaterThan(loader.Properties.Timeout);
  });

  test('the loader gets the table and the TTL, and may only write predictions', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('load predictions with TTL'),
      Environment: { Variables: Match.objectLike({ MLOPS_PREDICTION_TTL_HOURS: '72', MLOPS_PREDICTIONS_TABLE: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:DescribeTable'] })]) },
    });
  });

  test('the scoring role is assumed by SageMaker and carries no managed FullAccess policy', () => {
    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] } } });
    expect(Object.keys(roles)).toHaveLength(1);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/FullAccess/);
  });

  test('runs on its own schedule with the event date as execution date', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 5 * * ? *)',
      Targets: [Match.objectLike({ InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('"executionDate":<time>'), InputPathsMap: { time: '$.time' } }) })],
    });
  });

  test.each([
    [{ model: 'Bad_Name' }, /model "Bad_Name" is invalid: use 1-63 characters/],
    [{ categories: ['ok', 'b#d'] }, /categories\[1\] "b#d" is invalid/],
    [{ predictionTtl: Duration.minutes(5) }, /predictionTtl must be between 1 hour and 90 days, but 5 minutes was provided/],
    [{ loadConcurrency: 0 }, /loadConcurrency must be a whole number between 1 and 1000, but 0 was provided/],
    [{ maxInvalidPredictionShare: 1.5 }, /maxInvalidPredictionShare must be at least 0 and below 1 .* but 1.5 was provided/],
  ])('rejects %j', (extra, message) => {
    expect(() => build(new Stack(testApp(), 'S'), extra as Partial<BatchInferenceProps>)).toThrow(message);
  });

  test('cdk-nag clean (acknowledged findings carry reasons)', () => {
    expect(nagFindings((app) => build(new Stack(app, 'S')))).toEqual([]);
  });
});

describe('BatchInference drift step', () => {
  test('computes drift after loading each category, and a drift failure does not fail the batch', () => {
    const stack = new Stack(testApp(), 'S');
    const driftFn = new lambdaFn.Function(stack, 'Drift', { runtime: lambdaFn.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambdaFn.Code.fromInline('exports.handler=async()=>({})') });
    build(stack, { driftFunction: driftFn });
    const child = definitionOf(Template.fromStack(stack)).States.ScoreCategories.ItemProcessor;
    expect(child.States.LoadPredictions.Next).toBe('RecordLoad');
    expect(child.States.RecordLoad.Next).toBe('ComputeDrift');
    expect(child.States.ComputeDrift).toMatchObject({
      Next: 'CategoryDone',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.driftError', Next: 'CategoryDone' }],
      Parameters: { Payload: { 'model.$': '$.model', 'category.$': '$.category', 'executionDate.$': '$.executionDate' } },
    });
  });

  test('without a drift function, loading goes straight to the category summary', () => {
    const stack = new Stack(testApp(), 'S');
    build(stack);
    const child = definitionOf(Template.fromStack(stack)).States.ScoreCategories.ItemProcessor;
    expect(child.States.LoadPredictions.Next).toBe('RecordLoad');
    expect(child.States.RecordLoad.Next).toBe('CategoryDone');
    expect(child.States.ComputeDrift).toBeUndefined();
  });
});

describe('BatchInference two-phase promotion', () => {
  test('a Model Promoted event that needs scoring starts exactly that category and version', () => {
    const stack = new Stack(testApp(), 'S');
    build(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['cdk-mlops.registry'], 'detail-type': ['Model Promoted'], 'detail': { model: ['demand-forecast'], scoring: ['NEEDED'] } },
      Targets: [Match.objectLike({
        InputTransformer: {
          InputPathsMap: { 'time': '$.time', 'detail-category': '$.detail.category', 'detail-toVersion': '$.detail.toVersion' },
          InputTemplate: '{"model":"demand-forecast","executionDate":<time>,"categories":[<detail-category>],"version":<detail-toVersion>}',
        },
      })],
    });
  });

  test('scoreOnPromotion: false leaves promotions to `mlops score`', () => {
    const stack = new Stack(testApp(), 'S');
    build(stack, { scoreOnPromotion: false });
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'detail-type': ['Model Promoted'] }) }, 0);
  });

  test('the four steps share one role: it writes the registry (served pointer), this model\'s prediction files and the predictions table, nothing the training pipeline owns', () => {
    const stack = new Stack(testApp(), 'S');
    build(stack);
    const t = Template.fromStack(stack);
    const functions = Object.values(t.findResources('AWS::Lambda::Function')) as Array<{ Properties: { Role: unknown } }>;
    expect(functions).toHaveLength(4);
    for (const f of functions) expect(f.Properties.Role).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BatchFunctionRole/), 'Arn'] });
    const policies = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('BatchFunctionRole'));
    expect(policies).toHaveLength(1);
    const statements = (policies[0][1] as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } } }).Properties.PolicyDocument.Statement;
    const writes = statements.filter((st) => [st.Action].flat().some((a) => /^(s3:Put|s3:Delete|dynamodb:(Put|Update|BatchWrite|Delete))/.test(a)));
    const targets = writes.flatMap((st) => [st.Resource].flat().map((r) => JSON.stringify(r)));
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(target).toMatch(/"Registry|"Predictions[0-9A-F]{8}"|DataLakePredictionsBucket.*\/demand-forecast\/\*/);
    expect(JSON.stringify(statements)).not.toMatch(/DatasetsBucket|ArtifactsBucket/);
  });
});
