import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ModelRegistry } from '../../lib/model-registry';
import { nagFindings, testStack } from '../support/cdk';

function registryStack(props: ConstructorParameters<typeof ModelRegistry>[2] = {}) {
  const stack = testStack();
  const registry = new ModelRegistry(stack, 'Registry', props);
  return { stack, registry, template: Template.fromStack(stack) };
}

describe('ModelRegistry table', () => {
  test('is on-demand, encrypted with a rotating customer key, PITR, deletion protection, streamed and retained', () => {
    const { template } = registryStack();
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('RegistryKey'), 'Arn'] } },
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      }),
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('uses a key that is passed in instead of creating one', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    new ModelRegistry(stack, 'Registry', { encryptionKey: key });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('MyKey'), 'Arn'] } }),
    });
  });

  test('removal policy and deletion protection can be relaxed for ephemeral environments', () => {
    const { template } = registryStack({ removalPolicy: RemovalPolicy.DESTROY, deletionProtection: false });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });
});

describe('ModelRegistry grants', () => {
  function grantTo(fn: (r: ModelRegistry, role: iam.Role) => void) {
    const stack = testStack();
    const registry = new ModelRegistry(stack, 'Registry');
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    fn(registry, role);
    return Template.fromStack(stack);
  }

  const statementsOf = (template: Template) => {
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }] } });
    return Object.values(policies).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } } }).Properties.PolicyDocument.Statement);
  };

  test('grantRead allows reads on the table and its index plus decrypt, and no writes', () => {
    const template = grantTo((r, role) => r.grantRead(role));
    const actions = statementsOf(template).flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'kms:Decrypt']));
    expect(actions).not.toEqual(expect.arrayContaining(['dynamodb:PutItem']));
    expect(actions).not.toContain('kms:Encrypt');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Resource: Match.arrayWith([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Registry'), 'Arn'] }, '/index/*']] }]),
      })]) },
    });
  });

  test('grantRegister and grantPromote allow conditional writes and the key, but never deletes or scans', () => {
    for (const grant of ['grantRegister', 'grantPromote'] as const) {
      const template = grantTo((r, role) => r[grant](role));
      const actions = statementsOf(template).flatMap((s) => ([] as string[]).concat(s.Action));
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem', 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*']));
      expect(actions.filter((a) => /Delete|Scan|BatchWrite|dynamodb:\*/.test(a))).toEqual([]);
    }
  });

  test('an imported registry grants on its ARN and on the given key', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111111111111:key/abcd');
    const registry = ModelRegistry.fromRegistryAttributes(stack, 'Imported', { tableArn: 'arn:aws:dynamodb:us-east-1:111111111111:table/registry', encryptionKey: key });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    registry.grantPromote(role);
    expect(registry.tableName).toBe('registry');
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([
        Match.objectLike({ Resource: ['arn:aws:dynamodb:us-east-1:111111111111:table/registry', 'arn:aws:dynamodb:us-east-1:111111111111:table/registry/index/*'] }),
        Match.objectLike({ Action: Match.arrayWith(['kms:Decrypt']), Resource: 'arn:aws:kms:us-east-1:111111111111:key/abcd' }),
      ]) },
    });
  });

  test('importing a bad ARN fails with the value and the expected form', () => {
    expect(() => ModelRegistry.fromTableArn(testStack(), 'Bad', 'registry'))
      .toThrow(/tableArn must be a DynamoDB table ARN \(arn:aws:dynamodb:<region>:<account>:table\/<name>\), but 'registry' was provided/);
  });
});

describe('ModelRegistry events', () => {
  test('pipes forward version inserts and promotions to the default bus as named events', () => {
    const { template } = registryStack();
    const pipes = template.findResources('AWS::Pipes::Pipe');
    const byType = Object.fromEntries(Object.values(pipes).map((p) => {
      const props = (p as { Properties: Record<string, any> }).Properties;
      return [props.TargetParameters.EventBridgeEventBusParameters.DetailType, props];
    }));
    expect(Object.keys(byType).sort()).toEqual(['Model Promoted', 'Model Version Registered']);
    const registered = byType['Model Version Registered'];
    expect(registered.TargetParameters.EventBridgeEventBusParameters.Source).toBe('cdk-mlops.registry');
    expect(JSON.parse(registered.SourceParameters.FilterCriteria.Filters[0].Pattern))
      .toEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['VERSION'] } } } });
    expect(registered.SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn).toBeDefined();
  });

  test('a custom bus receives the events, and publishing can be turned off', () => {
    const stack = testStack();
    const bus = new events.EventBus(stack, 'Bus');
    new ModelRegistry(stack, 'Registry', { eventBus: bus });
    Template.fromStack(stack).hasResourceProperties('AWS::Pipes::Pipe', { Target: { 'Fn::GetAtt': [Match.stringLikeRegexp('Bus'), 'Arn'] } });
    const { template } = registryStack({ publishEvents: false });
    template.resourceCountIs('AWS::Pipes::Pipe', 0);
    expect(() => new ModelRegistry(testStack(), 'R', { publishEvents: false, eventBus: bus }))
      .toThrow(/eventBus was given but publishEvents is false: drop eventBus, or set publishEvents to true/);
  });
});

describe('ModelRegistry cdk-nag', () => {
  test('has no unacknowledged AwsSolutions findings', () => {
    expect(nagFindings((app) => { new ModelRegistry(new Stack(app, 'RegistryOnly'), 'Registry'); })).toEqual([]);
  });
});
