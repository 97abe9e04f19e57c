import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { METRICS } from '../../lambda/shared/contract';
import { AlarmDeclaration, AlarmSeverity, MonitoredArea } from './alarm-declaration';
import { modelMetric } from './custom-metrics';
import * as v from './validate-monitoring-props';

/** Latency objectives of online answers, measured at the front end. */
export interface ServingSlo {
  /**
   * 95th percentile latency objective.
   * @default Duration.millis(300)
   */
  readonly p95?: Duration;
  /**
   * 99th percentile latency objective.
   * @default Duration.millis(500)
   */
  readonly p99?: Duration;
}

/** Declarations shared by both front ends. */
export interface ServingMonitorProps {
  /** Model name (as in the model spec). */
  readonly model: string;
  /**
   * Latency objectives: p95 above its objective is a warning, p99 above its objective is critical.
   * @default - p95 300 ms, p99 500 ms (the reference scenario)
   */
  readonly slo?: ServingSlo;
  /**
   * Share of 5xx answers (percent) that is critical. The predict core answers missing
   * predictions gracefully (fallback), so a 5xx is a real failure.
   * @default 1
   */
  readonly errorRatePercent?: number;
  /**
   * Share of fallback answers (percent of METRICS.predictionAnswers) that raises the warning:
   * many fallbacks mean predictions are missing, expired or the store fails.
   * @default 5
   */
  readonly fallbackRatePercent?: number;
  /**
   * Categories served; the per-category answer counters are summed. At most 5 (an alarm takes 10 metrics).
   * @default - the answer counters' [Model] dimension set
   */
  readonly categories?: string[];
}

/** The default front end: an Application Load Balancer in front of a Fargate service. */
export interface MonitorPredictionServiceProps extends ServingMonitorProps {
  /** Target group of the prediction service (latency, 5xx and request count). */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /**
   * The load balancer, to count its own 5xx (e.g. 503 when no target is healthy) as errors.
   * @default - only target 5xx count as errors
   */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /**
   * The ECS service, to alarm when fewer than `minRunningTasks` tasks run. Its cluster must
   * have Container Insights enabled (the metric comes from ECS/ContainerInsights).
   * @default - no task count alarm
   */
  readonly service?: ecs.IBaseService;
  /**
   * Fewest running tasks that is still healthy (the service's declared minimum capacity).
   * @default 1
   */
  readonly minRunningTasks?: number;
}

/** The low-traffic front end: an HTTP API in front of a Lambda function. */
export interface MonitorPredictionApiProps extends ServingMonitorProps {
  /**
   * The HTTP API: latency and 5xx are measured here when given (what clients see).
   * @default - measured at the function
   */
  readonly httpApi?: apigwv2.IHttpApi;
  /**
   * The prediction function: duration, errors and throttles.
   * @default - measured at the HTTP API only
   */
  readonly predictFunction?: lambda.IFunction;
}

export function validateServing(p: ServingMonitorProps): void {
  v.modelName('model', p.model);
  v.positiveDuration('slo.p95', p.slo?.p95);
  v.positiveDuration('slo.p99', p.slo?.p99);
  v.percent('errorRatePercent', p.errorRatePercent);
  v.percent('fallbackRatePercent', p.fallbackRatePercent);
  v.categories('categories', p.categories, 2);
}

export function validateService(p: MonitorPredictionServiceProps): void {
  validateServing(p);
  v.wholeNumber('minRunningTasks', p.minRunningTasks, 1);
}

export function validateApi(p: MonitorPredictionApiProps): void {
  validateServing(p);
  if (!p.httpApi && !p.predictFunction) throw new Error('monitorPredictionApi needs httpApi or predictFunction (or both), but neither was provided: pass the prediction API\'s HTTP API and/or its function');
}

/** Objectives after defaults. */
export function sloOf(p: ServingMonitorProps): { p95: Duration; p99: Duration } {
  return { p95: p.slo?.p95 ?? Duration.millis(300), p99: p.slo?.p99 ?? Duration.millis(500) };
}

const MINUTE = Duration.minutes(1);
/** Three of five one-minute periods: a sustained breach, not one slow minute. */
const SUSTAINED = { evaluationPeriods: 5, datapointsToAlarm: 3 } as const;
/** Rates below this many requests a minute are noise (one error in two requests is not 50 %). */
const MIN_REQUESTS = 20;

/** One latency series per percentile in the unit of the front end. */
interface LatencySource {
  readonly latency: (statistic: string) => cloudwatch.IMetric;
  /** Seconds (ALB) or milliseconds (Lambda, API Gateway). */
  readonly unitMs: number;
  readonly errors: cloudwatch.IMetric;
  readonly requests: cloudwatch.IMetric;
  readonly where: string;
}

