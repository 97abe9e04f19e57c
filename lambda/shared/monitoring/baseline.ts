// The drift baseline a training run writes next to metrics.json (CONTAINER.baselineFile):
// histograms of the evaluation-time predictions and of the declared input features.
//
// {
//   "prediction": { "type": "numeric", "edges": [0.2, 0.5, 0.8], "counts": [120, 340, 410, 130] },
//   "features": {
//     "price":  { "type": "numeric", "edges": [9.99, 19.99], "counts": [300, 500, 200] },
//     "region": { "type": "categorical", "categories": ["eu", "us"], "counts": [600, 380, 20] }
//   }
// }
//
// Numeric bins are [c_{i-1}, c_i) with open ends; categorical counts may end with an "other"
// bucket for values outside `categories`. Quantile cut points of the evaluation predictions
// (deciles) make good edges: every baseline bin then holds about 10 %.
import { Histogram, validateHistogram } from './psi';

export interface DriftBaseline {
  readonly prediction: Histogram;
  readonly features: Record<string, Histogram>;
}

/** Parses and validates a baseline.json body; errors name the field and the fix. */
export function parseBaseline(text: string, source = 'baseline.json'): DriftBaseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not valid JSON (${(e as Error).message}): the training run must write the baseline with JSON.stringify / json.dump`);
  }
  const o = raw as { prediction?: unknown; features?: unknown };
  if (!o || typeof o !== 'object' || o.prediction === undefined) {
    throw new Error(`${source} must have a "prediction" histogram, but its keys are ${JSON.stringify(Object.keys(o ?? {}))}`);
  }
  const prediction = validateHistogram(`${source} prediction`, o.prediction);
  const features: Record<string, Histogram> = {};
  if (o.features !== undefined) {
    if (typeof o.features !== 'object' || o.features === null || Array.isArray(o.features)) {
      throw new Error(`${source} features must be an object of feature name to histogram, but ${JSON.stringify(o.features)} was provided`);
    }
    for (const [name, h] of Object.entries(o.features as Record<string, unknown>)) {
      features[name] = validateHistogram(`${source} features.${name}`, h);
    }
  }
  return { prediction, features };
}
