// One freshness rule: the TTL pattern check and the freshness alarms derive from
// lib/spec/freshness.ts, so a spec passes the check exactly when its alarms can be built as
// intended (warning < critical <= ttl - 1h), and following the check's fix never leads into an
// alarm error.
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import fc from 'fast-check';
import { Compliance, scheduleMeetsRpo, ttlOutlivesNextBatch } from '../../lib/checks';
import { freshnessAges, validatePredictions } from '../../lib/monitoring/prediction-alarms';
import { predictionFreshness } from '../../lib/platform/spec-mapping';
import { ModelSpec, parseDuration } from '../../lib/spec';
import { specWith } from '../spec/fixtures';

const HOUR = 3600;
const BOUND = {} as sfn.IStateMachine;

/** The alarm math of a spec, as the platform builds it: satisfiable when the ages are ordered and leave an hour before expiry. */
function alarmSatisfiable(spec: ModelSpec): boolean {
  const props = { model: spec.name, categories: spec.categories, ttl: Duration.seconds(spec.inference.ttlSeconds), ...predictionFreshness(spec), batchInferenceStateMachine: BOUND };
  validatePredictions(props);
  const a = freshnessAges(props);
  return a.warning.toSeconds() < a.critical.toSeconds() && a.critical.toSeconds() <= spec.inference.ttlSeconds - HOUR;
}

const WEEKLY_DAILY = {
  schedule: { cron: '0 3 * * MON', timeZone: 'Europe/Paris' },
  evaluation: { metric: 'rmse', promotion: 'manual' },
  inference: { schedule: { cron: '0 6 * * *' } },
};

describe('train weekly, score daily', () => {
  test('a weekly-trained, daily-scored spec with manual promotion passes the TTL and RPO checks with the default 3d TTL', () => {
    const spec = specWith(WEEKLY_DAILY);
    expect(spec.inference.schedule).toEqual({ cron: '0 6 * * *', timeZone: 'Europe/Paris' });
    expect(ttlOutlivesNextBatch.check(spec).compliance).toBe(Compliance.COMPLIANT);
    expect(scheduleMeetsRpo.check(spec).compliance).toBe(Compliance.COMPLIANT);
    expect(alarmSatisfiable(spec)).toBe(true);
    // Daily pace, 12h scoring time limit: the warning fires at 36h, not after a week.
    expect(predictionFreshness(spec)).toEqual({ batchInterval: Duration.minutes(1440), warningAge: Duration.hours(36) });
  });

  test('without a scoring schedule, the weekly training pace and its attempts count against the TTL, not the approval wait (scoring runs before it)', () => {
    const { inference: _, ...weekly } = WEEKLY_DAILY;
    const outcome = ttlOutlivesNextBatch.check(specWith(weekly));
    expect(outcome.compliance).toBe(Compliance.NON_COMPLIANT);
    expect(outcome.detail).toContain('training interval (schedule; scoring follows training) 7d + lateness 6h (3 attempts x training.maxWait 2h)');
    expect(outcome.detail).not.toContain('approvalTimeout');
    expect(outcome.detail).toContain('set inference.ttl to at least 7d8h, or score on its own schedule (inference.schedule');
  });

  test('a paused training schedule does not stop scheduled scoring', () => {
    const spec = specWith({ ...WEEKLY_DAILY, schedule: { enabled: false } });
    expect(scheduleMeetsRpo.check(spec).compliance).toBe(Compliance.COMPLIANT);
    expect(ttlOutlivesNextBatch.check(spec).compliance).toBe(Compliance.COMPLIANT);
  });

  test('a scoring schedule that never fires is reported at inference.schedule.cron', () => {
    expect(scheduleMeetsRpo.check(specWith({ inference: { schedule: { cron: '0 0 30 2 *' } } }))).toMatchObject({
      compliance: Compliance.NON_COMPLIANT, path: 'inference.schedule.cron', detail: expect.stringMatching(/never fires/),
    });
  });
});

const cron = fc.record({
  minute: fc.integer({ min: 0, max: 59 }),
  hour: fc.integer({ min: 0, max: 23 }),
  days: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }), { nil: undefined }),
}).map(({ minute, hour, days }) => `${minute} ${hour} * * ${days ? [...days].sort().join(',') : '*'}`);

