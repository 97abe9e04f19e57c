import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS } from '../../lambda/shared/contract';
import { mlopsCommand } from '../../cli/command-line';
import { AlarmDeclaration, AlarmSeverity, MonitoredArea } from './alarm-declaration';
import { anyFailure } from './any-failure';
import { modelMetric, platformMetric } from './custom-metrics';
import * as v from './validate-monitoring-props';
import { DEFAULT_MAX_CONCURRENCY } from '../training-pipeline/training-pipeline';

/** What a model's training pipeline declares; the training alarms are derived from it. */
export interface MonitorTrainingPipelineProps {
  /** Model name (as in the model spec). */
  readonly model: string;
  /** The model's training pipeline. */
  readonly stateMachine: sfn.IStateMachine;
  /**
   * How often the pipeline is scheduled to run (the spec's schedule).
   * @default Duration.days(1)
   */
  readonly scheduleInterval?: Duration;
  /**
   * Slack after a scheduled run before "no successful run" fires; cover the run's own duration.
   * @default Duration.hours(6)
   */
  readonly grace?: Duration;
  /**
   * Longest an execution may take before "duration above budget" fires.
   * @default - with `jobDuration`: every wave of categories (`maxConcurrency` at a time) running
   * every attempt to its limit, plus one hour for the other steps; without: half the schedule
   * interval (a daily run that needs 12 h collides with the next one)
   */
  readonly durationBudget?: Duration;
  /**
   * Longest one training job attempt may take: Spot `maxWait` on SageMaker (capacity wait plus
   * run), else the job's `maxRuntime`. The default duration budget is derived from it.
   * @default - no job-based budget (see `durationBudget`)
   */
  readonly jobDuration?: Duration;
  /**
   * Attempts of one category's training job (retries + 1).
   * @default 1
   */
  readonly jobAttempts?: number;
  /**
   * Categories the pipeline trains at once; more categories run in further waves.
   * @default DEFAULT_MAX_CONCURRENCY (the TrainingPipeline's default)
   */
  readonly maxConcurrency?: number;
  /**
   * The state machine's execution log group (level ERROR or ALL), to alarm on failed training
   * jobs (SageMaker or Batch tasks that failed or timed out, retried ones included) as one
   * signal of the `TrainingFailed` alarm.
   * @default - failed jobs are not a signal of their own
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * Failed training runs (METRICS.runsFailed [Model], any category) within an hour that raise
   * the `TrainingFailed` alarm. A category can fail while the execution succeeds (the Map catches
   * it), so this is a signal of its own, with its own threshold.
   * @default 1
   */
  readonly failedRunsThreshold?: number;
  /**
   * Categories the pipeline trains: one line each on the dashboard's run graph. The alarm reads
   * the [Model] series of the run metrics, which the run publishers emit alongside.
   * @default - the [Model] series only
   */
  readonly categories?: string[];
}

export function validateTraining(p: MonitorTrainingPipelineProps): void {
  v.modelName('model', p.model);
  v.positiveDuration('scheduleInterval', p.scheduleInterval);
  v.positiveDuration('durationBudget', p.durationBudget);
  v.wholeNumber('failedRunsThreshold', p.failedRunsThreshold, 1);
  v.categories('categories', p.categories);
  v.positiveDuration('jobDuration', p.jobDuration);
  v.wholeNumber('jobAttempts', p.jobAttempts, 1);
  v.wholeNumber('maxConcurrency', p.maxConcurrency, 1);
}

/** How long without a success before NoSuccessfulRun fires: schedule interval + grace. */
export function noSuccessWindow(p: MonitorTrainingPipelineProps): Duration {
  return Duration.seconds((p.scheduleInterval ?? Duration.days(1)).toSeconds() + (p.grace ?? Duration.hours(6)).toSeconds());
}

/**
 * Training alarms: training failed (executions, runs, and jobs when `failedJobs`, the log metric
 * of {@link failedJobsMetric}, is given), no success in time, duration over budget.
 * `runAge` (hours since the last success) replaces the heartbeat window when the window is
 * longer than CloudWatch's 7 days (weekly, monthly schedules).
 */
