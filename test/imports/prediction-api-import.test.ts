import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { MlopsMonitoring } from '../../lib/monitoring/mlops-monitoring';
import { PredictionApi } from '../../lib/prediction-api/prediction-api';
import { PredictionStore } from '../../lib/prediction-store/prediction-store';
import { OTHER_ACCOUNT, agnosticConsumer, alarmOn, alarmProps, consumerRole, importOf, logicalId, producerAndConsumer } from './support';

const MODEL = 'demand-forecast';

function apiIn(stack: Stack): PredictionApi {
  return new PredictionApi(stack, 'Api', {
    registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions'), models: [{ model: MODEL }],
  });
}

/** The execute-api resources of the role's policy, as rendered. */
function invokeResources(stack: Stack): unknown[] {
  const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string; Resource: unknown }>);
  const invoke = statements.filter((s) => s.Action === 'execute-api:Invoke');
  expect(invoke).toHaveLength(1);
  return invoke[0].Resource as unknown[];
}

describe('PredictionApi.fromPredictionApiAttributes (HTTP API)', () => {
  const { producer, consumer } = producerAndConsumer();
  const api = apiIn(producer);
  const imported = PredictionApi.fromPredictionApiAttributes(consumer, 'Api', {
    url: api.url, httpApi: apigwv2.HttpApi.fromHttpApiAttributes(consumer, 'HttpApi', { httpApiId: api.httpApi!.apiId }),
  });
  imported.grantInvoke(consumerRole(consumer));
  alarmOn(consumer, 'Latency', imported.metricPredictionLatency());
  alarmOn(consumer, 'Errors', imported.metricServerErrors());
  new MlopsMonitoring(consumer, 'Monitoring').monitorPredictionApi({ model: MODEL, httpApi: imported.httpApi });
  const apiId = importOf(producer, { Ref: logicalId(producer, 'AWS::ApiGatewayV2::Api', 'Api') });

  test('grantInvoke lets a caller in another stack sign GET and POST /v1/* on the producer\'s API, any stage, nothing else', () => {
    const resources = invokeResources(consumer);
    expect(resources.map((r) => JSON.stringify(r))).toEqual(['GET', 'POST'].map((method) => JSON.stringify({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:execute-api:${'eu-west-1'}:${'111111111111'}:`, apiId, `/*/${method}/v1/*`]],
    })));
  });

  test('latency and 5xx of the producer\'s HTTP API (ApiId dimension; p99 ms per minute)', () => {
    expect(alarmProps(consumer, 'Latency')).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: 'Latency', ExtendedStatistic: 'p99', Period: 60, Dimensions: [{ Name: 'ApiId', Value: apiId }] });
    expect(alarmProps(consumer, 'Errors')).toMatchObject({ MetricName: '5xx', Statistic: 'Sum', Dimensions: [{ Name: 'ApiId', Value: apiId }] });
  });

  test('the construct\'s own grant is the same shape (the import changes only where the API id comes from)', () => {
    const stack = new Stack(undefined, 'Own', { env: { account: '111111111111', region: 'eu-west-1' } });
    const own = apiIn(stack);
    own.grantInvoke(consumerRole(stack));
    expect(JSON.stringify(invokeResources(stack))).toContain('/*/POST/v1/*');
  });

  test('MlopsMonitoring watches the imported API as it watches its own', () => {
    const names = Object.values(Template.fromStack(consumer).findResources('AWS::CloudWatch::Alarm'))
      .map((a) => String(a.Properties.AlarmName)).filter((n) => n.startsWith(`Consumer-${MODEL}-`)).sort();
    expect(names).toEqual(['FallbackRate', 'LatencyP95AboveSlo', 'LatencyP99AboveSlo', 'ProductionVersionReadFailures', 'ServerErrorRate'].map((id) => `Consumer-${MODEL}-${id}`));
  });
});

describe('an imported REST prediction API of another account, in an environment-agnostic stack', () => {
  const stack = agnosticConsumer();
  const restApi = apigw.RestApi.fromRestApiAttributes(stack, 'Rest', { restApiId: 'a1b2c3d4e5', rootResourceId: 'r00t', restApiName: 'predictions' });
  const imported = PredictionApi.fromPredictionApiAttributes(stack, 'Api', {
    url: 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/', restApi, account: OTHER_ACCOUNT, region: 'us-east-1',
  });
  imported.grantInvoke(consumerRole(stack));

  test('grantInvoke names the API\'s own account and region', () => {
    expect(invokeResources(stack).map((r) => JSON.stringify(r))).toEqual(['GET', 'POST'].map((method) => JSON.stringify({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:execute-api:us-east-1:${OTHER_ACCOUNT}:a1b2c3d4e5/*/${method}/v1/*`]],
    })));
  });

  test('REST metrics use the ApiName dimension and 5XXError, read in the API\'s account', () => {
    const errors = imported.metricServerErrors();
    expect([errors.metricName, errors.dimensions, errors.account, errors.region]).toEqual(['5XXError', { ApiName: 'predictions' }, OTHER_ACCOUNT, 'us-east-1']);
  });

  test('needs exactly one of httpApi and restApi', () => {
    expect(() => PredictionApi.fromPredictionApiAttributes(stack, 'Neither', { url: 'https://x' }))
      .toThrow(/needs exactly one of httpApi and restApi, but neither was provided/);
    expect(() => PredictionApi.fromPredictionApiAttributes(stack, 'Both', { url: 'https://x', restApi, httpApi: apigwv2.HttpApi.fromHttpApiAttributes(stack, 'H', { httpApiId: 'h1' }) }))
      .toThrow(/needs exactly one of httpApi and restApi, but both were provided/);
  });
});
