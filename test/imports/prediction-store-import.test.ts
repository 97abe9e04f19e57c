import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { PredictionStore } from '../../lib/prediction-store/prediction-store';
import { OTHER_ACCOUNT, agnosticConsumer, alarmOn, alarmProps, consumerRole, expectGrant, importOf, logicalId, producerAndConsumer } from './support';

describe('PredictionStore.fromPredictionStoreAttributes', () => {
  const { producer, consumer } = producerAndConsumer();
  const store = new PredictionStore(producer, 'Predictions');
  const imported = PredictionStore.fromPredictionStoreAttributes(consumer, 'Predictions', { tableArn: store.tableArn, encryptionKey: store.encryptionKey });
  const reader = consumerRole(consumer);
  imported.grantReadPredictions(reader);
  alarmOn(consumer, 'Throttles', imported.metricThrottledRequests());
  alarmOn(consumer, 'SystemErrors', imported.metricSystemErrors());
  const tableArn = importOf(producer, { 'Fn::GetAtt': [logicalId(producer, 'AWS::DynamoDB::Table', 'Predictions'), 'Arn'] });
  const keyArn = importOf(producer, { 'Fn::GetAtt': [logicalId(producer, 'AWS::KMS::Key', 'Predictions'), 'Arn'] });

  test('a reader in another stack gets point reads on the producer\'s table and decrypt on its key, nothing more', () => {
    expectGrant(consumer, ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], [tableArn]);
    expectGrant(consumer, 'kms:Decrypt', keyArn);
    const actions = Object.values(Template.fromStack(consumer).findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
    expect(actions.sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'kms:Decrypt']);
  });

  test('table metrics are those of the producer\'s table', () => {
    expect(alarmProps(consumer, 'Throttles')).toMatchObject({ Namespace: 'AWS/DynamoDB', MetricName: 'ThrottledRequests' });
    expect(JSON.stringify(alarmProps(consumer, 'Throttles').Dimensions)).toContain('Fn::ImportValue');
    // System errors: the FILL-summed expression over the operations the table alarms watch.
    expect(alarmProps(consumer, 'SystemErrors').Metrics[0].Expression).toMatch(/^FILL\(systemErrors0, 0\) \+ /);
  });
});

test('an imported table of another account: grants on the literal ARN and the account\'s key', () => {
  const stack = agnosticConsumer();
  const tableArn = `arn:aws:dynamodb:eu-west-1:${OTHER_ACCOUNT}:table/predictions`;
  const keyArn = `arn:aws:kms:eu-west-1:${OTHER_ACCOUNT}:key/0a1b2c3d-0000-1111-2222-333344445555`;
  const imported = PredictionStore.fromPredictionStoreAttributes(stack, 'Predictions', { tableArn, encryptionKey: kms.Key.fromKeyArn(stack, 'Key', keyArn) });
  imported.grantWritePredictions(consumerRole(stack));
  expectGrant(stack, ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:DescribeTable'], [tableArn]);
  expect(imported.tableName).toBe('predictions');
  expect(() => PredictionStore.fromPredictionStoreAttributes(stack, 'Bad', { tableArn: 'predictions', encryptionKey: imported.encryptionKey }))
    .toThrow(/tableArn must be an ARN like arn:aws:dynamodb:<region>:<account>:table\/<name>, but "predictions" was provided/);
});
