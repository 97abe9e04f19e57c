import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { METRICS } from '../../lambda/shared/contract';
import { CategoryMetricOptions, categoryMetric } from '../common/category-metric';
import { fallbackRate } from '../monitoring/serving-alarms';

/**
 * What both prediction front ends (ALB + Fargate, API Gateway + Lambda) have in common: a URL,
 * and the answer counters the shared predict core publishes per served model (namespace
 * `CdkMlops`, dimension sets [Model] and [Model, Category], flushed while there is traffic).
 */
export interface IPredictionFrontEnd extends IConstruct {
  /** Base URL of the front end. */
  readonly url: string;

  /** Answers given for a served model (CdkMlops PredictionAnswers, Sum over 5 minutes). */
  metricPredictionAnswers(model: string, props?: CategoryMetricOptions): cloudwatch.Metric;
  /** Fallback answers: prediction missing, expired or unreadable (CdkMlops FallbackAnswers, Sum over 5 minutes). */
  metricFallbackAnswers(model: string, props?: CategoryMetricOptions): cloudwatch.Metric;
  /** Answers decided by a prefilter or override rule (CdkMlops RuleAnswers, Sum over 5 minutes). */
  metricRuleAnswers(model: string, props?: CategoryMetricOptions): cloudwatch.Metric;
  /** Failed reads of the predictions table (CdkMlops PredictionStoreErrors, Sum over 5 minutes). */
  metricStoreErrors(model: string, props?: CategoryMetricOptions): cloudwatch.Metric;
  /** Failed registry reads of the served production version (CdkMlops ProductionVersionReadFailures, Sum over 5 minutes). */
  metricProductionReadFailures(model: string, props?: CategoryMetricOptions): cloudwatch.Metric;
  /**
   * Share of fallback answers in percent (0 below 20 answers a period), the series of the
   * `FallbackRate` alarm. Only `category` and `period` (default 5 minutes) of the options are used.
   */
  metricFallbackRate(model: string, props?: CategoryMetricOptions): cloudwatch.IMetric;
}

/** The predict core's metrics, shared by both front ends and their imports. */
export abstract class PredictionFrontEndBase extends Construct implements IPredictionFrontEnd {
  abstract readonly url: string;

  metricPredictionAnswers(model: string, props?: CategoryMetricOptions): cloudwatch.Metric {
    return categoryMetric(METRICS.predictionAnswers, model, 'Sum', props);
  }

  metricFallbackAnswers(model: string, props?: CategoryMetricOptions): cloudwatch.Metric {
    return categoryMetric(METRICS.fallbackAnswers, model, 'Sum', props);
  }

  metricRuleAnswers(model: string, props?: CategoryMetricOptions): cloudwatch.Metric {
    return categoryMetric(METRICS.ruleAnswers, model, 'Sum', props);
  }

  metricStoreErrors(model: string, props?: CategoryMetricOptions): cloudwatch.Metric {
    return categoryMetric(METRICS.storeErrors, model, 'Sum', props);
  }

  metricProductionReadFailures(model: string, props?: CategoryMetricOptions): cloudwatch.Metric {
    return categoryMetric(METRICS.productionReadFailures, model, 'Sum', props);
  }

  metricFallbackRate(model: string, props?: CategoryMetricOptions): cloudwatch.IMetric {
    const categories = props?.category === undefined ? undefined : [props.category];
    return fallbackRate({ model, categories }, props?.period ?? Duration.minutes(5));
  }
}
