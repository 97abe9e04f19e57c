import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { MlopsPlatformStacks } from '../../lib/platform/mlops-platform-stacks';
import { MlopsModelStack } from '../../lib/platform/mlops-model-stack';
import { nagFindings } from '../support/cdk';
import { LocalStateMachine } from '../../local/asl';
import { trainingConfigFromTemplate } from '../../local/pipelines/training-handlers';
import { asOfJoinSql, unloadSql } from '../../lib/feature-store/as-of-query';
import { specWith } from '../spec/fixtures';
import { FEATURES } from './features-spec';

const ENV = { account: '123456789012', region: 'eu-west-1' };

function synth(overrides: Record<string, unknown>): { template: Template; resources: number } {
  let stacks: MlopsPlatformStacks | undefined;
  expect(nagFindings((app) => { stacks = new MlopsPlatformStacks(app, { models: [specWith(overrides, 'churn')], stackProps: { env: ENV } }); })).toEqual([]);
  const stack = stacks!.modelStacks[0];
  const json = (stack.node.root as App).synth().getStackByName(stack.stackName).template;
  return { template: Template.fromJSON(json), resources: Object.keys(json.Resources).length };
}

const withFeatures = synth({ features: FEATURES, data: { ingestion: { every: '6h', command: ['python3', 'ingest.py'], triggersTraining: true } } });

