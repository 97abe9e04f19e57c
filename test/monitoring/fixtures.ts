import { Stack } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Template } from 'aws-cdk-lib/assertions';

// Imported stand-ins for the constructs other issues build: MlopsMonitoring only needs their
// L2 interfaces, so the tests (and cdk-nag) see only what monitoring itself creates.
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

export const env = { account: ACCOUNT, region: REGION };

export function pipeline(stack: Stack, name: string): sfn.IStateMachine {
  return sfn.StateMachine.fromStateMachineArn(stack, `Sm-${name}`, `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`);
}

export function targetGroup(stack: Stack): elbv2.IApplicationTargetGroup {
  return elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Tg', {
    targetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/demand/0123456789abcdef`,
    loadBalancerArns: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/demand/fedcba9876543210`,
  });
}

export function loadBalancer(stack: Stack): elbv2.IApplicationLoadBalancer {
  return elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Lb', {
    loadBalancerArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/demand/fedcba9876543210`,
    securityGroupId: 'sg-12345678',
  });
}

export function service(stack: Stack): ecs.IBaseService {
  const cluster = ecs.Cluster.fromClusterArn(stack, 'Cluster', `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/mlops`);
  return ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', { cluster, serviceName: 'demand-predict' });
}

export function httpApi(stack: Stack): apigwv2.IHttpApi {
  return apigwv2.HttpApi.fromHttpApiAttributes(stack, 'Api', { httpApiId: 'abc123' });
}

export function predictFunction(stack: Stack): lambda.IFunction {
  return lambda.Function.fromFunctionName(stack, 'PredictFn', 'demand-predict');
}

export function table(stack: Stack, name: string): dynamodb.ITable {
  return dynamodb.Table.fromTableName(stack, `Table-${name}`, name);
}

/** Properties of the alarm with this exact name. */
export function alarmNamed(template: Template, name: string): Record<string, any> {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .filter((r) => (r as any).Properties.AlarmName === name);
  if (found.length !== 1) {
    const names = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => (r as any).Properties.AlarmName);
    throw new Error(`expected one alarm named ${name}, found ${found.length}; alarms: ${names.join(', ')}`);
  }
  return (found[0] as any).Properties;
}

/** The MetricStat of the math expression's metric `id` (or of the only metric). */
export function metricStat(props: Record<string, any>, id?: string): Record<string, any> {
  const m = (props.Metrics as any[]).find((x) => x.Id === id);
  return m.MetricStat;
}

export function expressionOf(props: Record<string, any>): string {
  return (props.Metrics as any[]).find((x) => x.ReturnData !== false && x.Expression).Expression;
}

/** The alarm's single metric in one shape, whichever form CloudFormation got (labels force the Metrics form). */
export function metricOf(props: Record<string, any>): { namespace: string; name: string; stat: string; period: number; dimensions: Record<string, string> } {
  const dims = (list: Array<{ Name: string; Value: string }> | undefined) => Object.fromEntries((list ?? []).map((d) => [d.Name, d.Value]));
  if (props.MetricName) {
    return { namespace: props.Namespace, name: props.MetricName, stat: props.Statistic ?? props.ExtendedStatistic, period: props.Period, dimensions: dims(props.Dimensions) };
  }
  const ms = (props.Metrics as any[]).find((m) => m.ReturnData !== false && m.MetricStat).MetricStat;
  return { namespace: ms.Metric.Namespace, name: ms.Metric.MetricName, stat: ms.Stat, period: ms.Period, dimensions: dims(ms.Metric.Dimensions) };
}

/** Dimensions of a MetricStat as a name -> value map. */
export function dimensionsOf(metricStatProps: Record<string, any>): Record<string, string> {
  return Object.fromEntries((metricStatProps.Metric.Dimensions ?? []).map((d: any) => [d.Name, d.Value]));
}
