// A small model of Application Auto Scaling scheduled actions, to test what a synthesized template
// does over time: each action (cron + time zone) fires at the instants whose wall-clock time in
// its zone matches, and sets the minimum; between firings the last one holds. Written apart
// from lib/prediction-service/peak-schedule.ts on purpose (its own cron reading and time zone
// arithmetic), so the two cannot share a mistake.
import { Template } from 'aws-cdk-lib/assertions';

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MINUTE = 60_000;
const DAY_MS = 86_400_000;

export interface ScheduledTarget {
  /** MinCapacity of the scalable target (holds until the first action fires). */
  readonly base: number;
  readonly actions: Array<{ schedule: string; timeZone: string; minCapacity: number }>;
}

/** The scalable target of `dimension` in the template, with its scheduled actions. */
export function scheduledTarget(template: Template, dimension: string): ScheduledTarget {
  const targets = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget', { Properties: { ScalableDimension: dimension } }));
  if (targets.length !== 1) throw new Error(`expected one scalable target of ${dimension}, found ${targets.length}`);
  const p = targets[0].Properties;
  return {
    base: p.MinCapacity,
    actions: (p.ScheduledActions ?? []).map((a: any) => ({ schedule: a.Schedule, timeZone: a.Timezone ?? 'UTC', minCapacity: a.ScalableTargetAction.MinCapacity })),
  };
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Minutes east of UTC of the zone's wall clock at instant t. */
export function offsetAt(timeZone: string, t: number): number {
  if (!formats.has(timeZone)) {
    formats.set(timeZone, new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }));
  }
  const parts = formats.get(timeZone)!.formatToParts(t);
  const v = (type: string) => Number(parts.find((x) => x.type === type)!.value);
  return (Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute')) - Math.floor(t / MINUTE) * MINUTE) / MINUTE;
}

/** The instant of a wall-clock time (given as UTC fields) in the zone: a repeated time is its first occurrence. */
function instantOf(timeZone: string, wall: number): number {
  const offsets = new Set([offsetAt(timeZone, wall - DAY_MS), offsetAt(timeZone, wall), offsetAt(timeZone, wall + DAY_MS)]);
  const valid = [...offsets].map((o) => wall - o * MINUTE).filter((t) => offsetAt(timeZone, t) * MINUTE === wall - t).sort((a, b) => a - b);
  // A skipped time (never scheduled by the library, which refuses it) would move forward by the gap.
  return valid[0] ?? wall - offsetAt(timeZone, wall - DAY_MS) * MINUTE;
}

function numbers(field: string): number[] {
  if (!/^\d+(,\d+)*$/.test(field)) throw new Error(`the model reads plain numbers and lists in minutes and hours, not "${field}"`);
  return field.split(',').map(Number);
}

function weekdays(field: string): number[] {
  if (field === '*' || field === '?') return [0, 1, 2, 3, 4, 5, 6];
  return field.split(',').flatMap((item) => {
    const [a, b] = item.split('-').map((n) => DAYS.indexOf(n));
    if (a < 0 || (b !== undefined && b < 0)) throw new Error(`the model reads day names, lists and ranges, not "${field}"`);
    const out: number[] = [];
    for (let d = a; ; d = (d + 1) % 7) {
      out.push(d);
      if (d === (b ?? a)) break;
    }
    return out;
  });
}

/** Firing instants of `cron(m h ? * dow *)` in the zone, for local days in [from, to) (ms at local midnight, as UTC). */
function firings(schedule: string, timeZone: string, from: number, to: number): number[] {
  const m = /^cron\((\S+) (\S+) ([?*]) \* (\S+) \*\)$/.exec(schedule);
  if (!m) throw new Error(`the model reads cron(min hour ? * dow *), not "${schedule}"`);
  const [minutes, hours, days] = [numbers(m[1]), numbers(m[2]), weekdays(m[4])];
  const out: number[] = [];
  for (let day = from; day < to; day += DAY_MS) {
    if (!days.includes(new Date(day).getUTCDay())) continue;
    for (const h of hours) for (const mi of minutes) out.push(instantOf(timeZone, day + h * 3_600_000 + mi * MINUTE));
  }
  return out;
}

/**
 * The minimum capacity at each instant of `instants` (ascending), with the actions' history
 * starting eight days before the first instant.
 */
export function minimumsAt(target: ScheduledTarget, instants: readonly number[]): number[] {
  const first = Math.floor(instants[0] / DAY_MS) * DAY_MS - 9 * DAY_MS;
  const last = Math.floor(instants[instants.length - 1] / DAY_MS) * DAY_MS + 2 * DAY_MS;
  const events = target.actions.flatMap((a) => firings(a.schedule, a.timeZone, first, last).map((at) => ({ at, min: a.minCapacity })))
    .sort((x, y) => x.at - y.at);
  for (let i = 1; i < events.length; i++) {
    if (events[i].at === events[i - 1].at && events[i].min !== events[i - 1].min) throw new Error(`two actions set different minimums at ${new Date(events[i].at).toISOString()}`);
  }
  const out: number[] = [];
  let current = target.base;
  let e = 0;
  for (const t of instants) {
    while (e < events.length && events[e].at <= t) current = events[e++].min;
    out.push(current);
  }
  return out;
}
