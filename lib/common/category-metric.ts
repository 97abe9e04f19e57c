import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { platformMetric } from '../monitoring/custom-metrics';

/**
 * Options of a metric the platform publishes per model (namespace `CdkMlops`, dimension sets
 * [Model] and [Model, Category]).
 */
export interface CategoryMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The category whose series to read.
   * @default - the model's series over all categories (dimension set [Model])
   */
  readonly category?: string;
}

/** One published metric of a model, with the method's statistic unless the options give one. */
export function categoryMetric(metricName: string, model: string, statistic: string, options: CategoryMetricOptions = {}): cloudwatch.Metric {
  const { category, ...metricOptions } = options;
  return platformMetric(metricName, model, category, { statistic, ...metricOptions });
}
