import { cronFireTimes, ingestionWindow, IngestionCadence, IngestionWindow } from '../../lambda/shared/ingestion/window';
import { parseCron } from '../spec/cron';
import { DELIVERY_ALLOWANCE_MS } from '../spec/freshness';
import { ModelSpec } from '../spec/model-spec';
import { formatDuration } from '../spec/units';
import { CheckLevel, ModelCheck, compliant, nonCompliant, notApplicable } from './pattern-check';

/** Time an ingestion job is given to run and deliver after its window ends. */
// Eight days of training runs across the EU spring DST change (29 March 2026): every weekday,
// both offsets, and no dependence on today's date.
const SPAN_START = Date.parse('2026-03-25T00:00:00Z');
const SPAN_MS = 8 * 86_400_000;

/**
 * A scheduled training run reads `<location><category>/<its date>/` and requires the newest object
 * there to be at most data.maxAge old: some ingestion window dated that day must have been
 * delivered before the run, recently enough.
 */
export const ingestionFeedsTraining: ModelCheck = {
  id: 'MLOPS-IngestionFeedsTraining',
  scope: 'model',
  level: CheckLevel.ERROR,
  info: 'The ingestion cadence does not feed the training schedule: a scheduled run finds no delivered window under its date, or only one older than data.maxAge.',
  explanation: 'Ingestion writes each window under the date its window starts (<location><category>/<YYYY-MM-DD>/), once the window has ended. '
    + 'A scheduled training run reads only its own date and fails data validation when that folder is empty, or when its newest part is older '
    + 'than data.maxAge. So the first window of the day must end (plus ' + formatDuration(DELIVERY_ALLOWANCE_MS) + ' to run and deliver) before '
    + 'training starts, and the gap to the last delivery must stay within data.maxAge.',
  check(spec: ModelSpec) {
    const i = spec.data.ingestion;
    if (!i || i.triggersTraining || !spec.schedule.enabled) return notApplicable();
    const training = parseCron(spec.schedule.cron);
    const ingestionCron = i.cron === undefined ? undefined : parseCron(i.cron);
    if (typeof training === 'string' || typeof ingestionCron === 'string') return notApplicable(); // the spec loader reports it
    const ingestion: IngestionCadence = { intervalSeconds: i.intervalSeconds, timeZone: i.timeZone, ...(ingestionCron ? { cron: ingestionCron } : {}) };
    const maxAgeMs = spec.data.maxAgeSeconds * 1000;
    const fixes = `set data.ingestion.triggersTraining: true (each delivered window trains its own date), or move schedule.cron after the day's first delivery`;
    let worstAge = 0;
    for (const run of cronFireTimes(SPAN_START, SPAN_START + SPAN_MS, training, spec.schedule.timeZone)) {
      const day = localDate(run, spec.schedule.timeZone);
      const fed = lastWindowOfDay(run, day, ingestion);
      if (!fed) {
        return nonCompliant('schedule.cron', `the training run at ${new Date(run).toISOString()} (${day} in ${spec.schedule.timeZone}) reads ${spec.data.location}<category>/${day}/, `
          + `but no window of data.ingestion.every "${i.every}" dated ${day} has been delivered by then (each lands ${formatDuration(DELIVERY_ALLOWANCE_MS)} after its window ends); ${fixes}`);
      }
      worstAge = Math.max(worstAge, run - Date.parse(fed.end));
    }
    if (maxAgeMs === 0 || worstAge <= maxAgeMs) return compliant();
    return nonCompliant('data.maxAge', `a scheduled training run can find its newest delivered window ${formatDuration(worstAge)} old (data.ingestion.every "${i.every}", schedule.cron "${spec.schedule.cron}"), `
      + `older than data.maxAge ${formatDuration(maxAgeMs)}: raise data.maxAge to ${formatDuration(worstAge)}, ingest more often, or ${fixes}`);
  },
};

/** The latest window dated `day` delivered by `run`, or undefined when none is. */
function lastWindowOfDay(run: number, day: string, cadence: IngestionCadence): IngestionWindow | undefined {
  let w = ingestionWindow(new Date(run - DELIVERY_ALLOWANCE_MS), cadence);
  for (;;) {
    const dated = localDate(Date.parse(w.start), cadence.timeZone);
    if (dated === day) return w;
    if (dated < day) return undefined;
    w = ingestionWindow(new Date(Date.parse(w.start)), cadence);
  }
}

function localDate(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at));
}
