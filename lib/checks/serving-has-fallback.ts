import { ModelSpec, ServingFrontEnd } from '../spec/model-spec';
import { CheckLevel, ModelCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/** A served model must say what to answer when it has no answer. */
export const servingHasFallback: ModelCheck = {
  id: 'MLOPS-ServingHasFallback',
  scope: 'model',
  level: CheckLevel.ERROR,
  info: 'Predictions are served online without a fallback rule.',
  explanation: 'Predictions go missing: TTL expiry, a new entity, a failed batch, a store error. Without a fallback rule those requests fail; '
    + 'with one they are answered gracefully and marked `source: "fallback"`, which is what the reference scenario requires.',
  check(spec: ModelSpec) {
    if (spec.inference.serving === ServingFrontEnd.NONE) return notApplicable();
    if (spec.inference.rules.fallback.length > 0) return compliant();
    return nonCompliant('inference.rules.fallback', 'add at least one rule under inference.rules, e.g. fallback: [{ name: typical-value, prediction: 0 }]');
  },
};
