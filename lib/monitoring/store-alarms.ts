import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AlarmDeclaration, AlarmSeverity, MonitoredArea } from './alarm-declaration';
import { MAX_ALARM_METRICS } from './custom-metrics';
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
  /**
   * Global secondary indexes of the table. DynamoDB reports their throttles under
   * [TableName, GlobalSecondaryIndexName], which the table's [TableName] series leave out, so
   * each named index adds its read and write throttles to the throttle alarm. At most 4 (an
   * alarm takes 10 metrics).
   * @default - none: only the table's own throttles are watched
   */
  readonly globalSecondaryIndexNames?: string[];
}

/** The table's own read/write throttle series plus two per index must fit one alarm. */
export const MAX_WATCHED_INDEXES = (MAX_ALARM_METRICS - 2) / 2;

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
  const indexes = p.globalSecondaryIndexNames ?? [];
  if (indexes.length > MAX_WATCHED_INDEXES) {
    throw new Error(`globalSecondaryIndexNames can hold at most ${MAX_WATCHED_INDEXES} indexes (CloudWatch allows ${MAX_ALARM_METRICS} metrics per alarm), but ${indexes.length} were provided: watch the busiest ones`);
  }
  for (const name of indexes) {
    if (Token.isUnresolved(name) || typeof name !== 'string' || name === '') {
      throw new Error(`globalSecondaryIndexNames must hold plain, non-empty index names, but ${JSON.stringify(name)} was provided`);
    }
  }
}

export function tableDeclarations(p: MonitorTableProps): AlarmDeclaration[] {
  const minute = Duration.minutes(1);
  const throttles = throttleMetric(p.table, minute, p.globalSecondaryIndexNames);
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
      meaning: `The ${p.label} table${p.globalSecondaryIndexNames?.length ? ' or its indexes' : ''} throttle requests (at least ${threshold} a minute, 3 of 5 minutes).`,
      firstAction: 'check Contributor Insights / the key of the hot partition and the load\'s write rate; for provisioned tables raise capacity.',
    },
    {
      id: `${p.label}-SystemErrors`,
      severity: p.systemErrorSeverity ?? AlarmSeverity.WARNING,
      area: MonitoredArea.STORE,
      metric: systemErrorsMetric(p.table, minute),
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

/** Read + write throttle events of the table and of each named global secondary index, gaps filled with 0. */
export function throttleMetric(table: dynamodb.ITable, period: Duration, indexNames: string[] = []): cloudwatch.IMetric {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {
    readThrottles: table.metric('ReadThrottleEvents', { period, statistic: 'Sum' }),
    writeThrottles: table.metric('WriteThrottleEvents', { period, statistic: 'Sum' }),
  };
  indexNames.forEach((index, i) => {
    const dimensionsMap = { TableName: table.tableName, GlobalSecondaryIndexName: index };
    usingMetrics[`gsiRead${i}`] = table.metric('ReadThrottleEvents', { period, statistic: 'Sum', dimensionsMap });
    usingMetrics[`gsiWrite${i}`] = table.metric('WriteThrottleEvents', { period, statistic: 'Sum', dimensionsMap });
  });
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '),
    usingMetrics,
    period,
    label: 'throttled events',
  });
}

/**
 * SystemErrors of the watched operations, summed with each gap filled with 0: DynamoDB publishes
 * a series only when an operation errs, and a plain `+` yields a point only when every series has one.
 */
export function systemErrorsMetric(table: dynamodb.ITable, period: Duration): cloudwatch.IMetric {
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  WATCHED_OPERATIONS.forEach((operation, i) => {
    usingMetrics[`systemErrors${i}`] = table.metric('SystemErrors', { period, statistic: 'Sum', dimensionsMap: { TableName: table.tableName, Operation: operation } });
  });
  return new cloudwatch.MathExpression({
    expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '),
    usingMetrics,
    period,
    label: 'system errors',
  });
}
