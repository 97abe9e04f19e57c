import * as fc from 'fast-check';
import { trainingFanOut } from '../../lib/platform/spec-mapping';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { validateTrainingPipelineProps } from '../../lib/training-pipeline/validate-training-pipeline-props';
import { MetricDirection } from '../../lib/training-pipeline';

const base = { modelName: 'demand-forecast', categories: ['books'], evaluation: { metric: 'rmse', direction: MetricDirection.MINIMIZE } };
const check = (props: { maxConcurrency?: number; toleratedFailurePercentage?: number }) => () => validateTrainingPipelineProps({ ...base, ...props });

function parseTraining(training: Record<string, unknown>) {
  return parseModelSpecObject({
    name: 'm1', description: 'd', owner: 'o@example.com', training: { image: 'repo/x:1', ...training }, evaluation: { metric: 'rmse' },
    inference: { mode: 'batch', serving: 'none' },
  });
}

describe('training fan-out: maxConcurrency and tolerated failures', () => {
  test('the construct accepts every whole maxConcurrency in 1..40 and every tolerated share in 0..100 %', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 100, noNaN: true }), (maxConcurrency, toleratedFailurePercentage) => {
      expect(check({ maxConcurrency, toleratedFailurePercentage })).not.toThrow();
    }));
  });

  test('the construct rejects a maxConcurrency outside 1..40 or not whole, naming the field and the value', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 41 }), fc.double({ min: 1.01, max: 39.99, noNaN: true }).filter((x) => !Number.isInteger(x))), (maxConcurrency) => {
      expect(check({ maxConcurrency })).toThrow(/maxConcurrency/);
      expect(check({ maxConcurrency })).toThrow(String(maxConcurrency));
    }));
  });

  test('the construct rejects a tolerated share outside 0..100 or NaN, naming the field, the value and the fix', () => {
    fc.assert(fc.property(fc.oneof(fc.double({ max: -Number.MIN_VALUE, noNaN: true }), fc.double({ min: 100.0001, noNaN: true }), fc.constant(Number.NaN)), (toleratedFailurePercentage) => {
      expect(check({ toleratedFailurePercentage })).toThrow(new RegExp(`toleratedFailurePercentage must be between 0 and 100, but ${String(toleratedFailurePercentage).replace(/[+.]/g, '\\$&')} was provided.*e\\.g\\. 25`));
    }));
  });

  test('the spec fields map to the construct props, with the defaults 4 and 0 %', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 100, noNaN: true }), (maxConcurrency, toleratedFailures) => {
      const { spec, problems } = parseTraining({ maxConcurrency, toleratedFailures });
      expect(problems).toEqual([]);
      expect(trainingFanOut(spec!)).toEqual({ maxConcurrency, toleratedFailurePercentage: toleratedFailures });
    }));
    expect(trainingFanOut(parseTraining({}).spec!)).toEqual({ maxConcurrency: 4, toleratedFailurePercentage: 0 });
  });

  test('the spec rejects out-of-range values at the field path', () => {
    fc.assert(fc.property(fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 41 }), fc.constant(2.5)), fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 101 })), (maxConcurrency, toleratedFailures) => {
      const { problems } = parseTraining({ maxConcurrency, toleratedFailures });
      expect(problems.map((p) => p.path).sort()).toEqual(['training.maxConcurrency', 'training.toleratedFailures']);
    }));
  });
});