function latencyAndErrorDeclarations(p: ServingMonitorProps, src: LatencySource): AlarmDeclaration[] {
  const slo = sloOf(p);
  const out: AlarmDeclaration[] = [];
  for (const [pct, objective, severity] of [['p95', slo.p95, AlarmSeverity.WARNING], ['p99', slo.p99, AlarmSeverity.CRITICAL]] as const) {
    out.push({
      id: `Latency${pct.toUpperCase()}AboveSlo`,
      severity,
      area: MonitoredArea.SERVING,
      metric: src.latency(pct),
      threshold: objective.toMilliseconds() / src.unitMs,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      ...SUSTAINED,
      // No requests, no latency: quiet hours are healthy; a dead service shows up as errors/task count.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      meaning: `${pct} latency at the ${src.where} is above the ${objective.toMilliseconds()} ms objective for 3 of the last 5 minutes.`,
      firstAction: 'check request rate against the declared peak and the task count / concurrency; scale out, then look at the predictions table latency and throttles.',
    });
  }
  const rate = p.errorRatePercent ?? 1;
  out.push({
    id: 'ServerErrorRate',
    severity: AlarmSeverity.CRITICAL,
    area: MonitoredArea.SERVING,
    metric: new cloudwatch.MathExpression({
      expression: `IF(requests >= ${MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`,
      usingMetrics: { errors: src.errors, requests: src.requests },
      period: MINUTE,
      label: '5xx rate (%)',
    }),
    threshold: rate,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    ...SUSTAINED,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    meaning: `More than ${rate} % of requests at the ${src.where} end in a 5xx for 3 of the last 5 minutes.`,
    firstAction: 'open the server logs (Logs Insights) for the error; if a new image or rule set was deployed, roll it back.',
  });
  out.push(fallbackDeclaration(p));
  out.push(productionReadFailuresDeclaration(p));
  return out;
}

function fallbackDeclaration(p: ServingMonitorProps): AlarmDeclaration {
  const threshold = p.fallbackRatePercent ?? 5;
  const period = Duration.minutes(5);
  return {
    id: 'FallbackRate',
    severity: AlarmSeverity.WARNING,
    area: MonitoredArea.SERVING,
    metric: fallbackRate(p, period),
    threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    // The counters are flushed only when there is traffic.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    meaning: `More than ${threshold} % of answers are fallbacks: predictions are missing, expired or the store fails.`,
    firstAction: 'run the "fallback answers by rule" Logs Insights query; check prediction freshness and store errors.',
  };
}

export function fallbackRate(p: ServingMonitorProps, period: Duration): cloudwatch.IMetric {
  const common = { model: p.model, categories: p.categories, statistic: 'Sum', period, combine: 'SUM' as const };
  return new cloudwatch.MathExpression({
    expression: `IF(answers >= ${MIN_REQUESTS}, 100 * FILL(fallbacks, 0) / answers, 0)`,
    usingMetrics: {
      fallbacks: modelMetric(METRICS.fallbackAnswers, { ...common, idPrefix: 'fb' }),
      answers: modelMetric(METRICS.predictionAnswers, { ...common, idPrefix: 'pa' }),
    },
    period,
    label: 'fallback answers (%)',
  });
}

export function serviceSource(p: MonitorPredictionServiceProps): LatencySource {
  const tg = p.targetGroup.metrics;
  const targetErrors = tg.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: MINUTE, statistic: 'Sum' });
  const targetRequests = tg.requestCount({ period: MINUTE, statistic: 'Sum' });
  const elbErrors = p.loadBalancer?.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: MINUTE, statistic: 'Sum' });
  return {
    latency: (statistic) => tg.targetResponseTime({ period: MINUTE, statistic, label: `${statistic} (s)` }),
    unitMs: 1000,
    // The load balancer's own 5xx never reach a target, so they are added to both sides.
    errors: elbErrors
      ? new cloudwatch.MathExpression({ expression: 'FILL(t5, 0) + FILL(e5, 0)', usingMetrics: { t5: targetErrors, e5: elbErrors }, period: MINUTE, label: '5xx' })
      : targetErrors,
    requests: elbErrors
      ? new cloudwatch.MathExpression({ expression: 'FILL(tr, 0) + FILL(e5r, 0)', usingMetrics: { tr: targetRequests, e5r: elbErrors }, period: MINUTE, label: 'requests' })
      : targetRequests,
    where: 'load balancer (target response time)',
  };
}

export function apiSource(p: MonitorPredictionApiProps): LatencySource {
  if (p.httpApi) {
    const api = p.httpApi;
    return {
      latency: (statistic) => api.metricLatency({ period: MINUTE, statistic, label: `${statistic} (ms)` }),
      unitMs: 1,
      errors: api.metricServerError({ period: MINUTE, statistic: 'Sum' }),
      requests: api.metricCount({ period: MINUTE, statistic: 'Sum' }),
      where: 'HTTP API',
    };
  }
  const fn = p.predictFunction!;
  return {
    latency: (statistic) => fn.metricDuration({ period: MINUTE, statistic, label: `${statistic} (ms)` }),
    unitMs: 1,
    errors: fn.metricErrors({ period: MINUTE, statistic: 'Sum' }),
    requests: fn.metricInvocations({ period: MINUTE, statistic: 'Sum' }),
    where: 'prediction function',
  };
}

