import { isoWeekday, parseBaseline, predictionBaselineFor } from '../../lambda/shared/monitoring/baseline';
import { effectiveSampleSize, minimumSampleSize } from '../../lambda/shared/monitoring/sample-size';
import { EPSILON, binOf, mergeDegenerateBins, psi, psiOfValues } from '../../lambda/shared/monitoring/psi';

// Hand computations: PSI = sum (a - e) * ln(a / e) over bin shares, zero shares -> EPSILON (1e-4).
describe('psi', () => {
  test('matches the hand-computed value for a small shift', () => {
    // shares e = [0.5, 0.5], a = [0.4, 0.6]:
    // (0.4-0.5)ln(0.8) + (0.6-0.5)ln(1.2) = 0.0223144 + 0.0182322 = 0.0405465
    expect(psi([50, 50], [40, 60])).toBeCloseTo(0.0405465, 6);
  });

  test('is 0 for identical distributions, whatever the sample sizes', () => {
    expect(psi([10, 20, 70], [100, 200, 700])).toBeCloseTo(0, 12);
  });

  test('is symmetric in its two arguments', () => {
    expect(psi([30, 70], [60, 40])).toBeCloseTo(psi([60, 40], [30, 70])!, 12);
  });

  test('replaces an empty baseline bin by epsilon: a bounded, large contribution', () => {
    // e = [1, 0 -> 1e-4], a = [0.9, 0.1]:
    // (0.9-1)ln(0.9) + (0.1-0.0001)ln(0.1/0.0001) = 0.0105361 + 0.6900847 = 0.7006208
    expect(psi([100, 0], [90, 10])).toBeCloseTo(0.7006208, 6);
    expect(EPSILON).toBe(1e-4);
  });

  test('replaces an empty sample bin by epsilon as well', () => {
    // e = [0.5, 0.5], a = [1, 0 -> 1e-4]:
    // (1-0.5)ln(2) + (0.0001-0.5)ln(0.0001/0.5) = 0.3465736 + 4.2577449 = 4.6043185
    expect(psi([50, 50], [20, 0])).toBeCloseTo(4.6043185, 6);
  });

  test('a bin empty on both sides contributes nothing', () => {
    expect(psi([50, 0, 50], [40, 0, 60])).toBeCloseTo(psi([50, 50], [40, 60])!, 12);
  });

  test('has no value when either side is empty (no data is not "no drift")', () => {
    expect(psi([0, 0], [1, 2])).toBeUndefined();
    expect(psi([1, 2], [0, 0])).toBeUndefined();
  });

  test('rejects bins that do not line up, and negative counts', () => {
    expect(() => psi([1, 2], [1, 2, 3])).toThrow(/same number of bins.*baseline has 2 and the sample 3/);
    expect(() => psi([1, -2], [1, 2])).toThrow(/baseline count of bin 1 must be a finite number >= 0, but -2/);
  });
});

