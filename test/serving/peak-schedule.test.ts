// Peak windows across midnight, the week's end and daylight saving changes (issue 20 §3): the
// synthesized scheduled actions, run through a model of Application Auto Scaling
// (scheduled-minimum.ts), hold the peak minimum exactly during [start - 15 min, start + duration)
// in wall-clock time of the window's zone, and the normal minimum otherwise. Fixed instants only.
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import fc from 'fast-check';
import { ModelRegistry } from '../../lib/model-registry';
import { PredictionApi } from '../../lib/prediction-api';
import { PredictionService, PeakWindow } from '../../lib/prediction-service';
import { schedulePeaks } from '../../lib/prediction-service/peak-schedule';
import { PredictionStore } from '../../lib/prediction-store';
import { peakWindows } from '../../lib/platform/spec-mapping';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { testApp } from '../support/cdk';
import { ScheduledTarget, minimumsAt, offsetAt, scheduledTarget } from './scheduled-minimum';

const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const LEAD = 15;
const WEEK = 7 * 1440;
const ECS = 'ecs:service:DesiredCount';
const PC = 'lambda:function:ProvisionedConcurrency';
const models = [{ model: 'demand-forecast' }];

/** A window as the test reasons about it: start minute of the day, length in minutes, weekdays (0 = Sunday). */
interface Window { start: number; length: number; days: number[] }

/** The oracle: is the wall-clock minute of the week inside [start - lead, start + length) of a window? */
function inPeak(windows: readonly Window[], minuteOfWeek: number): boolean {
  return windows.some((w) => w.days.some((d) => ((minuteOfWeek - (d * 1440 + w.start - LEAD)) % WEEK + WEEK) % WEEK < LEAD + w.length));
}

function wallMinuteOfWeek(timeZone: string, t: number): number {
  const wall = new Date(t + offsetAt(timeZone, t) * 60_000);
  return wall.getUTCDay() * 1440 + wall.getUTCHours() * 60 + wall.getUTCMinutes();
}

/** Every minute of [from, from + days) compared with the oracle; returns the first disagreement. */
function firstMismatch(target: ScheduledTarget, windows: readonly Window[], timeZone: string, peak: number, normal: number, from: number, days: number): string | undefined {
  const instants = Array.from({ length: days * 1440 }, (_, i) => from + i * 60_000);
  const got = minimumsAt(target, instants);
  for (let i = 0; i < instants.length; i++) {
    const expected = inPeak(windows, wallMinuteOfWeek(timeZone, instants[i])) ? peak : normal;
    if (got[i] !== expected) return `${new Date(instants[i]).toISOString()} (${timeZone}): minimum ${got[i]}, expected ${expected}`;
  }
  return undefined;
}

