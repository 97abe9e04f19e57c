import { batchFreshness } from '../spec/freshness';
import { ModelSpec } from '../spec/model-spec';
import { formatDuration } from '../spec/units';
import { CheckLevel, ModelCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

const PACE = {
  'inference.schedule': 'scoring interval (inference.schedule)',
  'schedule': 'training interval (schedule; scoring follows training)',
  'data.ingestion': 'ingestion interval (data.ingestion.every; each delivery trains, scoring follows training)',
} as const;

/** Predictions must live until the next batch has replaced them, however late it may be, with time for the alarms to act. */
export const ttlOutlivesNextBatch: ModelCheck = {
  id: 'MLOPS-TtlOutlivesNextBatch',
  scope: 'model',
  level: CheckLevel.ERROR,
  info: 'The prediction TTL does not outlast the next batch: the longest gap between batches plus how late a batch may be (retries and Spot waits), plus two hours for the freshness alarms.',
  explanation: 'Batch predictions are deleted when their TTL passes. If the next batch can arrive later than that (a long gap in the scoring '
    + 'schedule, a run that retries up to its limit or waits for approval), every request in between is answered by a fallback rule instead of '
    + 'the model. The freshness alarms warn once a batch is late and escalate an hour later, still an hour before the predictions expire; '
    + 'they are derived from the same rule (lib/spec/freshness.ts).',
  check(spec: ModelSpec) {
    const f = batchFreshness(spec);
    // Never fires, or paused: MLOPS-ScheduleMeetsRpo reports it.
    if (f?.intervalMs === undefined || f.warningMs === undefined || f.minimumTtlMs === undefined) return notApplicable();
    const ttl = spec.inference.ttlSeconds * 1000;
    if (ttl >= f.minimumTtlMs) return compliant();
    const pace = PACE[f.pacedBy];
    const oftener = f.pacedBy === 'inference.schedule'
      ? 'score more often (inference.schedule)'
      : `score on its own schedule (inference.schedule, e.g. "0 6 * * *"), ${f.pacedBy === 'data.ingestion' ? 'ingest' : 'train'} more often, or allow less lateness`;
    return nonCompliant('inference.ttl', `ttl ${formatDuration(ttl)} < ${pace} ${formatDuration(f.intervalMs)} + lateness ${formatDuration(f.latenessMs)} `
      + `(${f.lateness.join(' + ')}), up to the hour, + 2h for the alarms = ${formatDuration(f.minimumTtlMs)}; `
      + `set inference.ttl to at least ${formatDuration(f.minimumTtlMs)}, or ${oftener}`);
  },
};
