import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS } from '../../lambda/shared/contract';
import { RunAgeEvent } from '../../lambda/shared/monitoring/run-age';
import { MlopsFunction } from '../common/mlops-function';
import { NagFindings as F, acknowledgeNag } from '../common/nag';

/** CloudWatch evaluates an alarm over at most 7 days when its period is one hour or longer. */
export const MAX_ALARM_WINDOW = Duration.days(7);

/**
 * One function for the platform that publishes, every hour, how long ago a state machine last
 * succeeded. Missed-run alarms of schedules longer than the 7-day alarm window watch this age
 * instead of a heartbeat window.
 */
export class RunAgeWatch extends Construct {
  readonly function: MlopsFunction;

  constructor(scope: Construct, id: string, props: { readonly logRetention?: logs.RetentionDays }) {
    super(scope, id);
    this.function = new MlopsFunction(this, 'Function', {
      handlerName: 'run-age',
      description: 'Publishes the hours since a training pipeline or batch inference last succeeded (missed-run alarms over 7 days)',
      logRetention: props.logRetention,
      asynchronous: true,
    });
    acknowledgeNag(this.function, F.lambdaBasicExecution(), F.lambdaRuntime(), F.actionsWithoutResourceLevelPermissions());
  }

  /** Starts watching `stateMachine`; returns the hourly age metric (hours, Maximum). */
  watch(scope: Construct, id: string, event: RunAgeEvent & { readonly stateMachine: sfn.IStateMachine }): cloudwatch.Metric {
    const { stateMachine, ...input } = event;
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['states:ListExecutions', 'states:DescribeStateMachine'],
      resources: [stateMachine.stateMachineArn],
    }));
    new events.Rule(scope, id, {
      description: `Publishes ${input.metric} of ${input.model} every hour`,
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(this.function, { event: events.RuleTargetInput.fromObject(input), retryAttempts: 2 })],
    });
    return new cloudwatch.Metric({
      namespace: METRICS.namespace,
      metricName: input.metric,
      dimensionsMap: { [METRICS.dimensions.model]: input.model },
      statistic: 'Maximum',
      period: Duration.hours(1),
    });
  }
}
