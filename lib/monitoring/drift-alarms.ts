import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { METRICS } from '../../lambda/shared/contract';
import { mlopsCommand } from '../../cli/command-line';
import { FEATURE_DIMENSION } from '../../lambda/shared/monitoring/constants';
import { AlarmDeclaration, AlarmSeverity, MonitoredArea } from './alarm-declaration';
import { platformMetric } from './custom-metrics';
import * as v from './validate-monitoring-props';

/**
 * Default PSI above which predictions count as drifted. The usual reading of PSI is < 0.1 stable,
 * 0.1-0.25 moderate, > 0.25 major shift; 0.2 acts in the upper half of "moderate", before the
 * shift is major, because retraining on fresh data is cheap here (daily runs) and the
 * champion/challenger gate keeps a worse retrained model out of production.
 */
export const DEFAULT_DRIFT_THRESHOLD = 0.2;

/** Drift of a model's predictions, and the retraining it triggers. */
export interface MonitorDriftProps {
  /** Model name (as in the model spec). */
  readonly model: string;
  /**
   * PSI of the prediction distribution (worst category) above which the drift alarm fires.
   * @default 0.2
   */
  readonly threshold?: number;
  /**
   * The model's training pipeline, started (input `trigger: "drift"`) when the alarm fires.
   * @default - the alarm only notifies
   */
  readonly trainingPipeline?: sfn.IStateMachine;
  /**
   * Shortest time between two drift-triggered trainings of this model.
   * @default Duration.days(1)
   */
  readonly retrainCooldown?: Duration;
  /**
   * Categories, for one drift line each on the dashboard.
   * @default - the model-level (worst category) line only
   */
  readonly categories?: string[];
  /**
   * Declared input features, for one feature-drift line each on the dashboard.
   * @default - no feature drift lines
   */
  readonly features?: string[];
}

export function validateDrift(p: MonitorDriftProps): void {
  v.modelName('model', p.model);
  v.positive('threshold', p.threshold);
  v.positiveDuration('retrainCooldown', p.retrainCooldown);
  v.categories('categories', p.categories);
}

export function driftDeclarations(p: MonitorDriftProps): AlarmDeclaration[] {
  const threshold = p.threshold ?? DEFAULT_DRIFT_THRESHOLD;
  return [{
    id: 'PredictionDrift',
    severity: AlarmSeverity.WARNING,
    area: MonitoredArea.DRIFT,
    // drift-compute publishes a [Model] set too; Maximum = the most drifted category.
    metric: platformMetric(METRICS.predictionDrift, p.model, undefined, { statistic: 'Maximum', period: Duration.hours(1), label: 'PSI (worst category)' }),
    threshold,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    // Drift is measured once per batch. Between batches the alarm returns to OK, so every batch
    // that still drifts raises a new ALARM transition (and a rate-limited retraining); missing
    // batches are the freshness alarms' job, not drift evidence.
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    meaning: `The prediction distribution drifted from the production version's baseline (PSI above ${threshold}).`,
    firstAction: p.trainingPipeline
      ? 'a drift-triggered training run was started (at most once per cooldown): watch it and its champion/challenger result; check the feature drift panel for the cause.'
      : `check the feature drift panel for the cause; retrain with fresh data (\`${mlopsCommand('train', [p.model])}\`).`,
  }];
}

export function driftWidgets(p: MonitorDriftProps): cloudwatch.IWidget[] {
  const threshold = p.threshold ?? DEFAULT_DRIFT_THRESHOLD;
  const hour = Duration.hours(1);
  const lines = [
    platformMetric(METRICS.predictionDrift, p.model, undefined, { statistic: 'Maximum', period: hour, label: 'worst category' }),
    ...(p.categories ?? []).map((c) => platformMetric(METRICS.predictionDrift, p.model, c, { statistic: 'Maximum', period: hour, label: c })),
  ];
  const widgets: cloudwatch.IWidget[] = [new cloudwatch.GraphWidget({
    title: `${p.model}: prediction drift (PSI)`,
    width: 8,
    left: lines,
    leftAnnotations: [{ value: threshold, label: 'retrain', color: cloudwatch.Color.RED }, { value: 0.1, label: 'moderate', color: cloudwatch.Color.GREY }],
  })];
  if (p.features?.length) {
    widgets.push(new cloudwatch.GraphWidget({
      title: `${p.model}: feature drift (PSI)`,
      width: 8,
      left: p.features.map((f) => new cloudwatch.Metric({
        namespace: METRICS.namespace,
        metricName: METRICS.featureDrift,
        dimensionsMap: { [METRICS.dimensions.model]: p.model, [FEATURE_DIMENSION]: f },
        statistic: 'Maximum',
        period: hour,
        label: f,
      })),
      leftAnnotations: [{ value: threshold, label: 'major', color: cloudwatch.Color.ORANGE }],
    }));
  }
  return widgets;
}
