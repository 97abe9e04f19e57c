// Dates and times on the command line. The tables print UTC (`2026-11-24 02:00`), so a time
// without a zone is read as UTC, never as the machine's local time, and what a table shows can be
// pasted back. A date must exist: `2026-02-30` is refused instead of becoming March 2.
import { parseDuration } from '../lib/spec/units';
import { UsageError } from './errors';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?$/;
const EXAMPLES = 'a date such as 2026-11-20, or a UTC time such as "2026-11-20 02:00" or 2026-11-20T02:00Z';

/** Milliseconds since the epoch of the UTC fields, or undefined when a field is out of range (Feb 30, 24:30). */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number | undefined {
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const back = new Date(t);
  const same = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d
    && back.getUTCHours() === h && back.getUTCMinutes() === mi && back.getUTCSeconds() === s;
  return same ? t : undefined;
}

/** `YYYY-MM-DD` that exists in the calendar; `flag` names the option in the error. */
export function parseDay(text: string, flag: string): string {
  const m = DAY.exec(text);
  if (!m) throw new UsageError(`${flag} "${text}" is not a date`, `write YYYY-MM-DD, e.g. ${flag} 2026-11-20`);
  if (utc(Number(m[1]), Number(m[2]), Number(m[3])) === undefined) {
    throw new UsageError(`${flag} "${text}" is not a real date`, `check the day of the month, e.g. ${flag} ${m[1]}-${m[2]}-01`);
  }
  return text;
}

/** `3d` (ago), a date, or a date-time (UTC unless it carries `Z` or an offset) -> ISO time. */
export function parseSince(text: string, now: Date): string {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now.getTime() - ms).toISOString();
  const day = DAY.exec(text);
  const m = day ? [...day, '00', '00'] : TIME.exec(text);
  if (!m) throw new UsageError(`--since "${text}" is neither a duration nor a date`, `use a duration such as 3d, 12h or 90m, or ${EXAMPLES}`);
  const [y, mo, d, h, mi, s, frac, zone] = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => m[i]);
  const t = utc(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? 0), frac === undefined ? 0 : Number(frac.padEnd(3, '0')));
  if (t === undefined) throw new UsageError(`--since "${text}" is not a real date and time`, `use ${EXAMPLES}`);
  const offset = zone && zone !== 'Z' ? (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000 : 0;
  return new Date(t - offset).toISOString();
}
