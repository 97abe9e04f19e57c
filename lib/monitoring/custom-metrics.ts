import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS } from '../../lambda/shared/contract';

/** How per-category series of a custom metric are combined into one model-level series. */
export type Combine = 'SUM' | 'MIN' | 'MAX';

/** CloudWatch alarms accept at most 10 metrics in one math expression. */
export const MAX_ALARM_METRICS = 10;

export interface ModelMetricOptions {
  readonly model: string;
  /** Categories to combine; none = the model-level series (dimension set [Model]). */
  readonly categories?: string[];
  readonly statistic: string;
  readonly period: Duration;
  readonly combine: Combine;
  /** Prefix of the math ids, unique within one expression (lowercase letter first). */
  readonly idPrefix: string;
  readonly label?: string;
}

/** One custom metric of the platform (namespace METRICS.namespace) for a model and optionally a category. */
export function platformMetric(metricName: string, model: string, category: string | undefined, options: cloudwatch.MetricOptions): cloudwatch.Metric {
  const D = METRICS.dimensions;
  return new cloudwatch.Metric({
    namespace: METRICS.namespace,
    metricName,
    dimensionsMap: category === undefined ? { [D.model]: model } : { [D.model]: model, [D.category]: category },
    ...options,
  });
}

/**
 * A model-level series of a custom metric: the [Model] dimension set when no categories are
 * given, else the per-category series combined with SUM / MIN / MAX (metric math), so it works
 * whether the publisher emits a [Model] set or only [Model, Category].
 */
export function modelMetric(metricName: string, o: ModelMetricOptions): cloudwatch.IMetric {
  const cats = o.categories ?? [];
  if (cats.length === 0) return platformMetric(metricName, o.model, undefined, { statistic: o.statistic, period: o.period, label: o.label });
  if (cats.length === 1) return platformMetric(metricName, o.model, cats[0], { statistic: o.statistic, period: o.period, label: o.label });
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  cats.forEach((c, i) => { usingMetrics[`${o.idPrefix}${i}`] = platformMetric(metricName, o.model, c, { statistic: o.statistic, period: o.period }); });
  // FILL(.., 0) for sums so one quiet category does not blank the total; MIN/MAX skip gaps anyway.
  const ids = Object.keys(usingMetrics).map((id) => (o.combine === 'SUM' ? `FILL(${id}, 0)` : id));
  return new cloudwatch.MathExpression({
    expression: `${o.combine}([${ids.join(', ')}])`,
    usingMetrics,
    period: o.period,
    label: o.label ?? `${metricName} (${o.combine.toLowerCase()} of ${cats.length} categories)`,
  });
}
