import { batchFreshness } from '../spec/freshness';
import { InferenceMode, ModelSpec } from '../spec/model-spec';
import { formatDuration } from '../spec/units';
import { CheckLevel, ModelCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/** The oldest data behind a served prediction (batch gap + accepted data age) must be within the RPO. */
export const scheduleMeetsRpo: ModelCheck = {
  id: 'MLOPS-ScheduleMeetsRpo',
  scope: 'model',
  level: CheckLevel.ERROR,
  info: 'The batch schedule cannot meet the recovery point objective: batches are further apart (plus the accepted data age) than the RPO, or never happen.',
  explanation: 'The RPO is the oldest information a served prediction may rest on. Just before the next batch, predictions rest on data that is '
    + 'as old as the batch interval (the scoring schedule, or the training schedule when scoring follows training) plus data.maxAge; '
    + 'a paused or impossible schedule never refreshes them at all.',
  check(spec: ModelSpec) {
    if (spec.inference.mode === InferenceMode.ONLINE) return notApplicable();
    const rpo = spec.inference.rpoSeconds * 1000;
    const f = batchFreshness(spec);
    if (!f) {
      return nonCompliant('schedule.enabled', `the schedule is paused and scoring has no schedule of its own, so predictions are never refreshed within the RPO ${formatDuration(rpo)}; `
        + 'enable it, add inference.schedule, or acknowledge while paused on purpose');
    }
    const field = { 'inference.schedule': 'inference.schedule.cron', 'schedule': 'schedule.cron', 'data.ingestion': 'data.ingestion.every' }[f.pacedBy];
    const cron = { 'inference.schedule': spec.inference.schedule?.cron, 'schedule': spec.schedule.cron, 'data.ingestion': spec.data.ingestion?.every }[f.pacedBy];
    if (f.intervalMs === undefined) return nonCompliant(field, `"${cron}" never fires (no such date); fix the day-of-month or month`);
    const age = f.intervalMs + spec.data.maxAgeSeconds * 1000;
    if (age <= rpo) return compliant();
    return nonCompliant(field, `interval of ${field} ${formatDuration(f.intervalMs)} + data.maxAge ${formatDuration(spec.data.maxAgeSeconds * 1000)} = ${formatDuration(age)} `
      + `> rpo ${formatDuration(rpo)}; ${f.pacedBy === 'inference.schedule' ? 'score more often' : `score on its own schedule (inference.schedule, e.g. "0 6 * * *"), ${f.pacedBy === 'data.ingestion' ? 'ingest' : 'train'} more often`}, `
      + 'accept only fresher data, or raise inference.rpo');
  },
};
