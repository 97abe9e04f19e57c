import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { METRICS } from '../../lambda/shared/contract';
import { mlopsCommand } from '../../cli/command-line';
import { DEFAULT_BATCH_LATENESS_MS, criticalAgeMs, warningAgeMs } from '../spec/freshness';
import { AlarmDeclaration, AlarmSeverity, MonitoredArea } from './alarm-declaration';
import { FailureSignal, anyFailure } from './any-failure';
import { modelMetric, platformMetric } from './custom-metrics';
import * as v from './validate-monitoring-props';

/** What a model's batch predictions declare; freshness and loader alarms are derived from it. */
export interface MonitorPredictionsProps {
  /** Model name (as in the model spec). */
  readonly model: string;
  /** How long a batch prediction lives (the spec's TTL, which is also the RPO). */
  readonly ttl: Duration;
  /**
   * Categories scored; freshness is watched per category (a single stale category is stale).
   * @default - the model-level [Model] series of METRICS.predictionsGeneratedAt
   */
  readonly categories?: string[];
  /**
   * How often a new batch is expected (the training schedule).
   * @default Duration.days(1)
   */
  readonly batchInterval?: Duration;
  /**
   * Age of the newest batch that raises the warning: one missed batch.
   * @default - batchInterval + 6 hours, up to the whole hour
   */
  readonly warningAge?: Duration;
  /**
   * Age of the newest batch that raises the critical alarm; must leave time to recover before
   * the TTL deletes the predictions and answers fall back.
   * @default - ttl - batchInterval (2 days for a 3-day TTL: one full day to recover), at least an hour after the warning and an hour before the ttl
   */
  readonly criticalAge?: Duration;
  /**
   * Prediction items that failed to load (METRICS.predictionsFailed [Model]) within an hour that
   * raise the `BatchInferenceFailed` alarm.
   * @default 1
   */
  readonly failedItemsThreshold?: number;
  /**
   * The loader function: its errors are a signal of the `BatchInferenceFailed` alarm.
   * @default - loader errors are not a signal of their own
   */
  readonly loaderFunction?: lambda.IFunction;
  /**
   * The batch inference state machine: its failed or timed-out executions are a signal of the
   * `BatchInferenceFailed` alarm (and its run age replaces freshness windows beyond 7 days).
   * @default - failed executions are not a signal of their own
   */
  readonly batchInferenceStateMachine?: sfn.IStateMachine;
}

/** Ages after defaults, validated against each other. */
export interface FreshnessAges {
  readonly warning: Duration;
  readonly critical: Duration;
  readonly ttl: Duration;
}

export function freshnessAges(p: MonitorPredictionsProps): FreshnessAges {
  // The one freshness rule (lib/spec/freshness.ts), shared with the spec's TTL pattern check.
  const interval = p.batchInterval ?? Duration.days(1);
  const warning = p.warningAge ?? Duration.seconds(warningAgeMs(interval.toSeconds() * 1000, DEFAULT_BATCH_LATENESS_MS) / 1000);
  const critical = p.criticalAge ?? Duration.seconds(criticalAgeMs(warning.toSeconds() * 1000, p.ttl.toSeconds() * 1000, interval.toSeconds() * 1000) / 1000);
  return { warning, critical, ttl: p.ttl };
}

/** Whether an age is beyond a heartbeat window, so the batch inference's run age is watched instead. */
export function beyondAlarmWindow(age: Duration): boolean {
  return age.toSeconds() > v.MAX_EVALUATION_HOURS * 3600;
}

export function validatePredictions(p: MonitorPredictionsProps): void {
  v.modelName('model', p.model);
  v.positiveDuration('ttl', p.ttl);
  v.positiveDuration('batchInterval', p.batchInterval);
  v.categories('categories', p.categories);
  v.wholeNumber('failedItemsThreshold', p.failedItemsThreshold, 1);
  const a = freshnessAges(p);
  if (a.critical.toSeconds() <= a.warning.toSeconds()) {
    throw new Error(`criticalAge must be longer than warningAge (${a.warning.toHumanString()}), but ${a.critical.toHumanString()} was provided: set criticalAge later or warningAge earlier`);
  }
  if (p.criticalAge && a.critical.toSeconds() >= p.ttl.toSeconds()) {
    throw new Error(`criticalAge must be shorter than ttl (${p.ttl.toHumanString()}) so there is time to recover before predictions expire, but ${a.critical.toHumanString()} was provided`);
  }
  for (const [field, age] of [['warningAge', a.warning], ['criticalAge', a.critical]] as const) {
    if (beyondAlarmWindow(age) && !p.batchInferenceStateMachine) {
      throw new Error(`${field} (${age.toHumanString()}) is longer than the 7 days CloudWatch can watch as a window: pass batchInferenceStateMachine, whose hours since the last success are then watched instead`);
    }
    if (!beyondAlarmWindow(age)) v.windowHours(field, age);
  }
}