function deps(stack: Stack) {
  return { registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions') };
}

/** The reference scenario's service (2 tasks, 4 at peak) with the windows. */
function serviceTarget(windows: PeakWindow[]): ScheduledTarget {
  const stack = new Stack(testApp(), 'S');
  new PredictionService(stack, 'Service', { ...deps(stack), models, peakWindows: windows });
  return scheduledTarget(Template.fromStack(stack), ECS);
}

function apiTarget(windows: PeakWindow[]): ScheduledTarget {
  const stack = new Stack(testApp(), 'S');
  new PredictionApi(stack, 'Api', { ...deps(stack), models, provisionedConcurrency: 5, peakWindows: windows });
  return scheduledTarget(Template.fromStack(stack), PC);
}

/** The windows a spec declares, as the platform maps them. */
function specWindows(timeZone: string, declared: Array<{ start: string; duration: string }>): PeakWindow[] {
  const { spec, problems } = parseModelSpecObject({
    name: 'm1', description: 'd', owner: 'o@example.com', training: { image: 'repo/x:1' }, evaluation: { metric: 'rmse' },
    schedule: { cron: '0 2 * * *', timeZone }, inference: { mode: 'batch', serving: 'none', peakWindows: declared.map((w) => ({ ...w, tps: 900 })) },
  });
  if (!spec) throw new Error(JSON.stringify(problems));
  return peakWindows(spec);
}

// Monday 2026-03-02 00:00 UTC, a week without a daylight saving change anywhere tested.
const QUIET_WEEK = Date.UTC(2026, 2, 2);
const at = (iso: string) => Date.parse(iso);

describe('peak windows of the issue', () => {
  test('"0 22 * * MON-FRI" for 2h: Friday\'s window ends Saturday 00:00, not Monday', () => {
    const windows = specWindows('UTC', [{ start: '0 22 * * MON-FRI', duration: '2h' }]);
    const target = serviceTarget(windows);
    expect(target.actions).toEqual([
      { schedule: 'cron(45 21 ? * MON-FRI *)', timeZone: 'UTC', minCapacity: 4 },
      { schedule: 'cron(0 0 ? * TUE-SAT *)', timeZone: 'UTC', minCapacity: 2 },
    ]);
    const [friLead, friLate, satMidnight, satNoon, sun, monBefore, monLead] = minimumsAt(target, [
      at('2026-03-06T21:45:00Z'), at('2026-03-06T23:59:00Z'), at('2026-03-07T00:00:00Z'), at('2026-03-07T12:00:00Z'),
      at('2026-03-08T12:00:00Z'), at('2026-03-09T21:44:00Z'), at('2026-03-09T21:45:00Z'),
    ]);
    expect([friLead, friLate, satMidnight, satNoon, sun, monBefore, monLead]).toEqual([4, 4, 2, 2, 2, 2, 4]);
    expect(firstMismatch(target, [{ start: 22 * 60, length: 120, days: [1, 2, 3, 4, 5] }], 'UTC', 4, 2, QUIET_WEEK, 7)).toBeUndefined();
  });

  test('"30 23 * * SAT" for 3h: the peak runs from Saturday 23:15 to Sunday 02:30, then the minimum is back', () => {
    const windows = specWindows('UTC', [{ start: '30 23 * * SAT', duration: '3h' }]);
    const target = serviceTarget(windows);
    expect(target.actions.map((a) => a.schedule)).toEqual(['cron(15 23 ? * SAT *)', 'cron(30 2 ? * SUN *)']);
    expect(minimumsAt(target, [at('2026-03-07T23:14:00Z'), at('2026-03-07T23:15:00Z'), at('2026-03-08T02:29:00Z'), at('2026-03-08T02:30:00Z'), at('2026-03-12T12:00:00Z')]))
      .toEqual([2, 4, 4, 2, 2]);
    expect(firstMismatch(target, [{ start: 23 * 60 + 30, length: 180, days: [6] }], 'UTC', 4, 2, QUIET_WEEK, 7)).toBeUndefined();
  });

  test('the Lambda API\'s provisioned concurrency follows the same schedule', () => {
    const windows = specWindows('UTC', [{ start: '0 22 * * MON-FRI', duration: '2h' }]);
    const target = apiTarget(windows);
    expect(target.base).toBe(0);
    expect(firstMismatch(target, [{ start: 22 * 60, length: 120, days: [1, 2, 3, 4, 5] }], 'UTC', 5, 0, QUIET_WEEK, 7)).toBeUndefined();
  });

  test('a window at midnight scales out on the previous day, 15 minutes ahead', () => {
    const target = serviceTarget([{ startHour: 0, duration: Duration.hours(1), daysOfWeek: 'MON' }]);
    expect(target.actions.map((a) => a.schedule)).toEqual(['cron(45 23 ? * SUN *)', 'cron(0 1 ? * MON *)']);
  });

  test('minutes of a spec start are honoured: "08:30" for 1h30m scales out at 08:15 and back at 10:00', () => {
    const windows = specWindows('Europe/Paris', [{ start: '08:30', duration: '1h30m' }]);
    expect(windows).toEqual([{ startHour: 8, startMinute: 30, duration: Duration.minutes(90), daysOfWeek: '*', timeZone: 'Europe/Paris' }]);
    expect(serviceTarget(windows).actions).toEqual([
      { schedule: 'cron(15 8 ? * * *)', timeZone: 'Europe/Paris', minCapacity: 4 },
      { schedule: 'cron(0 10 ? * * *)', timeZone: 'Europe/Paris', minCapacity: 2 },
    ]);
  });

  test('overlapping and touching windows merge into one peak (an end never cuts another window)', () => {
    const target = serviceTarget([
      { startHour: 8, endHour: 10, daysOfWeek: 'MON-FRI' },
      { startHour: 9, duration: Duration.hours(3), daysOfWeek: 'MON-FRI' },
      { startHour: 12, startMinute: 15, duration: Duration.minutes(30), daysOfWeek: 'MON-FRI' },
    ]);
    expect(target.actions.map((a) => a.schedule)).toEqual(['cron(45 7 ? * MON-FRI *)', 'cron(45 12 ? * MON-FRI *)']);
  });
});

describe('daylight saving changes', () => {
  test('Europe/Paris, SAT 22:00 for 6h across the spring change: the peak ends at 04:00 wall clock (5 hours later)', () => {
    const target = serviceTarget([{ startHour: 22, duration: Duration.hours(6), daysOfWeek: 'SAT', timeZone: 'Europe/Paris' }]);
    // 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00 UTC).
    expect(minimumsAt(target, [at('2026-03-28T20:44:00Z'), at('2026-03-28T20:45:00Z'), at('2026-03-29T01:59:00Z'), at('2026-03-29T02:00:00Z')])).toEqual([2, 4, 4, 2]);
    // 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00 UTC); the window lasts 7 hours.
    expect(minimumsAt(target, [at('2026-10-24T19:44:00Z'), at('2026-10-24T19:45:00Z'), at('2026-10-25T02:59:00Z'), at('2026-10-25T03:00:00Z')])).toEqual([2, 4, 4, 2]);
  });

  test.each([
    ['30 23 * * SAT', '3h', 'Europe/Paris', /peakWindows\[0\] must not start \(15 minutes ahead\) or end between SUN 02:00 and 03:00, the hour Europe\/Paris skips or repeats .* but SAT 23:30 for 3h \(the peak ends at SUN 02:30\) was provided: move the start/],
    ['0 0 * * *', '1h30m', 'America/New_York', /must not start \(15 minutes ahead\) or end between SUN 01:00 and 02:00, the hour America\/New_York skips or repeats/],
  ])('"%s" for %s in %s ends inside the hour the clocks change: refused with the field, the value and the fix', (start, duration, timeZone, message) => {
    expect(() => serviceTarget(specWindows(timeZone, [{ start, duration }]))).toThrow(message);
  });
});

describe('refused windows name the field, the value and the fix', () => {
  test.each([
    [[{ startHour: 8, endHour: 10, timeZone: 'Europe/Paris' }, { startHour: 18, endHour: 20, timeZone: 'UTC' }], /peakWindows\[1\].timeZone must be the time zone of peakWindows\[0\] \("Europe\/Paris"\), but "UTC" was provided/],
    [[{ startHour: 8, endHour: 10, timeZone: 'Mars/Olympus' }], /peakWindows\[0\].timeZone must be an IANA time zone name .* but "Mars\/Olympus" was provided/],
    [[{ startHour: 8, endHour: 10, daysOfWeek: '1-5' }], /peakWindows\[0\].daysOfWeek must be "\*" or day names, lists and ranges such as "MON-FRI" or "SAT,SUN", but "1-5" was provided: write day names/],
    [[{ startHour: 8 }], /peakWindows\[0\] must give exactly one of duration and endHour, but neither was provided/],
    [[{ startHour: 8, endHour: 10, duration: Duration.hours(2) }], /peakWindows\[0\] must give exactly one of duration and endHour, but both was provided/],
    [[{ startHour: 8, duration: Duration.hours(25) }], /peakWindows\[0\].duration must be whole minutes between 1 minute and 24 hours, but 1 day 1 hour was provided/],
    [[{ startHour: 8, startMinute: 60, duration: Duration.hours(1) }], /peakWindows\[0\].startMinute must be a whole minute between 0 and 59, but 60 was provided/],
    [[{ startHour: 22, endHour: 2 }], /peakWindows\[0\].endHour must be a whole hour after startHour \(22\) and at most 24, but 2 was provided: for a window past midnight give duration instead/],
    [[{ startHour: 8, duration: Duration.hours(24) }], /peakWindows must leave some time of each week outside the peaks \(15-minute lead included\), but windows covering the whole week were provided: raise the normal traffic/],
  ])('%j', (windows, message) => {
    expect(() => serviceTarget(windows as PeakWindow[])).toThrow(message);
  });

  test('a spec start restricted to days of the month is refused at the field', () => {
    const { problems } = parseModelSpecObject({
      name: 'm1', description: 'd', owner: 'o@example.com', training: { image: 'repo/x:1' }, evaluation: { metric: 'rmse' },
      inference: { mode: 'batch', serving: 'none', peakWindows: [{ start: '0 8 1 * *', duration: '2h', tps: 10 }] },
    });
    expect(problems).toEqual([expect.objectContaining({ path: 'inference.peakWindows[0].start', expected: expect.stringMatching(/repeats by weekday/) })]);
  });
});

// Generated windows: start hour and minute, 1 minute to 24 hours, any weekday set written as a
// list, a range or "*", in zones with and without daylight saving time. Each run is checked
// minute by minute over the eight days around a spring and an autumn change.
const ZONES: Record<string, { changes: string[]; dstHours: Array<[number, number]> }> = {
  'UTC': { changes: ['2026-03-04'], dstHours: [] },
  'Asia/Kolkata': { changes: ['2026-03-04'], dstHours: [] },
  // Sunday 02:00-03:00 is skipped in spring and repeated in autumn.
  'Europe/Paris': { changes: ['2026-03-29', '2026-10-25'], dstHours: [[120, 180]] },
  // Sunday 02:00-03:00 is skipped in spring, 01:00-02:00 repeated in autumn.
  'America/New_York': { changes: ['2026-03-08', '2026-11-01'], dstHours: [[60, 180]] },
};

const daysText = (days: number[]) => fc.constantFrom(
  days.length === 7 ? '*' : days.map((d) => DAYS[d]).join(','),
  days.map((d) => DAYS[d]).join(',').toLowerCase(),
  // A range when the days are consecutive (across the week's end too).
  ...Array.from({ length: 7 }, (_, first) => first).filter((first) => days.every((_, i) => days.includes((first + i) % 7)))
    .map((first) => `${DAYS[first]}-${DAYS[(first + days.length - 1) % 7]}`),
);
const window = fc.record({
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.oneof(fc.constantFrom(0, 15, 30, 45), fc.integer({ min: 0, max: 59 })),
  length: fc.oneof(fc.integer({ min: 1, max: 240 }), fc.integer({ min: 1, max: 1440 })),
  days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }).map((d) => d.sort((a, b) => a - b)),
}).chain((w) => daysText(w.days).map((text) => ({ ...w, text })));

