import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { runningTasks } from '../monitoring/serving-alarms';
import { IPredictionFrontEnd, PredictionFrontEndBase } from './prediction-front-end-base';

/** The high-traffic prediction front end: an Application Load Balancer in front of a Fargate service. */
export interface IPredictionService extends IPredictionFrontEnd {
  /** The load balancer. */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The target group of the tasks (latency, request and 5xx metrics). */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** The ECS service, when known (running task metric). */
  readonly service?: ecs.IBaseService;

  /** Target response time in seconds (AWS/ApplicationELB TargetResponseTime, p99 per minute). */
  metricPredictionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests routed to the tasks (AWS/ApplicationELB RequestCount, Sum per minute). */
  metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** 5xx answered by the tasks (AWS/ApplicationELB HTTPCode_Target_5XX_Count, Sum per minute). */
  metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Running tasks (ECS/ContainerInsights RunningTaskCount, Minimum per minute); needs `service`. */
  metricRunningTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Attributes of a prediction service defined elsewhere, for {@link PredictionService.fromPredictionServiceAttributes}. */
export interface PredictionServiceAttributes {
  /** The load balancer (e.g. `ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes`). */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * The target group; import it with its `loadBalancerArns`, which its metrics need
   * (`ApplicationTargetGroup.fromTargetGroupAttributes`).
   */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** Base URL of the service. */
  readonly url: string;
  /**
   * The ECS service (e.g. `FargateService.fromFargateServiceAttributes`).
   * @default - unknown: `metricRunningTasks` throws
   */
  readonly service?: ecs.IBaseService;
}

const MINUTE = Duration.minutes(1);

/** Metrics shared by the prediction service and imported ones. */
export abstract class PredictionServiceBase extends PredictionFrontEndBase implements IPredictionService {
  abstract readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  abstract readonly targetGroup: elbv2.IApplicationTargetGroup;
  abstract readonly service?: ecs.IBaseService;

  metricPredictionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.targetGroup.metrics.targetResponseTime({ statistic: 'p99', period: MINUTE, ...props });
  }

  metricRequestCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.targetGroup.metrics.requestCount({ statistic: 'Sum', period: MINUTE, ...props });
  }

  metricServerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period: MINUTE, ...props });
  }

  metricRunningTasks(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    if (!this.service) {
      throw new Error(`metricRunningTasks of ${this.node.path} needs the ECS service, but the service was imported without one: pass service to PredictionService.fromPredictionServiceAttributes`);
    }
    return runningTasks(this.service).with(props ?? {});
  }
}

/** A prediction service known by its load balancer and target group (another stack, another account). */
export class ImportedPredictionService extends PredictionServiceBase {
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  readonly service?: ecs.IBaseService;
  readonly url: string;

  constructor(scope: Construct, id: string, attrs: PredictionServiceAttributes) {
    super(scope, id);
    this.loadBalancer = attrs.loadBalancer;
    this.targetGroup = attrs.targetGroup;
    this.service = attrs.service;
    this.url = attrs.url;
  }
}