describe('binning', () => {
  test('puts a value equal to a cut point in the upper bin, with open ends', () => {
    const edges = [0.2, 0.5];
    expect([-5, 0.1, 0.2, 0.3, 0.5, 9].map((x) => binOf(edges, x))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  test('merges zero-width bins of duplicate cut points (a constant feature)', () => {
    const merged = mergeDegenerateBins({ type: 'numeric', edges: [1, 1, 1, 2], counts: [0, 100, 0, 0, 5] });
    expect(merged).toEqual({ type: 'numeric', edges: [1, 2], counts: [0, 100, 5] });
  });

  test('a constant feature that stays constant has PSI 0; one that moves drifts', () => {
    const baseline = { type: 'numeric' as const, edges: [3, 3, 3], counts: [0, 0, 0, 50] };
    expect(psiOfValues(baseline, [3, 3, 3, 3])).toBeCloseTo(0, 12);
    // All mass moves from bin [3, inf) to (-inf, 3): e = [1e-4, 1], a = [1, 1e-4]
    // 2 * (1 - 1e-4) * ln(1e4) = 18.4184...
    expect(psiOfValues(baseline, [1, 2])).toBeCloseTo(2 * (1 - 1e-4) * Math.log(1e4), 6);
  });

  test('counts values into numeric bins and skips non-numbers', () => {
    // bins (-inf,0.5) [0.5,inf): baseline [50, 50]; sample [2, 3] plus a skipped null and "x"
    const v = psiOfValues({ type: 'numeric', edges: [0.5], counts: [50, 50] }, [0.1, 0.2, 0.6, 0.7, 0.8, null, 'x']);
    // e = [0.5, 0.5], a = [0.4, 0.6] -> 0.0405465
    expect(v).toBeCloseTo(0.0405465, 6);
  });

  test('categorical: unseen values fall into "other", which the baseline may omit (0)', () => {
    const h = { type: 'categorical' as const, categories: ['eu', 'us'], counts: [50, 50] };
    // e = [0.5, 0.5, 0 -> 1e-4], a = [0.4, 0.4, 0.2]:
    // 2 * (0.4-0.5)ln(0.8) + (0.2-1e-4)ln(0.2/1e-4) = 0.0446287 + 1.5194204 = 1.5640491
    expect(psiOfValues(h, ['eu', 'eu', 'us', 'us', 'apac'])).toBeCloseTo(1.5640491, 6);
  });
});

describe('baseline.json', () => {
  test('parses prediction and feature histograms', () => {
    const b = parseBaseline(JSON.stringify({
      prediction: { type: 'numeric', edges: [0.5], counts: [1, 2] },
      features: { region: { type: 'categorical', categories: ['eu'], counts: [3, 1] } },
    }));
    expect(b.prediction).toEqual({ type: 'numeric', edges: [0.5], counts: [1, 2] });
    expect(Object.keys(b.features)).toEqual(['region']);
  });

  test('names the field and the fix when a histogram is malformed', () => {
    expect(() => parseBaseline(JSON.stringify({ prediction: { type: 'numeric', edges: [2, 1], counts: [1, 1, 1] } })))
      .toThrow(/prediction.edges must be ascending, but 1 follows 2/);
    expect(() => parseBaseline(JSON.stringify({ prediction: { type: 'numeric', edges: [1], counts: [1] } })))
      .toThrow(/prediction.counts must have edges.length \+ 1 = 2 entries/);
    expect(() => parseBaseline('{"features": {}}')).toThrow(/must have a "prediction" histogram/);
    expect(() => parseBaseline('not json')).toThrow(/is not valid JSON/);
  });
});

describe('weekday baselines', () => {
  const h = (n: number) => ({ type: 'numeric', edges: [0.5], counts: [n, n] });

  test('a batch is compared with the histogram of its execution date\'s ISO weekday, else with all days', () => {
    const b = parseBaseline(JSON.stringify({ prediction: h(70), predictionByWeekday: { 6: h(10), 7: h(12) } }));
    // 2026-11-28 is a Saturday (6), 2026-11-29 a Sunday (7), 2026-11-30 a Monday (1).
    expect(['2026-11-28', '2026-11-29', '2026-11-30'].map(isoWeekday)).toEqual([6, 7, 1]);
    expect(predictionBaselineFor(b, '2026-11-28').counts).toEqual([10, 10]);
    expect(predictionBaselineFor(b, '2026-11-29').counts).toEqual([12, 12]);
    expect(predictionBaselineFor(b, '2026-11-30').counts).toEqual([70, 70]);
  });

  test('names the key and the fix when a weekday is not 1-7', () => {
    expect(() => parseBaseline(JSON.stringify({ prediction: h(1), predictionByWeekday: { 0: h(1) } })))
      .toThrow(/predictionByWeekday has the key "0": use ISO weekdays "1" \(Monday\) to "7" \(Sunday\)/);
    expect(() => parseBaseline(JSON.stringify({ prediction: h(1), predictionByWeekday: [h(1)] })))
      .toThrow(/predictionByWeekday must be an object of weekday/);
  });
});

describe('minimum sample size', () => {
  test('is max(100, 20 per bin) of the effective size batch * baseline / (batch + baseline)', () => {
    expect([2, 5, 10, 20].map(minimumSampleSize)).toEqual([100, 100, 200, 400]);
    expect(effectiveSampleSize(100, 400)).toBe(80);
    expect(effectiveSampleSize(200, 200)).toBe(100);
    expect(effectiveSampleSize(0, 1000)).toBe(0);
  });
});
