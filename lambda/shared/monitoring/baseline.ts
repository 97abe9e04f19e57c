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
// (deciles) make good edges: every baseline bin then holds about 10 %. Counts are numbers of
// values, not shares: the baseline's size counts towards the minimum sample (sample-size.ts).
//
// Optional "predictionByWeekday": { "1": histogram, ..., "7": histogram } for models whose
// daily batch follows the week (demand on Saturdays is not demand on Tuesdays). The key is the
// ISO weekday (1 = Monday) of the batch's execution date, so a model that predicts the next
// day keys its holdout predictions for day D under the weekday of D - 1. Drift compares a
// batch with its weekday's histogram when there is one, else with "prediction".
import { Histogram, validateHistogram } from './psi';

export interface DriftBaseline {
  /** Predictions of every evaluation day. */
  readonly prediction: Histogram;
  /** Predictions per ISO weekday ("1" = Monday) of the batch's execution date. */
  readonly predictionByWeekday: Record<string, Histogram>;
  readonly features: Record<string, Histogram>;
}

/** The prediction histogram a batch of `executionDate` (YYYY-MM-DD) is compared with. */
export function predictionBaselineFor(baseline: DriftBaseline, executionDate: string): Histogram {
  return baseline.predictionByWeekday[String(isoWeekday(executionDate))] ?? baseline.prediction;
}

/** ISO weekday of a YYYY-MM-DD date: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
}

/** Parses and validates a baseline.json body; errors name the field and the fix. */
export function parseBaseline(text: string, source = 'baseline.json'): DriftBaseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source} is not valid JSON (${(e as Error).message}): the training run must write the baseline with JSON.stringify / json.dump`);
  }
  const o = raw as { prediction?: unknown; predictionByWeekday?: unknown; features?: unknown };
  if (!o || typeof o !== 'object' || o.prediction === undefined) {
    throw new Error(`${source} must have a "prediction" histogram, but its keys are ${JSON.stringify(Object.keys(o ?? {}))}`);
  }
  const prediction = validateHistogram(`${source} prediction`, o.prediction);
  const predictionByWeekday = histograms(source, 'predictionByWeekday', o.predictionByWeekday, 'weekday ("1" = Monday ... "7" = Sunday)');
  for (const day of Object.keys(predictionByWeekday)) {
    if (!/^[1-7]$/.test(day)) {
      throw new Error(`${source} predictionByWeekday has the key ${JSON.stringify(day)}: use ISO weekdays "1" (Monday) to "7" (Sunday) of the batch's execution date`);
    }
  }
  return { prediction, predictionByWeekday, features: histograms(source, 'features', o.features, 'feature name') };
}

function histograms(source: string, field: string, value: unknown, keyName: string): Record<string, Histogram> {
  const out: Record<string, Histogram> = {};
  if (value === undefined) return out;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source} ${field} must be an object of ${keyName} to histogram, but ${JSON.stringify(value)} was provided`);
  }
  for (const [name, h] of Object.entries(value as Record<string, unknown>)) {
    out[name] = validateHistogram(`${source} ${field}.${name}`, h);
  }
  return out;
}