export function trainingDeclarations(p: MonitorTrainingPipelineProps, failedJobs?: cloudwatch.IMetric, runAge?: cloudwatch.IMetric): AlarmDeclaration[] {
  const window = noSuccessWindow(p);
  const windowHours = runAge ? Math.ceil(window.toSeconds() / 3600) : v.windowHours('scheduleInterval + grace', window);
  const budget = trainingBudget(p);
  const hour = Duration.hours(1);
  const sm = p.stateMachine;

  return [
    failuresDeclaration(p, failedJobs),
    {
      id: 'NoSuccessfulRun',
      severity: AlarmSeverity.WARNING,
      area: MonitoredArea.TRAINING,
      ...(runAge ? {
        // The published age of the last success; two missing hours mean the publisher is down, which is reported too.
        metric: runAge,
        threshold: windowHours,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
      } : {
        metric: sm.metricSucceeded({ period: hour, statistic: 'Sum', label: 'Succeeded executions' }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        // A heartbeat: every hour of the last (interval + grace) hours without a success.
        evaluationPeriods: windowHours,
        datapointsToAlarm: windowHours,
      }),
      // Missing data is exactly the failure this alarm looks for (schedule disabled, nothing started).
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      meaning: `No training execution succeeded within the schedule interval plus grace (${windowHours} h).`,
      firstAction: `check that the schedule rule is enabled and the last execution's outcome; start a run with \`${mlopsCommand('train', [p.model])}\` if needed.`,
    },
    {
      id: 'PipelineDurationOverBudget',
      severity: AlarmSeverity.WARNING,
      area: MonitoredArea.TRAINING,
      metric: sm.metricTime({ period: hour, statistic: 'Maximum', label: 'Execution time (ms)' }),
      threshold: budget.toMilliseconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // ExecutionTime is emitted when an execution ends; a hung execution shows up as NoSuccessfulRun.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      meaning: `A training execution took longer than its budget of ${budget.toHumanString()}.`,
      firstAction: 'compare the run\'s step durations with earlier runs (data growth, Spot interruptions, a slow category); raise the instance size or the budget.',
    },
  ];
}

/**
 * One alarm for every way training fails, each with its own threshold: executions that failed,
 * timed out or were aborted; failed runs (a category can fail while the execution succeeds, the
 * Map catches it); failed job tasks (retried ones too). They share a severity and a first action
 * (find the failed run and its cause): the description names every signal and where to look, and
 * the dashboard's training row graphs each; separate alarms cost a resource each per model.
 */
function failuresDeclaration(p: MonitorTrainingPipelineProps, failedJobs?: cloudwatch.IMetric): AlarmDeclaration {
  const hour = Duration.hours(1);
  const sm = p.stateMachine;
  const runsThreshold = p.failedRunsThreshold ?? 1;
  const runs = mlopsCommand('runs', [p.model], { status: 'FAILED' });
  return {
    id: 'TrainingFailed',
    severity: AlarmSeverity.WARNING,
    area: MonitoredArea.TRAINING,
    metric: anyFailure([
      {
        id: 'executions',
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
          usingMetrics: {
            failed: sm.metricFailed({ period: hour, statistic: 'Sum' }),
            timedOut: sm.metricTimedOut({ period: hour, statistic: 'Sum' }),
            aborted: sm.metricAborted({ period: hour, statistic: 'Sum' }),
          },
          period: hour,
          label: 'Failed, timed out or aborted executions',
        }),
        threshold: 1,
      },
      // The [Model] series every run publisher emits: one metric whatever the category count.
      { id: 'runs', metric: platformMetric(METRICS.runsFailed, p.model, undefined, { statistic: 'Sum', period: hour, label: 'Failed training runs' }), threshold: runsThreshold },
      ...(failedJobs ? [{ id: 'jobs', metric: failedJobs, threshold: 1 }] : []),
    ], hour, 'Training failures'),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    // Every signal is published only when something fails: no runs, no failures. A pipeline that
    // stops running is caught by NoSuccessfulRun.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    meaning: `Training failed within the hour: an execution failed, timed out or was aborted, or at least ${runsThreshold} training run(s) failed${failedJobs ? ', or a training job (SageMaker or Batch task) failed or timed out, a retried Spot interruption included' : ''}.`,
    firstAction: `\`${runs}\` lists the failed runs with each job's failure reason, status history and logUrl, and \`${mlopsCommand('logs', [p.model], { run: '<run-id>' })}\` prints the tail of a job's log (the dashboard's "pipeline outcomes" and "training runs" graphs show which signal fired); for a failed execution read the failed state's cause in the Step Functions console${failedJobs ? ', for a failed job run the failed-runs Logs Insights query' : ''}. Fix and re-run; the champion stays in production.`,
  };
}