/**
 * Freshness is a heartbeat on the loader's METRICS.predictionsGeneratedAt: the alarm fires when
 * no batch was loaded in any of the last N hours, i.e. the newest batch is older than N hours
 * (hourly resolution). One pair per category when categories are declared.
 */
export function predictionDeclarations(p: MonitorPredictionsProps, batchAge?: cloudwatch.IMetric): AlarmDeclaration[] {
  const ages = freshnessAges(p);
  const hour = Duration.hours(1);
  const out: AlarmDeclaration[] = [];
  // Ages beyond the 7-day window: one model-level alarm on the batch inference's run age.
  for (const [severity, age] of [[AlarmSeverity.WARNING, ages.warning], [AlarmSeverity.CRITICAL, ages.critical]] as const) {
    if (!beyondAlarmWindow(age) || !batchAge) continue;
    const hours = Math.ceil(age.toSeconds() / 3600);
    out.push({
      id: `PredictionsStale${severity === AlarmSeverity.WARNING ? 'Warning' : 'Critical'}`,
      severity,
      area: MonitoredArea.PREDICTIONS,
      metric: batchAge,
      threshold: hours,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      // The age is published every hour; two missing hours mean the publisher is down: stale until shown otherwise.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      meaning: `The last successful batch inference is older than ${hours} h${severity === AlarmSeverity.CRITICAL ? `; predictions expire at ${ages.ttl.toHumanString()} (TTL = RPO)` : ': a batch was missed'}.`,
      firstAction: 'check the last training/batch inference execution; re-run batch inference with the current production version.',
    });
  }
  for (const category of p.categories?.length ? p.categories : [undefined]) {
    const suffix = category === undefined ? '' : `-${category}`;
    const what = category === undefined ? 'of any category' : `of category ${category}`;
    const loads = platformMetric(METRICS.predictionsGeneratedAt, p.model, category, { statistic: 'SampleCount', period: hour, label: `batches loaded${suffix}` });
    for (const [severity, age] of [[AlarmSeverity.WARNING, ages.warning], [AlarmSeverity.CRITICAL, ages.critical]] as const) {
      if (beyondAlarmWindow(age) && batchAge) continue;
      const hours = v.windowHours(severity === AlarmSeverity.WARNING ? 'warningAge' : 'criticalAge', age);
      out.push({
        id: `PredictionsStale${severity === AlarmSeverity.WARNING ? 'Warning' : 'Critical'}${category === undefined ? '' : `-${category}`}`,
        severity,
        area: MonitoredArea.PREDICTIONS,
        metric: loads,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: hours,
        datapointsToAlarm: hours,
        // The loader publishes only when it loads: missing data means no new batch, which is
        // what this alarm measures (and a loader that never published is stale too).
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        meaning: severity === AlarmSeverity.WARNING
          ? `The newest prediction batch ${what} is older than ${hours} h: at least one batch was missed.`
          : `The newest prediction batch ${what} is older than ${hours} h; predictions expire at ${ages.ttl.toHumanString()} (TTL = RPO) and answers will fall back.`,
        firstAction: severity === AlarmSeverity.WARNING
          ? 'check the last training/batch inference execution and the loader logs; re-run batch inference for the missed date.'
          : `recover now: re-run batch inference with the current production version (the batch inference state machine in the console); if the model is broken, roll back with \`${mlopsCommand('rollback', [p.model], category === undefined ? {} : { category })}\`.`,
      });
    }
  }
  out.push(batchFailuresDeclaration(p));
  return out;
}

/**
 * One alarm for every way a batch fails to land, each with its own threshold: prediction items
 * that failed to load; loader errors (with `loaderFunction`); batch inference executions that
 * failed or timed out (with `batchInferenceStateMachine`). They share a severity and a first
 * action (find the batch, re-run it: loads are idempotent): the description names every signal
 * and where to look, and the dashboard's predictions row graphs the failed items; separate alarms
 * cost a resource each per model.
 */
