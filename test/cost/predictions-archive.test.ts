// The predictions archive is priced by the tiers its lifecycle moves it through (issue 20 §7):
// Standard for 30 days, Standard-IA to 90, Glacier Instant Retrieval after.
import { join } from 'node:path';
import { PlatformCost, pricesFor } from '../../lib/cost';
import { runsPerMonth } from '../../lib/cost/model-cost';
import { USAGE } from '../../lib/cost/usage';
import { PREDICTIONS_ARCHIVE_TIERS } from '../../lib/data-lake/data-lake-lifecycle';
import { loadModelSpec } from '../../lib/spec/load-model-spec';

const example = loadModelSpec(join(__dirname, '..', '..', 'models', 'demand-forecast', 'model.yaml'));
const archiveLine = (month: number) => new PlatformCost({ models: [example], monthOfOperation: month }).lines.find((l) => l.item.startsWith('predictions archive'))!;

describe('predictions archive storage', () => {
  const prices = pricesFor('us-east-1');
  const gbPerDay = (runsPerMonth(example) * USAGE.predictionsPerRun * USAGE.predictionArchiveBytes) / 1e9 / (730 / 24);

  test('the tiers are the DataLake lifecycle\'s: Standard-IA after 30 days, Glacier Instant Retrieval after 90', () => {
    expect(PREDICTIONS_ARCHIVE_TIERS.map((t) => [t.label, t.afterDays])).toEqual([['Standard-IA', 30], ['Glacier Instant Retrieval', 90]]);
    expect(archiveLine(12).item).toBe('predictions archive (gzip; Standard-IA after 30 days, Glacier Instant Retrieval after 90), month 12');
  });

  test('month 1 is all Standard; month 12 keeps 30 days in Standard, 60 in Standard-IA and the rest in Glacier IR', () => {
    const days1 = 730 / 24;
    expect(archiveLine(1).usd).toBeCloseTo(Math.min(days1, 30) * gbPerDay * prices.s3StandardGbMonth + Math.max(days1 - 30, 0) * gbPerDay * prices.s3InfrequentGbMonth, 9);
    const days12 = 12 * days1;
    const expected = 30 * gbPerDay * prices.s3StandardGbMonth + 60 * gbPerDay * prices.s3InfrequentGbMonth + (days12 - 90) * gbPerDay * prices.s3GlacierInstantGbMonth;
    expect(archiveLine(12).usd).toBeCloseTo(expected, 9);
    // Cheaper than keeping the whole archive in Standard, as before.
    expect(archiveLine(12).usd).toBeLessThan(days12 * gbPerDay * prices.s3StandardGbMonth / 3);
  });
});
