import fc from 'fast-check';
import { Compliance, ingestionFeedsTraining } from '../../lib/checks';
import { specWith } from '../spec/fixtures';

const CMD = ['python3', '/opt/program/ingest.py'];
const spec = (every: string, cron: string, maxAge = '1d', extra: Record<string, unknown> = {}, timeZone = 'UTC') => specWith({
  schedule: { cron, timeZone },
  data: { maxAge, ingestion: { every, command: CMD, ...extra } },
});

describe('MLOPS-IngestionFeedsTraining', () => {
  test('compliant: 12h ingestion, training at 13:00 (after the 00-12 window landed), 6h maxAge', () => {
    expect(ingestionFeedsTraining.check(spec('12h', '0 13 * * *', '6h')).compliance).toBe(Compliance.COMPLIANT);
  });

  test('non-compliant: 12h ingestion and training at 02:00 finds no window of its date (the issue\'s case), with the fix', () => {
    const outcome = ingestionFeedsTraining.check(spec('12h', '0 2 * * *', '6h'));
    expect(outcome).toMatchObject({ compliance: Compliance.NON_COMPLIANT, path: 'schedule.cron' });
    expect(outcome.detail).toMatch(/reads demand\/<category>\/2026-0\d-\d\d\/, but no window of data.ingestion.every "12h" dated .* has been delivered by then.*set data.ingestion.triggersTraining: true/);
  });

  test('non-compliant: training at 23:00 sees the 00-12 window 11h old, over a 6h maxAge; the fix names the age needed', () => {
    const outcome = ingestionFeedsTraining.check(spec('12h', '0 23 * * *', '6h'));
    expect(outcome).toMatchObject({ compliance: Compliance.NON_COMPLIANT, path: 'data.maxAge' });
    expect(outcome.detail).toMatch(/newest delivered window 11h old .* older than data.maxAge 6h: raise data.maxAge to 11h, ingest more often/);
  });

  test('a delivery needs its allowance: training exactly at the end of a window does not see it', () => {
    expect(ingestionFeedsTraining.check(spec('6h', '0 6 * * *', '1d')).compliance).toBe(Compliance.NON_COMPLIANT);
    expect(ingestionFeedsTraining.check(spec('6h', '30 6 * * *', '1d')).compliance).toBe(Compliance.COMPLIANT);
  });

  test('time zones: 6h UTC windows dated in Paris feed a Paris training at 09:00 but not at 08:00 in summer time', () => {
    // The 00-06 UTC window starts 01:00 Paris in winter, 02:00 in summer, and lands at 07:15 / 08:15 Paris.
    expect(ingestionFeedsTraining.check(spec('6h', '0 9 * * *', '1d', { timeZone: 'Europe/Paris' }, 'Europe/Paris')).compliance).toBe(Compliance.COMPLIANT);
    expect(ingestionFeedsTraining.check(spec('6h', '0 8 * * *', '1d', { timeZone: 'Europe/Paris' }, 'Europe/Paris')).detail).toMatch(/training run at 2026-0[34]-\d\dT06:00:00.000Z/);
  });

  test('not applicable: no ingestion, training triggered by the data, or a paused schedule', () => {
    expect(ingestionFeedsTraining.check(specWith({})).compliance).toBe(Compliance.NOT_APPLICABLE);
    expect(ingestionFeedsTraining.check(spec('12h', '0 2 * * *', '6h', { triggersTraining: true })).compliance).toBe(Compliance.NOT_APPLICABLE);
  });

  test('property: with hourly ingestion, training at minute >= 15 past any hour from 01:00 is fed and at most 1h15m old', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 23 }), fc.integer({ min: 15, max: 59 }), (hour, minute) => {
      expect(ingestionFeedsTraining.check(spec('1h', `${minute} ${hour} * * *`, '2h')).compliance).toBe(Compliance.COMPLIANT);
    }), { numRuns: 10 });
  });
});