describe('feature store in a model stack', () => {
  test('a spec without features creates no feature group, workgroup or query step (and is AwsSolutions-clean)', () => {
    const { template } = synth({});
    template.resourceCountIs('AWS::SageMaker::FeatureGroup', 0);
    template.resourceCountIs('AWS::Athena::WorkGroup', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('QueryFeatures');
  });

  test('each group has an Iceberg offline store under feature-store/<group>/ of the datasets bucket, encrypted with the data lake key', () => {
    const groups = withFeatures.template.findResources('AWS::SageMaker::FeatureGroup');
    expect(Object.values(groups).map((g) => g.Properties.FeatureGroupName).sort()).toEqual(['churn-labels', 'customer-profile']);
    withFeatures.template.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      FeatureGroupName: 'customer-profile', RecordIdentifierFeatureName: 'customer_id', EventTimeFeatureName: 'event_time',
      FeatureDefinitions: Match.arrayWith([{ FeatureName: 'spend_30d', FeatureType: 'Fractional' }]),
      OfflineStoreConfig: {
        S3StorageConfig: { S3Uri: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['/feature-store/customer-profile/'])] }), KmsKeyId: Match.anyValue() },
        TableFormat: 'Iceberg',
        DataCatalogConfig: { Catalog: 'AwsDataCatalog', Database: 'sagemaker_featurestore', TableName: 'customer_profile' },
      },
      OnlineStoreConfig: { EnableOnlineStore: true, SecurityConfig: { KmsKeyId: Match.anyValue() } },
    });
    const keys = Object.values(groups).map((g) => JSON.stringify(g.Properties.OfflineStoreConfig.S3StorageConfig.KmsKeyId));
    expect(keys.every((k) => k === keys[0] && k !== undefined)).toBe(true);
    withFeatures.template.hasResourceProperties('AWS::SageMaker::FeatureGroup', { FeatureGroupName: 'churn-labels', OnlineStoreConfig: Match.absent() });
  });

  test('the offline-store role writes only its group\'s prefix and its Glue table', () => {
    const policies = Object.values(withFeatures.template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p).includes('glue:CreateTable'));
    expect(policies).toHaveLength(2);
    const text = JSON.stringify(policies.find((p) => JSON.stringify(p).includes('customer_profile')));
    expect(text).toContain('/feature-store/customer-profile/*');
    expect(text).not.toContain('churn-labels');
    expect(text).not.toMatch(/"Resource":"\*"/);
  });

  test('the ingestion job may put records into the groups ', () => {
    withFeatures.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sagemaker:PutRecord', Resource: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':feature-group/')])] }) })]) },
    });
  });

  test('each branch queries the offline store first, then validates the result, then starts the run: an Athena UNLOAD into the run\'s input prefix, in a workgroup with KMS results and a scan limit', () => {
    withFeatures.template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'churn-features',
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true, BytesScannedCutoffPerQuery: 100 * 1024 ** 3,
        ResultConfiguration: { OutputLocation: Match.anyValue(), EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() } },
      }),
    });
    const { StartAt, States: states } = branch(withFeatures.template);
    expect(StartAt).toBe('FeatureSetLocation');
    expect(states.RunFeatureSet.Next).toBe('QueryFeatures');
    expect(states.ExperimentFeatureSet.Next).toBe('QueryFeatures');
    expect(states.QueryFeatures).toMatchObject({ Resource: 'arn:<partition>:states:::athena:startQueryExecution.sync', Parameters: { WorkGroup: 'churn-features' }, Next: 'ValidateData' });
    expect(states.QueryFeatures.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'RecordRejectedData' }]);
    expect(states.QueryFeatures.Parameters['QueryString.$']).toMatch(/^States\.Format\('UNLOAD \( WITH .* TO \\'s3:\/\/\{\}\/\{\}input\/training\/\\' WITH \(format = \\'JSON\\'\)', \$\.referenceTime, \$\.category, \$\.featureSet\.bucket, \$\.featureSet\.runPrefix\)$/);
    expect(states.ValidateData.Next).toBe('StartRun');
    expect(states.StartRun.Next).toBe('NameTrainingJob');
  });

  test.each([
    [false, 'runs/churn/r1/'],
    [true, 'experiments/churn/r1/'],
  ])('run by a Step Functions interpreter (experiment %s), the query is exactly the generated SQL for the run, written under %s', async (experiment, runPrefix) => {
    const { States: states } = branch(withFeatures.template);
    const { Catch: _, ...query } = states.QueryFeatures;
    const bucketPass = (p: any) => ({ ...p, Parameters: { ...p.Parameters, bucket: 'artifacts' } });
    const definition = {
      StartAt: 'FeatureSetLocation',
      States: {
        FeatureSetLocation: states.FeatureSetLocation,
        RunFeatureSet: bucketPass(states.RunFeatureSet),
        ExperimentFeatureSet: bucketPass(states.ExperimentFeatureSet),
        QueryFeatures: { ...query, Resource: 'arn:aws:states:::athena:startQueryExecution.sync', Next: undefined, End: true },
      },
    };
    const queries: string[] = [];
    const machine = new LocalStateMachine(definition, { handlers: { QueryFeatures: (input) => { queries.push(input.QueryString); return {}; } } });
    // A backfill: the labels cutoff is the execution's reference time (the end of its date), not when it runs.
    const item = { model: 'churn', category: 'retail', runId: 'r1', experiment, referenceTime: '2026-11-24T23:59:59.999Z' };
    const outcome = await machine.start(item).outcome;
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { ...item, featureSet: { bucket: 'artifacts', runPrefix } } });
    const [sql] = queries;
    const cutoff = /from_iso8601_timestamp\('([^']+)'\)\s*\)/.exec(sql)![1];
    expect(cutoff).toBe(item.referenceTime);
    const f = specWith({ features: FEATURES }, 'churn').features!;
    const expected = unloadSql(asOfJoinSql({
      labels: { database: 'sagemaker_featurestore', table: 'churn_labels', recordIdentifier: 'customer_id', eventTime: 'event_time', columns: f.training!.columns, categoryColumn: 'segment' },
      joins: f.training!.join.map((j) => ({ database: 'sagemaker_featurestore', table: j.group.replace(/-/g, '_'), key: j.key, recordIdentifier: j.recordIdentifier, eventTime: j.eventTime, features: j.features })),
    }, { cutoff, category: 'retail' }), `s3://artifacts/${runPrefix}input/training/`);
    expect(sql).toBe(expected.replace(/\s*\n\s*/g, ' '));
  });

  test('ValidateData checks the query result: the training set\'s columns typed from the feature definitions (joined features nullable, another model\'s unchecked), maxAge on the labels\' event time', () => {
    const config = trainingConfigFromTemplate(withFeatures.template.toJSON());
    expect(config.channelInRun).toBe('input/training/');
    expect(config.validation).toMatchObject({
      format: 'jsonl',
      eventTimeColumn: 'event_time',
      columns: [
        { name: 'customer_id', type: 'string', nullable: false },
        { name: 'event_time', type: 'timestamp', nullable: false },
        { name: 'churned', type: 'integer', nullable: false },
        { name: 'spend_30d', type: 'number', nullable: true },
        { name: 'visits_7d', type: 'integer', nullable: true },
      ],
    });
  });

  test('the pipeline functions\' role may read (and decrypt) the run prefixes the query writes to, for ValidateData', () => {
    const policies = Object.entries(withFeatures.template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes('TrainingFunctionRole'));
    const text = JSON.stringify(policies.map(([, p]) => p.Properties.PolicyDocument));
    expect(text).toMatch(/"s3:GetObject".*\/runs\/churn\/\*/);
    expect(text).toMatch(/\/experiments\/churn\/\*/);
    expect(text).toContain('kms:Decrypt');
  });

  test('the state machine may use its workgroup and read the joined groups\' offline stores, and no other table', () => {
    const text = JSON.stringify(withFeatures.template.findResources('AWS::IAM::Policy'));
    expect(text).toContain('workgroup/churn-features');
    expect(text).toMatch(/table\/sagemaker_featurestore\/store_stats/);
    expect(text).not.toMatch(/table\/sagemaker_featurestore\/\*/);
    expect(text).toContain('/feature-store/store-stats/*');
  });

  test(`stays within the model stack's resource budget (${MlopsModelStack.RESOURCE_BUDGET})`, () => {
    expect(withFeatures.resources).toBeLessThanOrEqual(MlopsModelStack.RESOURCE_BUDGET);
  });
});

/** A category's branch in the training state machine (tokens as placeholders). */
function branch(template: Template): { StartAt: string; States: Record<string, any> } {
  const [sm] = Object.values(template.findResources('AWS::StepFunctions::StateMachine')).filter((r) => JSON.stringify(r).includes('QueryFeatures'));
  const parts = sm.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p).includes('AWS::Partition') ? '<partition>' : '<token>')).join('');
  const definition = JSON.parse(text);
  return definition.States.TrainCategories.ItemProcessor;
}
