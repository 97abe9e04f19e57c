import { Duration } from 'aws-cdk-lib';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { ModelSpec } from '../../lib/spec/model-spec';
import { peakWindows, scheduleInterval, trainingSchedule } from '../../lib/platform/spec-mapping';

function spec(extra: Record<string, unknown>): ModelSpec {
  const { spec: s, problems } = parseModelSpecObject({
    name: 'm1', description: 'd', owner: 'o@example.com', training: { image: 'repo/x:1' }, evaluation: { metric: 'rmse' },
    inference: { mode: 'batch', serving: 'none' }, ...extra,
  });
  if (!s) throw new Error(JSON.stringify(problems));
  return s;
}

describe('spec to construct props', () => {
  test('peak windows keep the start\'s hour and minute, the declared duration and the cron\'s weekdays', () => {
    const s = spec({ schedule: { cron: '0 2 * * *', timeZone: 'Europe/Paris' }, inference: { mode: 'batch', serving: 'none', peakWindows: [
      { start: '08:30', duration: '2h', tps: 900 },
      { start: '0 18 * * MON-FRI', duration: '1h30m', tps: 800 },
    ] } });
    expect(peakWindows(s)).toEqual([
      { startHour: 8, startMinute: 30, duration: Duration.minutes(120), daysOfWeek: '*', timeZone: 'Europe/Paris' },
      { startHour: 18, startMinute: 0, duration: Duration.minutes(90), daysOfWeek: 'MON-FRI', timeZone: 'Europe/Paris' },
    ]);
  });

  test('the schedule interval is the longest gap between runs, and a paused schedule has no expression', () => {
    expect(scheduleInterval(spec({ schedule: { cron: '0 2 * * *' } })).toHours()).toBe(24);
    expect(scheduleInterval(spec({ schedule: { cron: '0 */6 * * *' } })).toHours()).toBe(6);
    expect(scheduleInterval(spec({ schedule: { cron: '0 2 * * MON-FRI' } }))).toEqual(Duration.minutes(3 * 24 * 60));
    expect(trainingSchedule(spec({ schedule: { cron: '0 2 * * *', enabled: false } }))).toBeUndefined();
    expect(trainingSchedule(spec({ schedule: { cron: '0 2 * * MON-FRI', timeZone: 'UTC' } }))?.expressionString).toBe('cron(0 2 ? * MON,TUE,WED,THU,FRI *)');
  });
});
