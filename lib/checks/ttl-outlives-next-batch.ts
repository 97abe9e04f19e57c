import { InferenceMode, ModelSpec } from '../spec/model-spec';
import { maxIntervalMs, parseCron } from '../spec/cron';
import { formatDuration } from '../spec/units';
import { CheckLevel, ModelCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/** Predictions must live until the next batch has replaced them, retries included. */
export const ttlOutlivesNextBatch: ModelCheck = {
  id: 'MLOPS-TtlOutlivesNextBatch',
  scope: 'model',
  level: CheckLevel.ERROR,
  info: 'The prediction TTL is shorter than the longest gap between two batches (schedule interval plus training retries).',
  explanation: 'Batch predictions are deleted when their TTL passes. If the next batch can arrive later than that (a long gap in the schedule, '
    + 'or a run that retries up to its limit), every request in between is answered by a fallback rule instead of the model.',
  check(spec: ModelSpec) {
    if (spec.inference.mode === InferenceMode.ONLINE || !spec.schedule.enabled) return notApplicable();
    const cron = parseCron(spec.schedule.cron);
    const interval = typeof cron === 'string' ? undefined : maxIntervalMs(cron);
    if (interval === undefined) return notApplicable(); // never fires: MLOPS-ScheduleMeetsRpo reports it
    const t = spec.training;
    const retriesMs = t.retries * t.maxRuntimeSeconds * 1000;
    const needed = interval + retriesMs;
    const ttl = spec.inference.ttlSeconds * 1000;
    if (ttl >= needed) return compliant();
    return nonCompliant('inference.ttl', `ttl ${formatDuration(ttl)} < schedule interval ${formatDuration(interval)} + ${t.retries} retries x maxRuntime `
      + `${formatDuration(t.maxRuntimeSeconds * 1000)} = ${formatDuration(needed)}; set inference.ttl to at least ${formatDuration(needed)}, or train more often`);
  },
};
