// #region importing-constructs
import { App, Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { MlopsMonitoring, PredictionApi, TrainingPipeline } from '../../lib';

/** A team's own stack: starts the platform's training of `churn` and calls its prediction API. */
export function consumerStack(app: App): Stack {
  const stack = new Stack(app, 'ChurnConsumer', { env: { account: '111111111111', region: 'eu-west-1' } });
  const training = TrainingPipeline.fromTrainingPipelineAttributes(stack, 'Training', {
    modelName: 'churn',
    stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:churn-training',
  });
  const api = PredictionApi.fromPredictionApiAttributes(stack, 'Api', {
    url: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com',
    httpApi: apigwv2.HttpApi.fromHttpApiAttributes(stack, 'HttpApi', { httpApiId: 'a1b2c3d4e5' }),
  });
  const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  training.grantStartExecution(caller); // states:StartExecution on that state machine
  api.grantInvoke(caller); // execute-api:Invoke on GET and POST /v1/*
  // The platform's alarms, on the imported pieces; or any metric method in your own alarms.
  const monitoring = new MlopsMonitoring(stack, 'Monitoring');
  monitoring.monitorTrainingPipeline({ model: training.modelName, stateMachine: training.stateMachine });
  monitoring.monitorPredictionApi({ model: 'churn', httpApi: api.httpApi });
  return stack;
}
// #endregion importing-constructs

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { pageSnippet, testedRegion } from '../docs/snippets';
import { testApp } from '../support/cdk';

test('the README\'s import example is this tested code', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  expect(pageSnippet('importing-constructs', readme)).toEqual(testedRegion(readFileSync(__filename, 'utf8'), 'importing-constructs'));
});

test('the example grants what its comments say and monitors the imported pieces', () => {
  const template = Template.fromStack(consumerStack(testApp()));
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
  expect(statements.map((s: { Action: string }) => s.Action).sort()).toEqual(['execute-api:Invoke', 'states:StartExecution']);
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => String(a.Properties.AlarmName));
  expect(alarms).toEqual(expect.arrayContaining(['ChurnConsumer-churn-TrainingFailed', 'ChurnConsumer-churn-LatencyP99AboveSlo', 'ChurnConsumer-churn-FallbackRate']));
});
