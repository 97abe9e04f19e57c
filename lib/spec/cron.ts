// Five-field cron expressions (minute hour day-of-month month day-of-week), the form data
// scientists know. Parsed once into sets, so the checks can measure the gap between runs and the
// platform can translate to an EventBridge Scheduler expression.

/** A parsed cron expression. */
export interface CronSchedule {
  /** The expression as written. */
  readonly expression: string;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  readonly months: readonly number[];
  /** 0 = Sunday ... 6 = Saturday. */
  readonly daysOfWeek: readonly number[];
  readonly domRestricted: boolean;
  readonly dowRestricted: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MACROS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
};

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS, nameBase: 0 },
] as const;

/**
 * Parses a five-field cron expression (or `@daily`, `@hourly`, `@weekly`, `@monthly`).
 * Returns the schedule, or an error message that names the bad part and the fix.
 */
export function parseCron(expression: string): CronSchedule | string {
  const text = (MACROS[expression.trim()] ?? expression).trim();
  const parts = text.split(/\s+/);
  if (parts.length !== 5) {
    return `expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 2 * * *" for 02:00 every day), but found ${parts.length}`;
  }
  const sets: number[][] = [];
  for (let i = 0; i < 5; i++) {
    const f = FIELDS[i];
    const values = parseField(parts[i], f.min, f.max, 'names' in f ? f.names : undefined, 'nameBase' in f ? f.nameBase : 0);
    if (typeof values === 'string') return `${f.name} field "${parts[i]}": ${values}`;
    sets.push(values);
  }
  const dow = [...new Set(sets[4].map((d) => d % 7))].sort((a, b) => a - b);
  if (parts[2] !== '*' && parts[4] !== '*') {
    return 'restrict either day-of-month or day-of-week and leave the other "*" (EventBridge cannot combine both)';
  }
  return {
    expression,
    minutes: sets[0], hours: sets[1], daysOfMonth: sets[2], months: sets[3], daysOfWeek: dow,
    domRestricted: parts[2] !== '*', dowRestricted: parts[4] !== '*',
  };
}

function parseField(text: string, min: number, max: number, names: readonly string[] | undefined, nameBase: number): number[] | string {
  const out = new Set<number>();
  for (const item of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m) return `"${item}" is not a value, range (1-5), list (1,3) or step (*/15)`;
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (step < 1) return `step "${m[2]}" must be 1 or more`;
    let lo = min;
    let hi = max;
    if (m[1] !== '*') {
      const [a, b] = m[1].split('-');
      const av = value(a, names, nameBase);
      const bv = b === undefined ? (m[2] === undefined ? av : max) : value(b, names, nameBase);
      if (av === undefined || bv === undefined) return `"${m[1]}" is not a number${names ? ` or a name (${names.join(', ')})` : ''}`;
      lo = av;
      hi = bv;
    }
    if (lo < min || hi > max || lo > hi) return `"${item}" is outside ${min}-${max}`;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function value(text: string, names: readonly string[] | undefined, nameBase: number): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const i = names?.indexOf(text.toUpperCase()) ?? -1;
  return i >= 0 ? i + nameBase : undefined;
}

/**
 * Fire times (as minutes since the Unix epoch, wall-clock time of the schedule's zone) within
 * `[fromDay, fromDay + days)`. DST shifts are ignored: they move a run by at most one hour.
 */
function fireMinutes(s: CronSchedule, fromDay: number, days: number): number[] {
  const out: number[] = [];
  for (let d = fromDay; d < fromDay + days; d++) {
    const date = new Date(d * 86_400_000);
    const dom = date.getUTCDate();
    const month = date.getUTCMonth() + 1;
    const dow = date.getUTCDay();
    if (!s.months.includes(month)) continue;
    const dayOk = s.domRestricted ? s.daysOfMonth.includes(dom) : s.dowRestricted ? s.daysOfWeek.includes(dow) : true;
    if (!dayOk) continue;
    for (const h of s.hours) for (const m of s.minutes) out.push(d * 1440 + h * 60 + m);
  }
  return out;
}

/**
 * The longest gap between two consecutive runs, in milliseconds, over an eight-year window
 * (long enough for leap days); undefined when the schedule never fires (e.g. "0 0 30 2 *").
 */
export function maxIntervalMs(s: CronSchedule): number | undefined {
  // Eight years of fire times is some work, and the loader, the checks and the mapping ask often.
  const key = JSON.stringify(s);
  if (!INTERVALS.has(key)) INTERVALS.set(key, computeMaxIntervalMs(s));
  return INTERVALS.get(key);
}

const INTERVALS = new Map<string, number | undefined>();

function computeMaxIntervalMs(s: CronSchedule): number | undefined {
  const start = Date.UTC(2024, 0, 1) / 86_400_000;
  const fires = fireMinutes(s, start, 366 * 8);
  if (fires.length === 0) return undefined;
  if (fires.length === 1) return 366 * 8 * 86_400_000;
  let max = 0;
  for (let i = 1; i < fires.length; i++) max = Math.max(max, fires[i] - fires[i - 1]);
  return max * 60_000;
}

/**
 * The equivalent EventBridge (Scheduler) cron expression: `cron(min hour dom month dow year)`,
 * `?` in the unrestricted day field and day-of-week as names (EventBridge counts SUN as 1).
 */
export function toEventBridgeCron(s: CronSchedule): string {
  const parts = (MACROS[s.expression.trim()] ?? s.expression).trim().split(/\s+/);
  const dow = s.dowRestricted ? s.daysOfWeek.map((d) => DAYS[d]).join(',') : '?';
  const dom = s.dowRestricted ? '?' : parts[2];
  return `cron(${parts[0]} ${parts[1]} ${dom} ${parts[3]} ${dow} *)`;
}

/** Average runs per 730-hour month, counted over the same eight-year window (the cost model's training and scoring runs). */
export function averageRunsPerMonth(s: CronSchedule): number {
  const days = 366 * 8;
  return fireMinutes(s, Date.UTC(2024, 0, 1) / 86_400_000, days).length / ((days * 24) / 730);
}
