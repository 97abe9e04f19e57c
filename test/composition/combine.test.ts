// The combine functions over generated branch answers (fast-check prints the seed of a failure).
import fc from 'fast-check';
import { BranchPrediction, combine, mean, normaliseWeights, vote, weightedMean } from '../../lambda/shared/predict/combine';
import { parseComposition } from '../../lambda/shared/predict/compose-config';

const value = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
const weight = fc.double({ min: 1e-3, max: 1e3, noNaN: true, noDefaultInfinity: true });
const numeric = fc.array(fc.record({ name: fc.constant('b'), weight, prediction: value }), { minLength: 1, maxLength: 8 }) as fc.Arbitrary<BranchPrediction[]>;

test('mean and weighted mean stay within the smallest and largest prediction', () => {
  fc.assert(fc.property(numeric, (answers) => {
    const values = answers.map((a) => a.prediction as number);
    for (const m of [mean(answers), weightedMean(answers)]) {
      expect(m).toBeGreaterThanOrEqual(Math.min(...values));
      expect(m).toBeLessThanOrEqual(Math.max(...values));
    }
  }));
});

/** Equal up to floating-point rounding, relative to the values' size. */
const expectNear = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));

test('equal weights make the weighted mean the mean; scaling every weight changes nothing', () => {
  fc.assert(fc.property(numeric, weight, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (answers, w, k) => {
    const same = answers.map((a) => ({ ...a, weight: w }));
    expectNear(weightedMean(same), mean(answers));
    expectNear(weightedMean(answers.map((a) => ({ ...a, weight: a.weight * k }))), weightedMean(answers));
  }));
});

test('normalised weights are positive and sum to 1', () => {
  fc.assert(fc.property(fc.array(weight, { minLength: 1, maxLength: 8 }), (weights) => {
    const n = normaliseWeights(weights);
    expect(n.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    n.forEach((x) => expect(x).toBeGreaterThan(0));
  }));
});

test('vote: a label with more than half the weight wins, whatever the order of the branches', () => {
  const labels = fc.constantFrom('a', 'b', 'c', 'd');
  fc.assert(fc.property(fc.array(fc.record({ label: labels, weight }), { minLength: 1, maxLength: 9 }), labels, weight, (others, winner, extra) => {
    const othersWeight = others.reduce((a, o) => a + o.weight, 0);
    // The winner gets more than everyone else together.
    const answers: BranchPrediction[] = [...others.map((o) => ({ name: 'o', weight: o.weight, prediction: o.label })), { name: 'w', weight: othersWeight + extra, prediction: winner }];
    expect(vote(answers)).toBe(winner);
    expect(vote([...answers].reverse())).toBe(winner);
  }));
});

test('vote: a tie goes to the earliest branch; JSON-equal answers vote together', () => {
  expect(vote([{ name: 'x', weight: 1, prediction: 'x' }, { name: 'y', weight: 1, prediction: 'y' }])).toBe('x');
  expect(vote([
    { name: 'a', weight: 1, prediction: { k: 1, j: 2 } }, { name: 'b', weight: 1, prediction: 'z' }, { name: 'c', weight: 1, prediction: { j: 2, k: 1 } },
  ])).toEqual({ k: 1, j: 2 });
});

test('a mean over a label names the branch; nothing to combine is an error', () => {
  expect(() => mean([{ name: 'labels', weight: 1, prediction: 'high' }])).toThrow(/branch labels answered "high": a mean needs finite numbers \(use combine: vote for labels\)/);
  expect(() => combine('vote', [])).toThrow(/no branch answered/);
});

test('the runtime configuration is refused with the field, the value and the fix', () => {
  const step = (target: unknown) => ({ name: 's', target });
  expect(() => parseComposition({ kind: 'serial', steps: [step({ url: 'http://a' }), step({ url: 'http://b', function: 'f' })] }, 'c'))
    .toThrow(/c\.steps\[1\]\.target.*\{"url":"http:\/\/b","function":"f"\}.*give exactly one of url, sageMakerEndpoint, function/);
  expect(() => parseComposition({ kind: 'parallel', combine: 'median', steps: [step({ url: 'http://a' }), step({ url: 'http://b' })] }, 'c'))
    .toThrow(/c\.combine.*"median".*use one of mean, weighted-mean, vote, first/);
  expect(() => parseComposition({ kind: 'parallel', combine: 'mean', quorum: 3, steps: [step({ url: 'http://a' }), step({ url: 'http://b' })] }, 'c'))
    .toThrow(/c\.quorum.*3.*from 1 to the number of branches \(2\)/);
});
