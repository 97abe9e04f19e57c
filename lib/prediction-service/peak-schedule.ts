// Peak windows -> Application Auto Scaling scheduled actions, shared by the Fargate service (task
// minimum) and the Lambda API (provisioned concurrency). A window is wall-clock time in its time
// zone: capacity rises PEAK_LEAD_MINUTES before the start and falls at start + duration, which
// may be on the next day (the weekdays shift with it) or in the next week. Windows that overlap
// or touch are merged, so an end action never cuts a peak that another window still holds.
import { TimeZone, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { PEAK_LEAD_MINUTES } from './capacity';
import type { PeakWindow } from './serving-props';

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const DAY = 24 * 60;
const WEEK = 7 * DAY;

/** Capacity bounds a scheduled action sets. */
export interface PeakCapacity {
  readonly minCapacity: number;
  readonly maxCapacity?: number;
}

/** What scheduled actions are added to: an ECS ScalableTaskCount, a Lambda alias' scaling, a ScalableTarget. */
export interface ScheduledScaling {
  scaleOnSchedule(id: string, action: appscaling.ScalingSchedule): void;
}

/** A window resolved to minutes: start in minutes of the day, length in minutes, weekdays (0 = Sunday). */
interface ResolvedWindow {
  readonly index: number;
  readonly start: number;
  readonly length: number;
  readonly days: readonly number[];
}

/** A merged peak in minutes of the week (wall clock), with the windows its start and end come from. */
interface PeakInterval {
  start: number;
  end: number;
  startFrom: number;
  endFrom: number;
}

/**
 * Adds the scheduled actions of `windows` to `scaling`: `peak` capacity from 15 minutes before
 * each (merged) window, `normal` capacity from its end. Throws when the windows cannot be
 * scheduled exactly (see {@link validatePeakSchedule}).
 */
export function schedulePeaks(scaling: ScheduledScaling, windows: readonly PeakWindow[] | undefined, capacity: { peak: PeakCapacity; normal: PeakCapacity }, field = 'peakWindows'): void {
  if (!windows?.length) return;
  const { intervals, timeZone } = validatePeakSchedule(windows, field);
  const declared = windows.find((w) => w.timeZone !== undefined)?.timeZone;
  const zone = declared === undefined ? undefined : TimeZone.of(timeZone);
  const add = (kind: 'Start' | 'End', minutes: number[], set: PeakCapacity) => {
    groupByTimeOfDay(minutes).forEach(({ minuteOfDay, days }, i) => {
      scaling.scaleOnSchedule(`Peak${kind}${i}`, {
        schedule: appscaling.Schedule.cron({ minute: String(minuteOfDay % 60), hour: String(Math.floor(minuteOfDay / 60)), weekDay: weekdayCron(days) }),
        ...set,
        timeZone: zone,
      });
    });
  };
  add('Start', intervals.map((iv) => iv.start), capacity.peak);
  add('End', intervals.map((iv) => iv.end % WEEK), capacity.normal);
}

/**
 * Checks that the windows can be scheduled exactly and returns their merged peaks. Errors name
 * the field, the value and the fix: one time zone for all windows (one minimum is switched), not
 * the whole week, and no action inside the hour daylight saving time skips or repeats.
 */
export function validatePeakSchedule(windows: readonly PeakWindow[], field = 'peakWindows'): { intervals: PeakInterval[]; timeZone: string } {
  const resolved = windows.map((w, i) => resolveWindow(w, `${field}[${i}]`, i));
  const timeZone = windows[0].timeZone ?? 'UTC';
  windows.forEach((w, i) => {
    const zone = w.timeZone ?? 'UTC';
    if (zone !== timeZone) {
      throw new Error(`${field}[${i}].timeZone must be the time zone of ${field}[0] ("${timeZone}"), but "${zone}" was provided: `
        + 'the windows switch one minimum, so give them all one time zone and express each window in it');
    }
  });
  if (!isTimeZone(timeZone)) {
    throw new Error(`${field}[0].timeZone must be an IANA time zone name such as "Europe/Paris" or "America/New_York", but "${timeZone}" was provided`);
  }
  const intervals = mergeIntervals(resolved);
  if (intervals.some((iv) => iv.end - iv.start >= WEEK)) {
    throw new Error(`${field} must leave some time of each week outside the peaks (${PEAK_LEAD_MINUTES}-minute lead included), but windows covering the whole week were provided: `
      + 'raise the normal traffic (minTps) instead of declaring a permanent peak');
  }
  for (const dst of daylightSavingHours(timeZone)) {
    for (const iv of intervals) {
      for (const [at, from, role] of [[iv.start, iv.startFrom, `scales out at ${clock(iv.start)}`], [iv.end, iv.endFrom, `ends at ${clock(iv.end)}`]] as const) {
        if (mod(at - dst.from, WEEK) < dst.to - dst.from) {
          throw new Error(`${field}[${from}] must not start (${PEAK_LEAD_MINUTES} minutes ahead) or end between ${clock(dst.from)} and ${clock(dst.to, false)}, the hour ${timeZone} `
            + `skips or repeats when daylight saving time changes, but ${describe(resolved[from])} (the peak ${role}) was provided: `
            + `move the start or change the duration so that both fall outside ${clock(dst.from, false)}-${clock(dst.to, false)}`);
        }
      }
    }
  }
  return { intervals, timeZone };
}

/** Minutes a week the peak capacity is scheduled (lead included, overlapping windows counted once). */
export function peakMinutesPerWeek(windows: readonly PeakWindow[]): number {
  const intervals = mergeIntervals(windows.map((w, i) => resolveWindow(w, `peakWindows[${i}]`, i)));
  return Math.min(WEEK, intervals.reduce((sum, iv) => sum + iv.end - iv.start, 0));
}

/** Length of a window in minutes: its duration, or up to `endHour` on its first day. */
function peakWindowMinutes(w: PeakWindow): number {
  return w.duration ? w.duration.toMilliseconds() / 60_000 : w.endHour! * 60 - (w.startHour * 60 + (w.startMinute ?? 0));
}

/**
 * Days of the week of a cron day-of-week field written with names: `*`, `MON`, lists
 * (`SAT,SUN`) and ranges (`MON-FRI`, also across the week's end: `FRI-MON`). 0 = Sunday.
 */
function parseWeekdays(text: string, field: string): number[] {
  const t = text.trim().toUpperCase();
  if (t === '*') return [0, 1, 2, 3, 4, 5, 6];
  const out = new Set<number>();
  for (const item of t.split(',')) {
    const m = /^([A-Z]{3})(?:-([A-Z]{3}))?$/.exec(item.trim());
    const a = m ? DAYS.indexOf(m[1]) : -1;
    const b = m?.[2] ? DAYS.indexOf(m[2]) : a;
    if (a < 0 || b < 0) {
      throw new Error(`${field} must be "*" or day names, lists and ranges such as "MON-FRI" or "SAT,SUN", but ${JSON.stringify(text)} was provided: `
        + 'write day names (cron dialects number the days differently)');
    }
    for (let d = a; ; d = (d + 1) % 7) {
      out.add(d);
      if (d === b) break;
    }
  }
  return [...out].sort((x, y) => x - y);
}

/** A cron day-of-week field for the days (0 = Sunday): `*`, or names with ranges for runs of three or more. */
export function weekdayCron(days: readonly number[]): string {
  const sorted = [...new Set(days)].sort((a, b) => a - b);
  if (sorted.length === 7) return '*';
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j - i >= 2 ? `${DAYS[sorted[i]]}-${DAYS[sorted[j]]}` : sorted.slice(i, j + 1).map((d) => DAYS[d]).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

function resolveWindow(w: PeakWindow, field: string, index: number): ResolvedWindow {
  const unresolved = { startHour: Token.isUnresolved(w.startHour), startMinute: Token.isUnresolved(w.startMinute), endHour: Token.isUnresolved(w.endHour), duration: w.duration?.isUnresolved() };
  for (const [name, isToken] of Object.entries(unresolved)) {
    if (isToken) {
      throw new Error(`${field}.${name} must be known at synth, but an unresolved token was provided: peak schedules are computed at synth, so pass a number`);
    }
  }
  if (!Number.isInteger(w.startHour) || w.startHour < 0 || w.startHour > 23) {
    throw new Error(`${field}.startHour must be a whole hour between 0 and 23, but ${w.startHour} was provided`);
  }
  const minute = w.startMinute ?? 0;
  if (!Number.isInteger(minute) || minute < 0 || minute > 59) {
    throw new Error(`${field}.startMinute must be a whole minute between 0 and 59, but ${minute} was provided`);
  }
  if ((w.duration === undefined) === (w.endHour === undefined)) {
    throw new Error(`${field} must give exactly one of duration and endHour, but ${w.duration === undefined ? 'neither' : 'both'} was provided: `
      + 'use duration (e.g. Duration.hours(2)) for a window that may run past midnight, endHour for one that ends on its first day');
  }
  const start = w.startHour * 60 + minute;
  if (w.endHour !== undefined && (!Number.isInteger(w.endHour) || w.endHour < 1 || w.endHour > 24 || w.endHour * 60 <= start)) {
    throw new Error(`${field}.endHour must be a whole hour after startHour (${w.startHour}) and at most 24, but ${w.endHour} was provided: `
      + 'for a window past midnight give duration instead');
  }
  const length = peakWindowMinutes(w);
  if (w.duration !== undefined && (!Number.isInteger(length) || length < 1 || length > DAY)) {
    throw new Error(`${field}.duration must be whole minutes between 1 minute and 24 hours, but ${w.duration.toHumanString()} was provided`);
  }
  return { index, start, length, days: parseWeekdays(w.daysOfWeek ?? '*', `${field}.daysOfWeek`) };
}

function mergeIntervals(windows: readonly ResolvedWindow[]): PeakInterval[] {
  const raw = windows.flatMap((w) => w.days.map((d) => {
    const start = mod(d * DAY + w.start - PEAK_LEAD_MINUTES, WEEK);
    return { start, end: start + PEAK_LEAD_MINUTES + w.length, startFrom: w.index, endFrom: w.index };
  })).sort((a, b) => a.start - b.start);
  const merged: PeakInterval[] = [];
  for (const iv of raw) {
    const last = merged[merged.length - 1];
    // Touching counts as overlapping: an end and a start at the same minute run in no set order.
    if (last && iv.start <= last.end) {
      if (iv.end > last.end) Object.assign(last, { end: iv.end, endFrom: iv.endFrom });
    } else {
      merged.push({ ...iv });
    }
  }
  // The last peak may run past the week's end into the first ones.
  while (merged.length > 1 && merged[merged.length - 1].end - WEEK >= merged[0].start) {
    const first = merged.shift()!;
    const last = merged[merged.length - 1];
    if (first.end + WEEK > last.end) Object.assign(last, { end: first.end + WEEK, endFrom: first.endFrom });
  }
  return merged;
}

function groupByTimeOfDay(minutesOfWeek: readonly number[]): Array<{ minuteOfDay: number; days: number[] }> {
  const groups = new Map<number, number[]>();
  for (const m of minutesOfWeek) {
    const minuteOfDay = m % DAY;
    groups.set(minuteOfDay, [...(groups.get(minuteOfDay) ?? []), Math.floor(m / DAY)]);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([minuteOfDay, days]) => ({ minuteOfDay, days }));
}

function describe(w: ResolvedWindow): string {
  const h = Math.floor(w.length / 60);
  const m = w.length % 60;
  return `${weekdayCron(w.days)} ${clock(w.start, false)} for ${h ? `${h}h` : ''}${m ? `${m}m` : ''}`;
}

/** "SUN 02:30" for a minute of the week, "02:30" without the day. */
function clock(minute: number, withDay = true): string {
  const m = mod(minute, WEEK);
  const hhmm = `${String(Math.floor((m % DAY) / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return withDay ? `${DAYS[Math.floor(m / DAY)]} ${hhmm}` : hhmm;
}

function mod(n: number, m: number): number {
  return ((n % m) + m) % m;
}

function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Offset of the zone's wall clock from UTC at instant `t` (ms), in minutes. */
function utcOffsetMinutes(timeZone: string, t: number): number {
  let f = FORMATS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    FORMATS.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return Math.round((wall - Math.floor(t / 60_000) * 60_000) / 60_000);
}

const DST_HOURS = new Map<string, Array<{ from: number; to: number }>>();
// A fixed span of years, so the result never depends on the day of the synth.
const DST_SPAN = { from: Date.UTC(2025, 0, 1), to: Date.UTC(2035, 0, 1) };

/**
 * Wall-clock ranges (minutes of the week) that the zone skips or repeats at its daylight saving
 * changes in 2025-2034, e.g. SUN 02:00-03:00 for Europe/Paris.
 */
function daylightSavingHours(timeZone: string): Array<{ from: number; to: number }> {
  const known = DST_HOURS.get(timeZone);
  if (known) return known;
  const ranges = new Map<string, { from: number; to: number }>();
  const day = 86_400_000;
  for (let t = DST_SPAN.from; t < DST_SPAN.to; t += day) {
    const before = utcOffsetMinutes(timeZone, t);
    const after = utcOffsetMinutes(timeZone, t + day);
    if (before === after) continue;
    let lo = t;
    let hi = t + day;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (utcOffsetMinutes(timeZone, mid) === before) lo = mid;
      else hi = mid;
    }
    const wall = new Date(hi + Math.min(before, after) * 60_000);
    const from = wall.getUTCDay() * DAY + wall.getUTCHours() * 60 + wall.getUTCMinutes();
    ranges.set(`${from}`, { from, to: from + Math.abs(after - before) });
  }
  const result = [...ranges.values()];
  DST_HOURS.set(timeZone, result);
  return result;
}
