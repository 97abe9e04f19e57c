import fc from 'fast-check';
import { CronSchedule, maxIntervalMs, parseCron } from '../../lib/spec/cron';
import { IngestionCadence, ingestionWindow, manifestKey, partKey } from '../../lambda/shared/ingestion/window';

const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'];
const CRONS = ['0 */6 * * *', '30 2 * * *', '0 3 * * MON', '15 8,20 * * MON-FRI', '0 0 1 * *', '*/10 * * * *'];
const MINUTE = 60_000;
// Any instant from 2000 to 2100.
const instant = fc.integer({ min: Date.UTC(2000, 0, 1) / MINUTE, max: Date.UTC(2100, 0, 1) / MINUTE }).chain((m) => fc.integer({ min: 0, max: MINUTE - 1 }).map((ms) => new Date(m * MINUTE + ms)));

function cronFields(expression: string): CronSchedule {
  const c = parseCron(expression);
  if (typeof c === 'string') throw new Error(c);
  return c;
}
// As the construct passes it: the longest gap bounds the search back.
const cronCadence = (expression: string, timeZone: string): IngestionCadence => ({ cron: cronFields(expression), timeZone, intervalSeconds: maxIntervalMs(cronFields(expression))! / 1000 });

describe('ingestion windows (duration cadence)', () => {
  test('any cadence, time zone and time: the window just ended, and a re-run at any later time in the next window gets the same window and keys', () => {
    fc.assert(fc.property(instant, fc.integer({ min: 5, max: 7 * 1440 }), fc.constantFrom(...ZONES), fc.double({ min: 0, max: 1, noNaN: true }), (t, minutes, timeZone, f) => {
      const cadence: IngestionCadence = { intervalSeconds: minutes * 60, timeZone };
      const w = ingestionWindow(t, cadence);
      const start = Date.parse(w.start); const end = Date.parse(w.end);
      expect(end - start).toBe(minutes * MINUTE);
      expect(end).toBeLessThanOrEqual(t.getTime());
      expect(t.getTime() - end).toBeLessThan(minutes * MINUTE);
      const rerun = new Date(end + Math.floor(f * (minutes * MINUTE - 1)));
      expect(ingestionWindow(rerun, cadence)).toEqual(w);
      expect(partKey('m/', 'a', ingestionWindow(rerun, cadence), timeZone, 'csv')).toBe(partKey('m/', 'a', w, timeZone, 'csv'));
    }));
  });

  test('consecutive windows touch and never share a key (UTC)', () => {
    fc.assert(fc.property(instant, fc.integer({ min: 5, max: 7 * 1440 }), (t, minutes) => {
      const cadence: IngestionCadence = { intervalSeconds: minutes * 60, timeZone: 'UTC' };
      const w = ingestionWindow(t, cadence);
      const next = ingestionWindow(new Date(Date.parse(w.end) + minutes * MINUTE), cadence);
      expect(next.start).toBe(w.end);
      expect(partKey('m/', 'a', next, 'UTC', 'jsonl')).not.toBe(partKey('m/', 'a', w, 'UTC', 'jsonl'));
    }));
  });
});

describe('ingestion windows (cron cadence)', () => {
  test('the window runs from the previous fire time to the last one at or before the scheduled time; every time in between gives the same window', () => {
    fc.assert(fc.property(instant, fc.constantFrom(...CRONS), fc.constantFrom(...ZONES), fc.double({ min: 0, max: 1, noNaN: true }), (t, expression, timeZone, f) => {
      const cadence = cronCadence(expression, timeZone);
      const w = ingestionWindow(t, cadence);
      const start = Date.parse(w.start); const end = Date.parse(w.end);
      expect(start).toBeLessThan(end);
      expect(end).toBeLessThanOrEqual(t.getTime());
      const between = new Date(end + Math.floor(f * (t.getTime() - end)));
      expect(ingestionWindow(between, cadence)).toEqual(w);
    }), { numRuns: 30 });
  });

  test('a 6-hourly cron in Paris: the window and its key read in local time', () => {
    const w = ingestionWindow(new Date('2026-11-29T17:03:10Z'), cronCadence('0 */6 * * *', 'Europe/Paris'));
    expect(w).toEqual({ start: '2026-11-29T11:00:00.000Z', end: '2026-11-29T17:00:00.000Z' });
    expect(partKey('demand/', 'books', w, 'Europe/Paris', 'csv')).toBe('demand/books/2026-11-29/1200-360m.csv');
    expect(manifestKey('demand/', w, 'Europe/Paris')).toBe('demand/_ingestion/2026-11-29/1200-360m.json');
  });

  test('a gap that spans a DST fall-back (an hour longer in real time) still finds the previous fire', () => {
    // Friday 20:15 CEST -> Monday 07:17 CET (clocks went back on Sunday 2033-10-30): found by fast-check.
    const w = ingestionWindow(new Date('2033-10-31T06:17:00.000Z'), cronCadence('15 8,20 * * MON-FRI', 'Europe/Paris'));
    expect(w).toEqual({ start: '2033-10-28T06:15:00.000Z', end: '2033-10-28T18:15:00.000Z' });
  });

  test('a scheduled time that is not a time is refused with the fix', () => {
    expect(() => ingestionWindow(new Date('nope'), { intervalSeconds: 3600, timeZone: 'UTC' })).toThrow(/not a valid time: pass an ISO instant/);
  });
});
