import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AlarmDeclaration, AlarmSeverity, MonitoredArea } from './alarm-declaration';
import * as v from './validate-monitoring-props';

/** A DynamoDB table to watch (the predictions table, the registry). */
export interface MonitorTableProps {
  /** The table. */
  readonly table: dynamodb.ITable;
  /**
   * Stable name of the table in alarm names, ids and the dashboard, e.g. `predictions` or `registry`.
   * With `model`, the alarms belong to that model (and its paging alarm); without, they are shared.
   */
  readonly label: string;
  /**
   * Model the table serves; its critical alarms then page with the model's.
   * @default - a shared table, not part of any model's paging alarm
   */
  readonly model?: string;
  /**
   * Throttled read + write events per minute, sustained 3 of 5 minutes, that raise the warning.
   * On-demand tables throttle only on hot keys or sudden 2x peaks; writers retry, so a few are fine.
   * @default 10
   */
  readonly throttleThreshold?: number;
  /**
   * Whether system errors are critical (the table serves online answers) or a warning.
   * @default AlarmSeverity.WARNING
   */
  readonly systemErrorSeverity?: AlarmSeverity;
}

/** The operations our handlers and servers use; CloudWatch allows 10 metrics per alarm. */
export const WATCHED_OPERATIONS = [
  dynamodb.Operation.GET_ITEM, dynamodb.Operation.BATCH_GET_ITEM, dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM, dynamodb.Operation.DELETE_ITEM, dynamodb.Operation.QUERY,
  dynamodb.Operation.BATCH_WRITE_ITEM, dynamodb.Operation.TRANSACT_WRITE_ITEMS,
];

export function validateTable(p: MonitorTableProps): void {
  v.modelName('label', p.label);
  if (p.model !== undefined) v.modelName('model', p.model);
  v.positive('throttleThreshold', p.throttleThreshold);
}

export function tableDeclarations(p: MonitorTableProps): AlarmDeclaration[] {
  const minute = Duration.minutes(1);
  const throttles = throttleMetric(p.table, minute);
  const threshold = p.throttleThreshold ?? 10;
  return [
    {
      id: `${p.label}-Throttles`,
      severity: AlarmSeverity.WARNING,
      area: MonitoredArea.STORE,
      metric: throttles,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      // DynamoDB publishes throttle events only when they happen.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      meaning: `The ${p.label} table throttles requests (at least ${threshold} a minute, 3 of 5 minutes).`,
      firstAction: 'check Contributor Insights / the key of the hot partition and the load\'s write rate; for provisioned tables raise capacity.',
    },
    {
      id: `${p.label}-SystemErrors`,
      severity: p.systemErrorSeverity ?? AlarmSeverity.WARNING,
      area: MonitoredArea.STORE,
      metric: p.table.metricSystemErrorsForOperations({ operations: WATCHED_OPERATIONS, period: minute, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      meaning: `DynamoDB returns internal server errors (5xx) for the ${p.label} table.`,
      firstAction: 'check the AWS Health dashboard for DynamoDB in this region; clients retry, answers fall back meanwhile.',
    },
  ];
}

export function throttleMetric(table: dynamodb.ITable, period: Duration): cloudwatch.IMetric {
  return new cloudwatch.MathExpression({
    expression: 'FILL(readThrottles, 0) + FILL(writeThrottles, 0)',
    usingMetrics: {
      readThrottles: table.metric('ReadThrottleEvents', { period, statistic: 'Sum' }),
      writeThrottles: table.metric('WriteThrottleEvents', { period, statistic: 'Sum' }),
    },
    period,
    label: 'throttled events',
  });
}
