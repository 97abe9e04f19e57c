// Ingestion windows and the keys they write: pure functions of the scheduled time and the
// cadence, so a re-run of a window (any time later, any run id) writes the same keys.

import type { CronSchedule } from '../../../lib/spec/cron';

/** A parsed five-field cron: the fields of the spec's CronSchedule the window needs (a type import: nothing of lib/ is bundled). */
export type CronFields = Omit<CronSchedule, 'expression'>;

/** How often a model's data arrives. */
export interface IngestionCadence {
  /** Window length for a duration cadence; the longest gap for a cron (bounds the search back). */
  readonly intervalSeconds: number;
  /** IANA time zone of the cron and of the dated keys. */
  readonly timeZone: string;
  /** Set for a cron cadence: a window runs from one fire time to the next. */
  readonly cron?: CronFields;
}

/** The half-open interval [start, end) of data one run ingests. */
export interface IngestionWindow {
  /** ISO instant (UTC, millisecond precision). */
  readonly start: string;
  readonly end: string;
}

const MINUTE = 60_000;

/**
 * The window that ended last at `scheduledTime`. Duration cadences are aligned to multiples of
 * the interval since the epoch (so "6h" windows are 00-06, 06-12 ... UTC, whatever the start
 * time of the schedule); cron windows run from the previous fire time to the last one at or
 * before `scheduledTime`, read in the cadence's time zone.
 */
export function ingestionWindow(scheduledTime: Date, cadence: IngestionCadence): IngestionWindow {
  const t = Math.floor(scheduledTime.getTime() / MINUTE) * MINUTE;
  if (Number.isNaN(t)) throw new Error(`scheduledTime ${String(scheduledTime)} is not a valid time: pass an ISO instant such as "2026-11-29T06:00:00Z"`);
  if (!cadence.cron) {
    const ms = cadence.intervalSeconds * 1000;
    const end = Math.floor(t / ms) * ms;
    return { start: new Date(end - ms).toISOString(), end: new Date(end).toISOString() };
  }
  // The cron's longest gap is measured in local time; a DST fall-back inside it adds an hour of real time.
  const limit = Math.ceil(cadence.intervalSeconds / 60) + 60 + 1;
  const end = previousFire(t, cadence.cron, cadence.timeZone, limit);
  const start = end === undefined ? undefined : previousFire(end - MINUTE, cadence.cron, cadence.timeZone, limit);
  if (end === undefined || start === undefined) {
    throw new Error(`no cron fire time within ${cadence.intervalSeconds}s before ${new Date(t).toISOString()}: intervalSeconds must be at least the cron's longest gap`);
  }
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
}

/** The cron's fire times in [from, to) (epoch ms), read in the time zone. */
export function cronFireTimes(from: number, to: number, cron: CronFields, timeZone: string): number[] {
  const fmt = formatter(timeZone);
  const out: number[] = [];
  for (let at = Math.ceil(from / MINUTE) * MINUTE; at < to; at += MINUTE) if (fires(localParts(fmt, at), cron)) out.push(at);
  return out;
}

/** The latest fire time at or before `from` (epoch ms, whole minute), searching `limit` minutes back. */
function previousFire(from: number, cron: CronFields, timeZone: string, limit: number): number | undefined {
  const fmt = formatter(timeZone);
  for (let i = 0; i <= limit; i++) {
    const at = from - i * MINUTE;
    if (fires(localParts(fmt, at), cron)) return at;
  }
  return undefined;
}

function fires(p: LocalParts, c: CronFields): boolean {
  if (!c.minutes.includes(p.minute) || !c.hours.includes(p.hour) || !c.months.includes(p.month)) return false;
  const dom = c.daysOfMonth.includes(p.day);
  const dow = c.daysOfWeek.includes(p.weekday);
  // Standard cron: when both day fields are restricted, either may match.
  if (c.domRestricted && c.dowRestricted) return dom || dow;
  return dom && dow;
}

interface LocalParts { year: number; month: number; day: number; hour: number; minute: number; weekday: number }

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short' });
    FORMATTERS.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
function localParts(fmt: Intl.DateTimeFormat, at: number): LocalParts {
  const parts = Object.fromEntries(fmt.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), weekday: WEEKDAYS.indexOf(parts.weekday),
  };
}

/**
 * The key of one category's part of a window: `<location><category>/<YYYY-MM-DD>/<HHmm>-<N>m.<ext>`,
 * dated by the window's start in the time zone, `<N>` the window's length in minutes. Derived
 * from the window only, so a re-run overwrites that window's part and nothing else.
 */
export function partKey(location: string, category: string, window: IngestionWindow, timeZone: string, format: 'csv' | 'jsonl'): string {
  const { date, hhmm } = dated(window, timeZone);
  return `${location}${category}/${date}/${hhmm}-${windowMinutes(window)}m.${format}`;
}

/** The window's manifest: `<location>_ingestion/<YYYY-MM-DD>/<HHmm>-<N>m.json` (not under any category). */
export function manifestKey(location: string, window: IngestionWindow, timeZone: string): string {
  const { date, hhmm } = dated(window, timeZone);
  return `${location}_ingestion/${date}/${hhmm}-${windowMinutes(window)}m.json`;
}

/** How a window is filed: the date of its parts' folder and `<HHmm>-<N>m`, as in its keys. */
export function windowLabel(window: IngestionWindow, timeZone: string): { date: string; label: string } {
  const { date, hhmm } = dated(window, timeZone);
  return { date, label: `${hhmm}-${windowMinutes(window)}m` };
}

function windowMinutes(w: IngestionWindow): number {
  return Math.round((Date.parse(w.end) - Date.parse(w.start)) / MINUTE);
}

function dated(w: IngestionWindow, timeZone: string): { date: string; hhmm: string } {
  const p = localParts(formatter(timeZone), Date.parse(w.start));
  const two = (n: number) => String(n).padStart(2, '0');
  return { date: `${p.year}-${two(p.month)}-${two(p.day)}`, hhmm: `${two(p.hour)}${two(p.minute)}` };
}
