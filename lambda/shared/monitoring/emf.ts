// CloudWatch Embedded Metric Format lines for the drift metrics. Written by hand rather than
// with Powertools Metrics so the dimension sets are exactly the ones the alarms query
// (Powertools adds a `service` dimension by default, which would split the series).
import { METRICS } from '../contract';
import { FEATURE_DIMENSION } from './constants';

export interface DriftMeasurement {
  readonly model: string;
  readonly category: string;
  /** PSI of the prediction distribution; undefined = not computable (no data), not published. */
  readonly predictionPsi?: number;
  /** PSI per input feature; undefined values are not published. */
  readonly featurePsi: Record<string, number | undefined>;
  /** Epoch milliseconds of the measurement. */
  readonly timestamp: number;
}

/**
 * EMF lines for one drift measurement. Prediction drift goes to two dimension sets:
 * [Model, Category] for the per-category dashboard lines and [Model] for the model's drift
 * alarm (statistic Maximum = the worst category). Feature drift adds the Feature dimension.
 */
export function driftEmfLines(m: DriftMeasurement): string[] {
  const D = METRICS.dimensions;
  const lines: string[] = [];
  if (m.predictionPsi !== undefined) {
    lines.push(JSON.stringify({
      _aws: {
        Timestamp: m.timestamp,
        CloudWatchMetrics: [{
          Namespace: METRICS.namespace,
          Dimensions: [[D.model, D.category], [D.model]],
          Metrics: [{ Name: METRICS.predictionDrift, Unit: 'None' }],
        }],
      },
      [D.model]: m.model,
      [D.category]: m.category,
      [METRICS.predictionDrift]: round(m.predictionPsi),
    }));
  }
  for (const [feature, value] of Object.entries(m.featurePsi)) {
    if (value === undefined) continue;
    lines.push(JSON.stringify({
      _aws: {
        Timestamp: m.timestamp,
        CloudWatchMetrics: [{
          Namespace: METRICS.namespace,
          Dimensions: [[D.model, D.category, FEATURE_DIMENSION], [D.model, FEATURE_DIMENSION]],
          Metrics: [{ Name: METRICS.featureDrift, Unit: 'None' }],
        }],
      },
      [D.model]: m.model,
      [D.category]: m.category,
      [FEATURE_DIMENSION]: feature,
      [METRICS.featureDrift]: round(value),
    }));
  }
  return lines;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
