import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DataLake } from '../../lib/data-lake/data-lake';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { MlopsMonitoring } from '../../lib/monitoring/mlops-monitoring';
import { MetricDirection, TrainingBackend, TrainingImage, TrainingPipeline } from '../../lib/training-pipeline';
import { ENV, OTHER_ACCOUNT, agnosticConsumer, alarmOn, alarmProps, consumerRole, expectGrant, importOf, logicalId, producerAndConsumer } from './support';

const MODEL = 'demand-forecast';

function trainingIn(stack: Stack): TrainingPipeline {
  return new TrainingPipeline(stack, 'Training', {
    modelName: MODEL,
    categories: ['books'],
    dataLake: new DataLake(stack, 'DataLake'),
    registry: new ModelRegistry(stack, 'Registry'),
    backend: TrainingBackend.sageMaker({ image: TrainingImage.fromRegistry(`${ENV.account}.dkr.ecr.${ENV.region}.amazonaws.com/demand@sha256:abc`) }),
    evaluation: { metric: 'rmse', direction: MetricDirection.MINIMIZE },
  });
}

describe('TrainingPipeline.fromTrainingPipelineAttributes', () => {
  const { producer, consumer } = producerAndConsumer();
  const pipeline = trainingIn(producer);
  const imported = TrainingPipeline.fromTrainingPipelineAttributes(consumer, 'Training', {
    modelName: pipeline.modelName, stateMachineArn: pipeline.stateMachine.stateMachineArn,
  });
  const role = consumerRole(consumer);
  imported.grantStartExecution(role);
  imported.grantApprove(role);
  alarmOn(consumer, 'ExecutionsFailed', imported.metricExecutionsFailed());
  alarmOn(consumer, 'RunsFailed', imported.metricRunsFailed({ category: 'books' }));
  new MlopsMonitoring(consumer, 'Monitoring').monitorTrainingPipeline({ model: imported.modelName, stateMachine: imported.stateMachine });
  const smArn = importOf(producer, { Ref: logicalId(producer, 'AWS::StepFunctions::StateMachine', 'Training') });

  test('another stack of the app starts executions and approves versions of the producer\'s state machine', () => {
    expectGrant(consumer, 'states:StartExecution', smArn);
    expectGrant(consumer, ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'], smArn);
  });

  test('execution metrics carry the producer\'s state machine ARN; run metrics the model name', () => {
    expect(alarmProps(consumer, 'ExecutionsFailed')).toMatchObject({
      Namespace: 'AWS/States', MetricName: 'ExecutionsFailed', Statistic: 'Sum', Dimensions: [{ Name: 'StateMachineArn', Value: smArn }],
    });
    expect(alarmProps(consumer, 'RunsFailed')).toMatchObject({
      Namespace: 'CdkMlops', MetricName: 'TrainingRunsFailed', Statistic: 'Sum',
      Dimensions: [{ Name: 'Category', Value: 'books' }, { Name: 'Model', Value: MODEL }],
    });
  });

  test('MlopsMonitoring watches the imported pipeline as it watches its own', () => {
    const alarms = Template.fromStack(consumer).findResources('AWS::CloudWatch::Alarm');
    const names = Object.values(alarms).map((a) => String(a.Properties.AlarmName)).filter((n) => n.startsWith(`Consumer-${MODEL}-`)).sort();
    expect(names).toEqual([`Consumer-${MODEL}-NoSuccessfulRun`, `Consumer-${MODEL}-PipelineDurationOverBudget`, `Consumer-${MODEL}-TrainingFailed`]);
    for (const a of Object.values(alarms).filter((a) => names.includes(a.Properties.AlarmName))) {
      expect(JSON.stringify(a.Properties)).toContain(JSON.stringify(smArn));
    }
  });

  test('the import adds no resource of its own', () => {
    const types = Object.values(Template.fromStack(consumer).toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
    expect(types).not.toContain('AWS::StepFunctions::StateMachine');
  });
});

describe('an imported training pipeline of another account, in an environment-agnostic stack', () => {
  const stack = agnosticConsumer();
  const arn = `arn:aws:states:us-east-1:${OTHER_ACCOUNT}:stateMachine:training-demand`;
  const imported = TrainingPipeline.fromTrainingPipelineAttributes(stack, 'Training', { modelName: MODEL, stateMachineArn: arn });
  imported.grantStartExecution(consumerRole(stack));

  test('grants on the literal ARN; metrics are read from the pipeline\'s account when the options name it', () => {
    expectGrant(stack, 'states:StartExecution', arn);
    const metric = imported.metricExecutionsFailed({ account: OTHER_ACCOUNT, region: 'us-east-1' });
    expect(metric.dimensions).toEqual({ StateMachineArn: arn });
    expect([metric.account, metric.region]).toEqual([OTHER_ACCOUNT, 'us-east-1']);
  });

  test('rejects a malformed ARN and a model name the platform would not accept, naming the field', () => {
    expect(() => TrainingPipeline.fromTrainingPipelineAttributes(stack, 'Bad1', { modelName: MODEL, stateMachineArn: 'training-demand' }))
      .toThrow(/stateMachineArn must be an ARN like arn:aws:states:<region>:<account>:stateMachine:<name>, but "training-demand" was provided/);
    expect(() => TrainingPipeline.fromTrainingPipelineAttributes(stack, 'Bad2', { modelName: 'Demand Forecast', stateMachineArn: arn }))
      .toThrow(/modelName must be .* but "Demand Forecast" was provided/);
  });
});

