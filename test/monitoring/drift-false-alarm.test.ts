// False-alarm rate of the drift alarm at the minimum sample size, measured by a seeded
// simulation with the real psi(): batches drawn from the baseline's own distribution (no drift
// at all), the share whose PSI crosses the alarm threshold. Prints the table the README quotes:
//   npx jest test/monitoring/drift-false-alarm.test.ts
import fc from 'fast-check';
import { DEFAULT_DRIFT_THRESHOLD } from '../../lib/monitoring/drift-alarms';
import { psi } from '../../lambda/shared/monitoring/psi';
import { effectiveSampleSize, minimumSampleSize } from '../../lambda/shared/monitoring/sample-size';

const SEED = 19;
const TRIALS = 5_000;

/** mulberry32: a small seeded PRNG, so every run measures the same numbers. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n values in k equally likely bins (quantile bins of the baseline: each holds 1/k). */
function draw(random: () => number, bins: number, n: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) counts[Math.floor(random() * bins)]++;
  return counts;
}

/** Share of no-drift batches of `batch` values whose PSI exceeds the threshold; baseline `undefined` = exact shares. */
function falseAlarmRate(bins: number, batch: number, baseline: number | undefined, seed = SEED): number {
  const random = prng(seed);
  let alarms = 0;
  for (let t = 0; t < TRIALS; t++) {
    const expected = baseline === undefined ? new Array<number>(bins).fill(1) : draw(random, bins, baseline);
    if (psi(expected, draw(random, bins, batch))! > DEFAULT_DRIFT_THRESHOLD) alarms++;
  }
  return alarms / TRIALS;
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;

describe(`drift false alarms (seed ${SEED}, ${TRIALS} trials per row, threshold ${DEFAULT_DRIFT_THRESHOLD})`, () => {
  test('without a minimum, small batches alarm on unchanged models (the defect)', () => {
    expect(falseAlarmRate(10, 5, undefined)).toBe(1);
    expect(falseAlarmRate(10, 20, undefined)).toBeGreaterThan(0.9);
    expect(falseAlarmRate(10, 50, undefined)).toBeGreaterThan(0.4);
  });

  test('at the minimum effective sample size the false-alarm rate per batch stays below 0.5 %', () => {
    const rows: string[] = ['| bins | minimum (effective) | batch | baseline | effective | false alarms per batch |', '|---|---|---|---|---|---|'];
    for (const bins of [5, 10]) {
      const min = minimumSampleSize(bins);
      // The same effective size reached three ways: exact baseline shares, a baseline 4x the batch, equal sizes.
      for (const [batch, baseline] of [[min, undefined], [Math.ceil(min * 1.25), Math.ceil(min * 5)], [2 * min, 2 * min]] as Array<[number, number | undefined]>) {
        const effective = baseline === undefined ? batch : effectiveSampleSize(batch, baseline);
        expect(effective).toBeGreaterThanOrEqual(min);
        const rate = falseAlarmRate(bins, batch, baseline);
        rows.push(`| ${bins} | ${min} | ${batch} | ${baseline ?? 'exact shares'} | ${Math.round(effective)} | ${pct(rate)} |`);
        expect(rate).toBeLessThan(0.005);
      }
    }
    // eslint-disable-next-line no-console
    console.log(rows.join('\n'));
  });

  test('the minimum is at least 100 and 10 values per bin for any bin count', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), (bins) => {
      const min = minimumSampleSize(bins);
      return min >= 100 && min >= 10 * bins;
    }));
  });
});