const freshnessSpec = fc.record({
  training: cron,
  scoring: fc.option(cron, { nil: undefined }),
  ttlHours: fc.integer({ min: 1, max: 90 * 24 }),
  retries: fc.integer({ min: 0, max: 9 }),
  runtimeMinutes: fc.integer({ min: 1, max: 48 * 60 }),
  extraWaitMinutes: fc.integer({ min: 0, max: 24 * 60 }),
  spot: fc.boolean(),
  manual: fc.boolean(),
  approvalHours: fc.integer({ min: 1, max: 14 * 24 }),
}).map((g) => specWith({
  schedule: { cron: g.training },
  training: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1', spot: g.spot, retries: g.retries, maxRuntime: `${g.runtimeMinutes}m`, maxWait: `${g.runtimeMinutes + g.extraWaitMinutes}m` },
  evaluation: { metric: 'rmse', promotion: g.manual ? 'manual' : 'auto', approvalTimeout: `${g.approvalHours}h` },
  inference: { ttl: `${g.ttlHours}h`, rpo: '365d', ...(g.scoring ? { schedule: { cron: g.scoring } } : {}) },
}));

describe('the TTL check and the freshness alarms are one rule', () => {
  test('a spec passes the check exactly when its alarm math is satisfiable', () => {
    fc.assert(fc.property(freshnessSpec, (spec) => {
      const passes = ttlOutlivesNextBatch.check(spec).compliance === Compliance.COMPLIANT;
      expect(passes).toBe(alarmSatisfiable(spec));
    }), { numRuns: 100 });
  });

  test('following the check\'s fix passes the check and builds the alarms', () => {
    fc.assert(fc.property(freshnessSpec, (spec) => {
      const detail = ttlOutlivesNextBatch.check(spec).detail;
      fc.pre(detail !== undefined);
      const ttl = parseDuration(/set inference.ttl to at least (\S+),/.exec(detail!)![1])! / 1000;
      fc.pre(ttl <= 90 * 86400); // the spec's TTL limit: beyond it the fix is the schedule
      const fixed: ModelSpec = { ...spec, inference: { ...spec.inference, ttlSeconds: ttl } };
      expect(ttlOutlivesNextBatch.check(fixed).compliance).toBe(Compliance.COMPLIANT);
      expect(alarmSatisfiable(fixed)).toBe(true);
    }), { numRuns: 100 });
  });
});

describe('train on arrival (data.ingestion.triggersTraining)', () => {
  // The time schedule is created disabled: each delivered window trains, and scoring follows.
  const ARRIVALS = {
    schedule: { cron: '30 5 * * MON', timeZone: 'America/Chicago' },
    data: { ingestion: { every: '12h', command: ['python3', 'pull.py'], triggersTraining: true } },
    inference: { ttl: '2d' },
  };

  test('the ingestion cadence paces the batches, not the disabled weekly schedule: a 2d TTL passes, and the alarms follow the 12h pace', () => {
    const spec = specWith(ARRIVALS);
    expect(ttlOutlivesNextBatch.check(spec).compliance).toBe(Compliance.COMPLIANT);
    expect(scheduleMeetsRpo.check(spec).compliance).toBe(Compliance.COMPLIANT);
    expect(alarmSatisfiable(spec)).toBe(true);
    expect(predictionFreshness(spec).batchInterval).toEqual(Duration.minutes(720));
  });

  test('a TTL shorter than the ingestion pace is refused at inference.ttl, naming data.ingestion and the delivery in the lateness', () => {
    const r = ttlOutlivesNextBatch.check(specWith({ ...ARRIVALS, data: { ingestion: { ...ARRIVALS.data.ingestion, every: '2d' } } }));
    expect(r.compliance).toBe(Compliance.NON_COMPLIANT);
    expect(JSON.stringify(r)).toMatch(/ingestion interval \(data\.ingestion\.every.*the delivery 15m.*ingest more often/);
  });

  test('without triggersTraining the training schedule still paces them', () => {
    const spec = specWith({ ...ARRIVALS, data: { ingestion: { ...ARRIVALS.data.ingestion, triggersTraining: false } }, schedule: { cron: '0 13 * * *' } });
    expect(predictionFreshness(spec).batchInterval).toEqual(Duration.minutes(1440));
  });
});
