import { Stack } from 'aws-cdk-lib';
import { BatchInference } from '../../lib/batch-inference/batch-inference';
import { DataLake } from '../../lib/data-lake/data-lake';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { PredictionStore } from '../../lib/prediction-store/prediction-store';
import { OTHER_ACCOUNT, agnosticConsumer, alarmOn, alarmProps, consumerRole, expectGrant, importOf, logicalId, producerAndConsumer } from './support';

const MODEL = 'demand-forecast';

function batchIn(stack: Stack): BatchInference {
  return new BatchInference(stack, 'Batch', {
    model: MODEL, categories: ['books'],
    dataLake: new DataLake(stack, 'DataLake'), registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions'),
  });
}

describe('BatchInference.fromBatchInferenceAttributes', () => {
  const { producer, consumer } = producerAndConsumer();
  const batch = batchIn(producer);
  const imported = BatchInference.fromBatchInferenceAttributes(consumer, 'Batch', { modelName: batch.modelName, stateMachineArn: batch.stateMachine.stateMachineArn });
  imported.grantStartExecution(consumerRole(consumer));
  alarmOn(consumer, 'ExecutionsFailed', imported.metricExecutionsFailed());
  alarmOn(consumer, 'Written', imported.metricPredictionsWritten());
  alarmOn(consumer, 'LoadFailed', imported.metricPredictionsFailed({ category: 'books' }));
  alarmOn(consumer, 'GeneratedAt', imported.metricPredictionsGeneratedAt());
  const smArn = importOf(producer, { Ref: logicalId(producer, 'AWS::StepFunctions::StateMachine', 'Batch') });

  test('another stack of the app may start the producer\'s batch inference', () => {
    expectGrant(consumer, 'states:StartExecution', smArn);
  });

  test('execution metrics name the producer\'s state machine; loader metrics the model ([Model] or [Model, Category])', () => {
    expect(alarmProps(consumer, 'ExecutionsFailed')).toMatchObject({ Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Dimensions: [{ Name: 'StateMachineArn', Value: smArn }] });
    expect(alarmProps(consumer, 'Written')).toMatchObject({ Namespace: 'CdkMlops', MetricName: 'PredictionsWritten', Statistic: 'Sum', Dimensions: [{ Name: 'Model', Value: MODEL }] });
    expect(alarmProps(consumer, 'LoadFailed')).toMatchObject({
      MetricName: 'PredictionsFailed', Dimensions: [{ Name: 'Category', Value: 'books' }, { Name: 'Model', Value: MODEL }],
    });
    // Freshness: the newest batch's generatedAt is the maximum, not a sum.
    expect(alarmProps(consumer, 'GeneratedAt')).toMatchObject({ MetricName: 'PredictionsGeneratedAt', Statistic: 'Maximum' });
  });

  test('the construct and its import publish the same metric series', () => {
    expect(batch.metricPredictionsWritten({ category: 'books' }).dimensions).toEqual(imported.metricPredictionsWritten({ category: 'books' }).dimensions);
  });
});

describe('an imported batch inference of another account, in an environment-agnostic stack', () => {
  const stack = agnosticConsumer();
  const arn = `arn:aws:states:eu-central-1:${OTHER_ACCOUNT}:stateMachine:scoring-demand`;
  const imported = BatchInference.fromBatchInferenceAttributes(stack, 'Batch', { modelName: MODEL, stateMachineArn: arn });
  imported.grantStartExecution(consumerRole(stack));

  test('grants on the literal ARN; metrics from that account when the options name it', () => {
    expectGrant(stack, 'states:StartExecution', arn);
    expect(imported.metricExecutionsSucceeded({ account: OTHER_ACCOUNT }).account).toBe(OTHER_ACCOUNT);
    expect(imported.metricPredictionsWritten({ account: OTHER_ACCOUNT, category: 'books' }).account).toBe(OTHER_ACCOUNT);
  });

  test('rejects an ARN of another service', () => {
    expect(() => BatchInference.fromBatchInferenceAttributes(stack, 'Bad', { modelName: MODEL, stateMachineArn: `arn:aws:lambda:eu-central-1:${OTHER_ACCOUNT}:function:scoring` }))
      .toThrow(/BatchInference.fromBatchInferenceAttributes: stateMachineArn must be an ARN like/);
  });
});
