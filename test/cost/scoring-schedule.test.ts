// Train weekly, score daily: the cost model counts scorings at the scoring pace (inference.schedule)
// plus the scoring after each training run, not at the training pace.
import { PlatformCost } from '../../lib/cost';
import { scoringsPerMonth, runsPerMonth } from '../../lib/cost/model-cost';
import { parse } from 'yaml';
import { ModelSpec, parseModelSpecObject } from '../../lib/spec';
import { MINIMAL_YAML } from '../spec/fixtures';

const base = parse(MINIMAL_YAML);
const WEEKLY = { schedule: { cron: '0 3 * * MON' } };
const fallback = base.inference.rules;
const weeklyOnly = { ...WEEKLY, inference: { ttl: '8d', rules: fallback } };
const weeklyScoredDaily = { ...WEEKLY, inference: { ttl: '3d', schedule: { cron: '0 6 * * *' }, rules: fallback } };

function spec(extra: Record<string, unknown>): ModelSpec {
  const { spec: s, problems } = parseModelSpecObject({ ...base, ...extra }, { file: 'models/demand/model.yaml' });
  if (!s) throw new Error(JSON.stringify(problems));
  return s;
}
const groupUsd = (extra: Record<string, unknown>, group: string) => new PlatformCost({ models: [spec(extra)] }).lines
  .filter((l) => l.scope !== 'platform' && l.group === group).reduce((sum, l) => sum + l.usd, 0);

describe('scorings a month', () => {
  test('follow the training schedule without inference.schedule', () => {
    const weekly = spec(weeklyOnly);
    expect(scoringsPerMonth(weekly)).toBeCloseTo(runsPerMonth(weekly), 9);
  });

  test('add the scoring schedule to the runs of a weekly model', () => {
    const weekly = spec(weeklyOnly);
    const scored = spec(weeklyScoredDaily);
    // About 4.3 training runs and 30.4 daily scorings a month.
    expect(scoringsPerMonth(scored)).toBeCloseTo(runsPerMonth(scored) + 365.25 / 12, 1);
    expect(groupUsd(weeklyScoredDaily, 'scoring')).toBeGreaterThan(6 * groupUsd(weeklyOnly, 'scoring'));
    expect(groupUsd(weeklyScoredDaily, 'training')).toBeCloseTo(groupUsd(weeklyOnly, 'training'), 9);
    expect(scoringsPerMonth(weekly)).toBeLessThan(5);
  });
});