export function serviceDeclarations(p: MonitorPredictionServiceProps): AlarmDeclaration[] {
  const out = latencyAndErrorDeclarations(p, serviceSource(p));
  if (p.service) {
    const min = p.minRunningTasks ?? 1;
    out.push({
      id: 'RunningTasksBelowMinimum',
      severity: AlarmSeverity.CRITICAL,
      area: MonitoredArea.SERVING,
      metric: runningTasks(p.service),
      threshold: min,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      // Container Insights reports every minute while the service exists: silence means no
      // tasks (or Container Insights switched off), both worth a look.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      meaning: `Fewer than ${min} prediction tasks have been running for 3 minutes.`,
      firstAction: 'open the ECS service events (failed health checks, image pull, capacity); check the last deployment and roll it back if it is the cause.',
    });
  }
  return out;
}

export function apiDeclarations(p: MonitorPredictionApiProps): AlarmDeclaration[] {
  const out = latencyAndErrorDeclarations(p, apiSource(p));
  if (p.predictFunction) {
    out.push({
      id: 'FunctionThrottles',
      severity: AlarmSeverity.WARNING,
      area: MonitoredArea.SERVING,
      metric: p.predictFunction.metricThrottles({ period: MINUTE, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      ...SUSTAINED,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      meaning: 'The prediction function is throttled (concurrency limit reached).',
      firstAction: 'compare traffic with the declared peak; raise reserved concurrency or move the model to the ALB + Fargate front end.',
    });
  }
  return out;
}

export function runningTasks(service: ecs.IBaseService): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'ECS/ContainerInsights',
    metricName: 'RunningTaskCount',
    dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
    statistic: 'Minimum',
    period: MINUTE,
    label: 'running tasks',
  });
}

/** Dashboard row of a front end: latency vs SLO, request rate, fallback rate, errors, task count. */
export function servingWidgets(p: ServingMonitorProps, src: LatencySource, tasks?: { metric: cloudwatch.IMetric; min: number }): cloudwatch.IWidget[] {
  const slo = sloOf(p);
  const widgets: cloudwatch.IWidget[] = [
    new cloudwatch.GraphWidget({
      title: `${p.model}: latency at the ${src.where} (${src.unitMs === 1000 ? 's' : 'ms'})`,
      width: 6,
      left: ['p50', 'p95', 'p99'].map((s) => src.latency(s)),
      leftAnnotations: [
        { value: slo.p95.toMilliseconds() / src.unitMs, label: 'p95 SLO', color: cloudwatch.Color.ORANGE },
        { value: slo.p99.toMilliseconds() / src.unitMs, label: 'p99 SLO', color: cloudwatch.Color.RED },
      ],
    }),
    new cloudwatch.GraphWidget({ title: `${p.model}: requests per minute`, width: 6, left: [src.requests] }),
    new cloudwatch.GraphWidget({
      title: `${p.model}: fallback answers (%)`,
      width: 6,
      left: [fallbackRate(p, Duration.minutes(5))],
      leftAnnotations: [{ value: p.fallbackRatePercent ?? 5, label: 'threshold', color: cloudwatch.Color.ORANGE }],
    }),
    new cloudwatch.GraphWidget({ title: `${p.model}: 5xx per minute`, width: 6, left: [src.errors] }),
  ];
  if (tasks) {
    widgets.push(new cloudwatch.GraphWidget({
      title: `${p.model}: running tasks`,
      width: 6,
      left: [tasks.metric],
      leftAnnotations: [{ value: tasks.min, label: 'minimum', color: cloudwatch.Color.RED }],
      leftYAxis: { min: 0 },
    }));
  }
  return widgets;
}

/**
 * The registry cannot be read: servers keep answering with the last production version they
 * know until it is PREDICT_DEFAULTS.productionMaxAgeMs old (10 min), then with fallbacks. Five
 * failing minutes in a row warn before that, and before a rollback goes unnoticed.
 */
function productionReadFailuresDeclaration(p: ServingMonitorProps): AlarmDeclaration {
  return {
    id: 'ProductionVersionReadFailures',
    severity: AlarmSeverity.WARNING,
    area: MonitoredArea.SERVING,
    metric: modelMetric(METRICS.productionReadFailures, { model: p.model, categories: p.categories, statistic: 'Sum', period: MINUTE, combine: 'SUM', idPrefix: 'prf' }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    // The counters are flushed only when there is traffic.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    meaning: 'The servers could not read the production version from the registry for 5 minutes: promotions and rollbacks are not seen, and after 10 minutes answers become fallbacks (reason stale-production-version).',
    firstAction: 'check the registry table (throttles, system errors) and the task role\'s read access to it; look for the error in the server logs.',
  };
}