/** Namespace of the metrics CloudWatch Logs derives from the pipelines' execution logs. */
export const PIPELINE_LOG_NAMESPACE = 'CdkMlops/PipelineLogs';

/**
 * Failed job tasks of a pipeline, counted by a metric filter on its execution log: Step Functions
 * logs a TaskFailed / TaskTimedOut event with the integration's resourceType (`sagemaker`,
 * `batch`) for every failed attempt. SageMaker and Batch publish no job-outcome metrics.
 */
export function failedJobsMetric(scope: Construct, model: string, logGroup: logs.ILogGroup): cloudwatch.IMetric {
  const filter = new logs.MetricFilter(scope, 'FailedJobsFilter', {
    logGroup,
    filterPattern: logs.FilterPattern.literal('{ ($.type = "TaskFailed" || $.type = "TaskTimedOut") && ($.details.resourceType = "sagemaker" || $.details.resourceType = "batch") }'),
    metricNamespace: PIPELINE_LOG_NAMESPACE,
    metricName: `${model}-TrainingJobsFailed`,
    metricValue: '1',
  });
  return filter.metric({ statistic: 'Sum', period: Duration.hours(1), label: 'Failed training job tasks' });
}

/** Dashboard row of the training pipeline. */
export function trainingWidgets(p: MonitorTrainingPipelineProps, budget: Duration): cloudwatch.IWidget[] {
  const sm = p.stateMachine;
  const period = Duration.hours(1);
  return [
    new cloudwatch.GraphWidget({
      title: `${p.model}: pipeline outcomes`,
      width: 8,
      stacked: true,
      left: [
        sm.metricSucceeded({ period, statistic: 'Sum', label: 'succeeded' }),
        sm.metricFailed({ period, statistic: 'Sum', label: 'failed' }),
        sm.metricTimedOut({ period, statistic: 'Sum', label: 'timed out' }),
        sm.metricAborted({ period, statistic: 'Sum', label: 'aborted' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: `${p.model}: training duration (minutes)`,
      width: 8,
      left: [new cloudwatch.MathExpression({ expression: 'time / 60000', usingMetrics: { time: sm.metricTime({ period, statistic: 'Maximum' }) }, label: 'longest execution', period })],
      leftAnnotations: [{ value: budget.toMinutes({ integral: false }), label: `budget ${budget.toHumanString()}`, color: cloudwatch.Color.ORANGE }],
    }),
    new cloudwatch.GraphWidget({
      title: `${p.model}: training runs`,
      width: 8,
      left: [
        modelMetric(METRICS.runsSucceeded, { model: p.model, categories: p.categories, statistic: 'Sum', period, combine: 'SUM', idPrefix: 'rs', label: 'runs succeeded' }),
        modelMetric(METRICS.runsFailed, { model: p.model, categories: p.categories, statistic: 'Sum', period, combine: 'SUM', idPrefix: 'rf', label: 'runs failed' }),
      ],
    }),
  ];
}

/** Time for everything but the jobs: planning, validation, evaluation, gates, notification. */
export const PIPELINE_STEPS_ALLOWANCE = Duration.hours(1);

/**
 * The duration budget after defaults (shared by alarm and dashboard). From the jobs: categories
 * run in ceil(categories / maxConcurrency) waves, each wave as long as its slowest job, which may
 * use every attempt up to `jobDuration` (Spot maxWait includes waiting for capacity).
 */
export function trainingBudget(p: MonitorTrainingPipelineProps): Duration {
  if (p.durationBudget) return p.durationBudget;
  if (p.jobDuration) {
    const waves = Math.ceil(Math.max(1, p.categories?.length ?? 1) / (p.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY));
    return Duration.seconds(waves * (p.jobAttempts ?? 1) * p.jobDuration.toSeconds() + PIPELINE_STEPS_ALLOWANCE.toSeconds());
  }
  return Duration.seconds(Math.floor((p.scheduleInterval ?? Duration.days(1)).toSeconds() / 2));
}