test('generated windows: the peak minimum holds exactly in [start - 15 min, start + duration), across midnight, the week\'s end and DST', () => {
  let scheduled = 0;
  fc.assert(fc.property(fc.constantFrom(...Object.keys(ZONES)), fc.array(window, { minLength: 1, maxLength: 3 }), (timeZone, generated) => {
    const windows: Window[] = generated.map((w) => ({ start: w.hour * 60 + w.minute, length: w.length, days: w.days }));
    const stack = new Stack(testApp(), 'S');
    const target = new appscaling.ScalableTarget(stack, 'Target', {
      serviceNamespace: appscaling.ServiceNamespace.ECS, resourceId: 'service/cluster/service', scalableDimension: ECS, minCapacity: 2, maxCapacity: 10,
    });
    const props: PeakWindow[] = generated.map((w) => ({ startHour: w.hour, startMinute: w.minute, duration: Duration.minutes(w.length), daysOfWeek: w.text, timeZone }));
    // Where the peak starts or ends, in wall-clock minutes of the week (the oracle's own view).
    const changes = Array.from({ length: WEEK }, (_, m) => m).filter((m) => inPeak(windows, m) !== inPeak(windows, (m + WEEK - 1) % WEEK));
    let error: Error | undefined;
    try {
      schedulePeaks(target, props, { peak: { minCapacity: 7 }, normal: { minCapacity: 2 } });
    } catch (e) {
      error = e as Error;
    }
    const inDstHour = changes.some((m) => ZONES[timeZone].dstHours.some(([from, to]) => m >= from && m < to));
    if (changes.length === 0) {
      expect(error?.message).toMatch(/windows covering the whole week/);
      return;
    }
    expect(error?.message).toEqual(inDstHour ? expect.stringMatching(/skips or repeats when daylight saving time changes/) : undefined);
    if (error) return;
    scheduled++;
    const synthesized = scheduledTarget(Template.fromStack(stack), ECS);
    for (const change of ZONES[timeZone].changes) {
      const from = Date.parse(`${change}T00:00:00Z`) - 4 * 86_400_000;
      expect(firstMismatch(synthesized, windows, timeZone, 7, 2, from, 8)).toBeUndefined();
    }
  }), { numRuns: 60 });
  // Not vacuous: most generated windows are scheduled, not refused.
  expect(scheduled).toBeGreaterThan(30);
}, 10 * 60_000);
