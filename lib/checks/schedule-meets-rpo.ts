import { InferenceMode, ModelSpec } from '../spec/model-spec';
import { maxIntervalMs, parseCron } from '../spec/cron';
import { formatDuration } from '../spec/units';
import { CheckLevel, ModelCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/** The oldest data behind a served prediction (schedule gap + accepted data age) must be within the RPO. */
export const scheduleMeetsRpo: ModelCheck = {
  id: 'MLOPS-ScheduleMeetsRpo',
  scope: 'model',
  level: CheckLevel.ERROR,
  info: 'The training schedule cannot meet the recovery point objective: runs are further apart (plus the accepted data age) than the RPO, or never happen.',
  explanation: 'The RPO is the oldest information a served prediction may rest on. Just before the next run, predictions rest on data that is '
    + 'as old as the schedule interval plus data.maxAge; a paused or impossible schedule never refreshes them at all.',
  check(spec: ModelSpec) {
    if (spec.inference.mode === InferenceMode.ONLINE) return notApplicable();
    const rpo = spec.inference.rpoSeconds * 1000;
    if (!spec.schedule.enabled) {
      return nonCompliant('schedule.enabled', `the schedule is paused, so predictions are never refreshed within the RPO ${formatDuration(rpo)}; enable it, or acknowledge while paused on purpose`);
    }
    const cron = parseCron(spec.schedule.cron);
    const interval = typeof cron === 'string' ? undefined : maxIntervalMs(cron);
    if (interval === undefined) {
      return nonCompliant('schedule.cron', `"${spec.schedule.cron}" never fires (no such date); fix the day-of-month or month`);
    }
    const age = interval + spec.data.maxAgeSeconds * 1000;
    if (age <= rpo) return compliant();
    return nonCompliant('schedule.cron', `schedule interval ${formatDuration(interval)} + data.maxAge ${formatDuration(spec.data.maxAgeSeconds * 1000)} = ${formatDuration(age)} `
      + `> rpo ${formatDuration(rpo)}; train more often, accept only fresher data, or raise inference.rpo`);
  },
};
