import { formatDuration, maxIntervalMs, parseCron, parseDuration, parseSize, toEventBridgeCron } from '../../lib/spec';

const DAY = 86_400_000;

describe('human durations and sizes', () => {
  test.each([
    ['3d', 3 * DAY], ['500ms', 500], ['1h30m', 5_400_000], ['90s', 90_000], ['1.5d', 1.5 * DAY], ['2w', 14 * DAY],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['3 days', '3', '', 'd3', '5y', '1h 30m'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());

  test('formats milliseconds compactly', () => {
    expect(formatDuration(3 * DAY)).toBe('3d');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(250)).toBe('250ms');
  });

  test('parses binary and decimal sizes', () => {
    expect(parseSize('30GiB')).toBe(30 * 2 ** 30);
    expect(parseSize('512MiB')).toBe(512 * 2 ** 20);
    expect(parseSize('1.5TB')).toBe(1.5e12);
    expect(parseSize('30')).toBeUndefined();
    expect(parseSize('30 gigs')).toBeUndefined();
  });
});

describe('cron schedules', () => {
  const interval = (expr: string) => {
    const c = parseCron(expr);
    if (typeof c === 'string') throw new Error(c);
    return maxIntervalMs(c);
  };

  test('measures the longest gap between runs', () => {
    expect(interval('0 2 * * *')).toBe(DAY);
    expect(interval('@hourly')).toBe(3_600_000);
    expect(interval('0 3 * * MON')).toBe(7 * DAY);
    expect(interval('0 3 * * MON-FRI')).toBe(3 * DAY); // Friday to Monday
    expect(interval('30 */6 * * *')).toBe(6 * 3_600_000);
    expect(interval('0 0 1 * *')).toBe(31 * DAY);
  });

  test('a schedule that never fires has no interval', () => {
    expect(interval('0 0 30 2 *')).toBeUndefined();
  });

  test('explains malformed expressions', () => {
    expect(parseCron('0 2 * *')).toMatch(/expected 5 fields/);
    expect(parseCron('0 25 * * *')).toMatch(/hour field "25".*outside 0-23/);
    expect(parseCron('0 2 1 * MON')).toMatch(/restrict either day-of-month or day-of-week/);
    expect(parseCron('0 2 * * FUNDAY')).toMatch(/day-of-week field/);
  });

  test('translates to EventBridge cron with "?" and day names', () => {
    expect(toEventBridgeCron(parseCron('0 2 * * *') as never)).toBe('cron(0 2 * * ? *)');
    expect(toEventBridgeCron(parseCron('0 3 * * 1-5') as never)).toBe('cron(0 3 ? * MON,TUE,WED,THU,FRI *)');
    expect(toEventBridgeCron(parseCron('0 0 1 * *') as never)).toBe('cron(0 0 1 * ? *)');
  });
});
