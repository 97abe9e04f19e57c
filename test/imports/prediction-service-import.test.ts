import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ModelRegistry } from '../../lib/model-registry/model-registry';
import { MlopsMonitoring } from '../../lib/monitoring/mlops-monitoring';
import { PredictionService } from '../../lib/prediction-service/prediction-service';
import { PredictionStore } from '../../lib/prediction-store/prediction-store';
import { OTHER_ACCOUNT, agnosticConsumer, alarmOn, alarmProps, importOf, logicalId, producerAndConsumer } from './support';

const MODEL = 'demand-forecast';

function serviceIn(stack: Stack): PredictionService {
  return new PredictionService(stack, 'Service', {
    registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions'), models: [{ model: MODEL, categories: ['books'] }],
  });
}

describe('PredictionService.fromPredictionServiceAttributes', () => {
  const { producer, consumer } = producerAndConsumer();
  const service = serviceIn(producer);
  const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(consumer, 'Lb', {
    loadBalancerArn: service.loadBalancer.loadBalancerArn, securityGroupId: service.loadBalancer.connections.securityGroups[0].securityGroupId,
  });
  const targetGroup = elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(consumer, 'Tg', {
    targetGroupArn: service.targetGroup.targetGroupArn, loadBalancerArns: service.loadBalancer.loadBalancerArn,
  });
  const ecsService = ecs.FargateService.fromFargateServiceAttributes(consumer, 'Fargate', {
    cluster: ecs.Cluster.fromClusterAttributes(consumer, 'Cluster', { clusterName: service.cluster.clusterName, vpc: service.vpc }),
    serviceName: service.service.serviceName,
  });
  const imported = PredictionService.fromPredictionServiceAttributes(consumer, 'Service', { loadBalancer, targetGroup, url: service.url, service: ecsService });
  alarmOn(consumer, 'Latency', imported.metricPredictionLatency());
  alarmOn(consumer, 'Errors', imported.metricServerErrors());
  alarmOn(consumer, 'Tasks', imported.metricRunningTasks());
  alarmOn(consumer, 'Fallbacks', imported.metricFallbackRate(MODEL));
  new MlopsMonitoring(consumer, 'Monitoring').monitorPredictionService({ model: MODEL, targetGroup: imported.targetGroup, loadBalancer: imported.loadBalancer, service: imported.service });
  const tgArn = importOf(producer, { Ref: logicalId(producer, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'Service') });

  test('load balancer metrics of the producer\'s target group, in the ALB unit (p99 seconds per minute)', () => {
    const latency = alarmProps(consumer, 'Latency');
    expect(latency).toMatchObject({ Namespace: 'AWS/ApplicationELB', MetricName: 'TargetResponseTime', ExtendedStatistic: 'p99', Period: 60 });
    expect(latency.Dimensions.map((d: { Name: string }) => d.Name).sort()).toEqual(['LoadBalancer', 'TargetGroup']);
    expect(JSON.stringify(latency.Dimensions)).toContain(JSON.stringify(tgArn));
    expect(alarmProps(consumer, 'Errors')).toMatchObject({ MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum' });
  });

  test('running tasks come from Container Insights of the producer\'s cluster and service', () => {
    const stat = alarmProps(consumer, 'Tasks').Metrics[0].MetricStat;
    expect(stat).toMatchObject({ Stat: 'Minimum', Period: 60, Metric: { Namespace: 'ECS/ContainerInsights', MetricName: 'RunningTaskCount' } });
    expect(stat.Metric.Dimensions).toEqual([
      { Name: 'ClusterName', Value: importOf(producer, { Ref: logicalId(producer, 'AWS::ECS::Cluster', 'Service') }) },
      { Name: 'ServiceName', Value: importOf(producer, { 'Fn::GetAtt': [logicalId(producer, 'AWS::ECS::Service', 'Service'), 'Name'] }) },
    ]);
  });

  test('the fallback rate is the predict core\'s FallbackAnswers over PredictionAnswers of the model', () => {
    const metrics = alarmProps(consumer, 'Fallbacks').Metrics as Array<{ Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } } }>;
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('IF(answers >= 20, 100 * FILL(fallbacks, 0) / answers, 0)');
    expect(metrics.filter((m) => m.MetricStat).map((m) => [m.MetricStat!.Metric.MetricName, m.MetricStat!.Metric.Dimensions]).sort()).toEqual([
      ['FallbackAnswers', [{ Name: 'Model', Value: MODEL }]],
      ['PredictionAnswers', [{ Name: 'Model', Value: MODEL }]],
    ]);
  });

  test('MlopsMonitoring watches the imported service as it watches its own', () => {
    const names = Object.values(Template.fromStack(consumer).findResources('AWS::CloudWatch::Alarm'))
      .map((a) => String(a.Properties.AlarmName)).filter((n) => n.startsWith(`Consumer-${MODEL}-`)).sort();
    expect(names).toEqual(['FallbackRate', 'LatencyP95AboveSlo', 'LatencyP99AboveSlo', 'ProductionVersionReadFailures', 'RunningTasksBelowMinimum', 'ServerErrorRate']
      .map((id) => `Consumer-${MODEL}-${id}`));
  });
});

describe('an imported prediction service of another account, in an environment-agnostic stack', () => {
  const stack = agnosticConsumer();
  const lbArn = `arn:aws:elasticloadbalancing:eu-west-1:${OTHER_ACCOUNT}:loadbalancer/app/predict/fedcba9876543210`;
  const imported = PredictionService.fromPredictionServiceAttributes(stack, 'Service', {
    loadBalancer: elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Lb', { loadBalancerArn: lbArn, securityGroupId: 'sg-12345678' }),
    targetGroup: elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, 'Tg', {
      targetGroupArn: `arn:aws:elasticloadbalancing:eu-west-1:${OTHER_ACCOUNT}:targetgroup/predict/0123456789abcdef`, loadBalancerArns: lbArn,
    }),
    url: 'https://predict.example.com',
  });

  test('metrics name the literal load balancer and target group, and the options\' account', () => {
    const metric = imported.metricRequestCount({ account: OTHER_ACCOUNT });
    expect(metric.dimensions).toEqual({ LoadBalancer: 'app/predict/fedcba9876543210', TargetGroup: 'targetgroup/predict/0123456789abcdef' });
    expect(metric.account).toBe(OTHER_ACCOUNT);
  });

  test('without the ECS service the task metric says what to pass', () => {
    expect(() => imported.metricRunningTasks()).toThrow(/needs the ECS service, but the service was imported without one: pass service to PredictionService.fromPredictionServiceAttributes/);
  });
});