function batchFailuresDeclaration(p: MonitorPredictionsProps): AlarmDeclaration {
  const hour = Duration.hours(1);
  const itemsThreshold = p.failedItemsThreshold ?? 1;
  const sm = p.batchInferenceStateMachine;
  const signals: FailureSignal[] = [
    // The [Model] series the loader emits alongside the per-category one: one metric whatever the category count.
    { id: 'items', metric: platformMetric(METRICS.predictionsFailed, p.model, undefined, { statistic: 'Sum', period: hour, label: 'items failed to load' }), threshold: itemsThreshold },
    ...(p.loaderFunction ? [{ id: 'loader', metric: p.loaderFunction.metricErrors({ period: hour, statistic: 'Sum' }), threshold: 1 }] : []),
    ...(sm ? [{
      id: 'executions',
      metric: new cloudwatch.MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
        usingMetrics: { failed: sm.metricFailed({ period: hour, statistic: 'Sum' }), timedOut: sm.metricTimedOut({ period: hour, statistic: 'Sum' }) },
        period: hour,
        label: 'Failed or timed out batch inference',
      }),
      threshold: 1,
    }] : []),
  ];
  const what = [
    `at least ${itemsThreshold} prediction item(s) failed to load into the predictions table (those entities get fallback answers)`,
    ...(p.loaderFunction ? ['the loader function failed'] : []),
    ...(sm ? ['a batch inference execution failed or timed out (no new predictions for that date)'] : []),
  ];
  return {
    id: 'BatchInferenceFailed',
    severity: AlarmSeverity.WARNING,
    area: MonitoredArea.PREDICTIONS,
    metric: anyFailure(signals, hour, 'Batch inference failures'),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    // Published per load / invocation / execution: nothing ran, nothing failed (staleness has its own alarms).
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    meaning: `Batch inference failed within the hour: ${what.join('; or ')}.`,
    firstAction: `open the failed batch inference execution in the Step Functions console (its cause lists each category's outcome)${p.loaderFunction ? ' and the loader\'s log group (failed keys: throttling, item size, KMS; the failed-runs Logs Insights query)' : ''}; the dashboard's "predictions loaded / failed" graph shows the failed items. Fix and re-run it for the same date: loads are idempotent.`,
  };
}

/** Dashboard row: batch age at load against the freshness thresholds and the RPO line, plus loads. */
export function predictionWidgets(p: MonitorPredictionsProps, staleAlarms: cloudwatch.IAlarm[]): cloudwatch.IWidget[] {
  const ages = freshnessAges(p);
  const hour = Duration.hours(1);
  const cats = p.categories?.length ? p.categories : [undefined];
  const ageSeries = cats.map((c, i) => new cloudwatch.MathExpression({
    // EPOCH(m) is the timestamp of each datapoint: the age of the batch when it was loaded.
    expression: `(EPOCH(g${i}) - g${i}) / 3600`,
    usingMetrics: { [`g${i}`]: platformMetric(METRICS.predictionsGeneratedAt, p.model, c, { statistic: 'Maximum', period: hour }) },
    label: c === undefined ? 'batch age at load (h)' : `${c}: batch age at load (h)`,
    period: hour,
  }));
  return [
    new cloudwatch.GraphWidget({
      title: `${p.model}: prediction freshness (hours) vs RPO`,
      width: 8,
      left: ageSeries,
      leftYAxis: { min: 0 },
      leftAnnotations: [
        { value: ages.warning.toHours({ integral: false }), label: 'warning', color: cloudwatch.Color.ORANGE },
        { value: ages.critical.toHours({ integral: false }), label: 'critical', color: cloudwatch.Color.RED },
        { value: ages.ttl.toHours({ integral: false }), label: 'RPO / TTL', color: cloudwatch.Color.PURPLE },
      ],
      period: hour,
    }),
    new cloudwatch.GraphWidget({
      title: `${p.model}: predictions loaded / failed`,
      width: 8,
      left: [
        modelMetric(METRICS.predictionsWritten, { model: p.model, categories: p.categories, statistic: 'Sum', period: hour, combine: 'SUM', idPrefix: 'pw', label: 'written' }),
        modelMetric(METRICS.predictionsFailed, { model: p.model, categories: p.categories, statistic: 'Sum', period: hour, combine: 'SUM', idPrefix: 'pf', label: 'failed' }),
      ],
    }),
    new cloudwatch.AlarmStatusWidget({ title: `${p.model}: freshness alarms`, width: 8, alarms: staleAlarms }),
  ];
}
