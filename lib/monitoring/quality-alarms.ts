import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS } from '../../lambda/shared/contract';
import { mlopsCommand } from '../../cli/command-line';
import { AlarmDeclaration, AlarmSeverity, MonitoredArea } from './alarm-declaration';
import { modelMetric, platformMetric } from './custom-metrics';
import * as v from './validate-monitoring-props';
import { MetricDirection } from '../training-pipeline/training-policies';

/** The model's evaluation metric and the worst value still acceptable. */
export interface MonitorModelQualityProps {
  /** Model name (as in the model spec). */
  readonly model: string;
  /** Name of the evaluation metric, for titles and descriptions (e.g. `rmse`). */
  readonly metricName: string;
  /** Whether larger or smaller is better. */
  readonly direction: MetricDirection;
  /** Worst acceptable value of the newest version's evaluated metric (the spec's promotion threshold). */
  readonly threshold: number;
  /**
   * Categories evaluated; the alarm watches the worst of them and the dashboard shows each.
   * @default - the [Model] series of METRICS.evaluatedMetric
   */
  readonly categories?: string[];
}

export function validateQuality(p: MonitorModelQualityProps): void {
  v.modelName('model', p.model);
  v.categories('categories', p.categories);
  if (!Number.isFinite(p.threshold)) throw new Error(`threshold must be a finite number, but ${p.threshold} was provided`);
  if (!Object.values(MetricDirection).includes(p.direction)) {
    throw new Error(`direction must be MetricDirection.MAXIMIZE or MINIMIZE, but ${JSON.stringify(p.direction)} was provided`);
  }
}

const DAY = Duration.days(1);

export function qualityDeclarations(p: MonitorModelQualityProps): AlarmDeclaration[] {
  const maximize = p.direction === MetricDirection.MAXIMIZE;
  return [{
    id: 'ModelQualityBelowThreshold',
    severity: AlarmSeverity.WARNING,
    area: MonitoredArea.QUALITY,
    metric: modelMetric(METRICS.evaluatedMetric, {
      model: p.model,
      categories: p.categories,
      // The worst category decides: the lowest value when larger is better, the highest otherwise.
      statistic: maximize ? 'Minimum' : 'Maximum',
      combine: maximize ? 'MIN' : 'MAX',
      period: DAY,
      idPrefix: 'q',
      label: `${p.metricName} (worst category)`,
    }),
    threshold: p.threshold,
    comparisonOperator: maximize ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD : cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    // Evaluations come once per run: keep the state of the newest evaluation until the next one.
    treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    meaning: `The newest evaluated ${p.metricName} is ${maximize ? 'below' : 'above'} the threshold ${p.threshold} for at least one category: accuracy has decayed.`,
    firstAction: `compare versions with \`${mlopsCommand('versions', [p.model])}\` / \`${mlopsCommand('best', [p.model])}\`; look at the drift panel and the newest data, retrain with fresh data or other hyperparameters.`,
  }];
}

export function qualityWidgets(p: MonitorModelQualityProps): cloudwatch.IWidget[] {
  const cats = p.categories?.length ? p.categories : [undefined];
  return [new cloudwatch.GraphWidget({
    title: `${p.model}: ${p.metricName} per category`,
    width: 8,
    left: cats.map((c) => platformMetric(METRICS.evaluatedMetric, p.model, c, { statistic: 'Average', period: DAY, label: c ?? p.metricName })),
    leftAnnotations: [{ value: p.threshold, label: `threshold (${p.direction})`, color: cloudwatch.Color.RED }],
  })];
}
