// CloudWatch Embedded Metric Format lines for the drift metrics (see ../emf.ts for why by hand).
import { METRICS } from '../contract';
import { emfLine } from '../emf';
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
    lines.push(emfLine({
      timestamp: m.timestamp,
      dimensions: { [D.model]: m.model, [D.category]: m.category },
      dimensionSets: [[D.model, D.category], [D.model]],
      metrics: [{ name: METRICS.predictionDrift, unit: 'None', value: round(m.predictionPsi) }],
    }));
  }
  for (const [feature, value] of Object.entries(m.featurePsi)) {
    if (value === undefined) continue;
    lines.push(emfLine({
      timestamp: m.timestamp,
      dimensions: { [D.model]: m.model, [D.category]: m.category, [FEATURE_DIMENSION]: feature },
      dimensionSets: [[D.model, D.category, FEATURE_DIMENSION], [D.model, FEATURE_DIMENSION]],
      metrics: [{ name: METRICS.featureDrift, unit: 'None', value: round(value) }],
    }));
  }
  return lines;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
