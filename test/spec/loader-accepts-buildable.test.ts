// The loader alone, many runs: whatever it accepts, the constructs' validators and the spec
// mapping accept too; whatever it rejects is reported at a spec field. Values range beyond the
// schema on purpose (0 TPS, 11 retries, 200-day TTLs, tiny vCPU caps, many categories).
import fc from 'fast-check';
import { runPatternChecks } from '../../lib/checks/run-pattern-checks';
import { deriveCapacity } from '../../lib/prediction-service/capacity';
import { servingConfigJson } from '../../lib/prediction-service/serving-props';
import * as map from '../../lib/platform/spec-mapping';
import { specPropProblems } from '../../lib/platform/validate-spec-props';
import { parseModelSpecObject } from '../../lib/spec/load-model-spec';
import { generateSpecSchema } from '../../lib/spec/spec-schema';

const TOP_LEVEL = Object.keys((generateSpecSchema() as { properties: Record<string, unknown> }).properties).map((k) => (k === 'acknowledge' ? k : k));

const wide = fc.record({
  name: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('demand', 'a1', 'x'.repeat(63)) }, { weight: 1, arbitrary: fc.constantFrom('shared', 'drift-loop', '9lives') }),
  description: fc.constant('d'),
  owner: fc.constant('o'),
  schedule: fc.record({ cron: fc.constantFrom('0 * * * *', '0 2 * * *', '0 1 * * SUN', '0 3 1 * *', '0 0 31 2 *', '30 */6 * * *'), enabled: fc.boolean() }),
  categories: fc.integer({ min: 1, max: 11 }).map((n) => Array.from({ length: n }, (_, i) => `c${i}`)),
  data: fc.record({ location: fc.constantFrom(undefined, undefined, undefined, 'other/', 's3://bucket/prefix/'), maxAge: fc.constantFrom('1h', '2d') }, { requiredKeys: [] }),
  training: fc.oneof(
    fc.record({ image: fc.constant('repo/x:1'), backend: fc.constant('sagemaker'), retries: fc.integer({ min: 0, max: 12 }), maxRuntime: fc.constantFrom('1m', '2h', '27d'), maxWait: fc.constantFrom('1h', '28d'), instanceCount: fc.integer({ min: 1, max: 25 }) }),
    fc.record({ image: fc.constant('repo/x:1'), backend: fc.constant('batch'), instanceType: fc.constant('g5.xlarge'), maxVcpus: fc.integer({ min: 1, max: 12 }), retries: fc.integer({ min: 0, max: 12 }), command: fc.constant(['python3', 't.py']) }),
  ),
  evaluation: fc.record({ metric: fc.constant('rmse'), promotion: fc.constantFrom('auto', 'manual', 'none'), approvalTimeout: fc.constantFrom('1m', '3d', '364d', '365d'), threshold: fc.option(fc.double({ min: -10, max: 10, noNaN: true }), { nil: undefined }) }),
  inference: fc.record({
    mode: fc.constantFrom('batch', 'online', 'both'),
    serving: fc.constantFrom(undefined, 'service', 'api', 'none'),
    ttl: fc.constantFrom('1h', '2h', '2d', '3d', '30d', '90d', '200d'),
    tps: fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 })).map((t) => t.sort((x, y) => x - y)).map(([a, b, c]) => ({ min: a, avg: b, max: c })),
    peakWindows: fc.array(fc.record({ start: fc.constantFrom('08:00', '23:30', '0 18 * * MON-FRI'), duration: fc.constantFrom('1m', '3h', '1d'), tps: fc.integer({ min: 0, max: 30 }) }), { maxLength: 2 }),
    rules: fc.constant({ fallback: [{ name: 'default', prediction: 0 }] }),
  }, { requiredKeys: ['mode', 'ttl', 'tps', 'rules'] }),
});

test('what the loader accepts, the constructs accept; what it rejects is reported at a spec field', () => {
  let accepted = 0;
  fc.assert(fc.property(wide, (raw) => {
    const { spec, problems } = parseModelSpecObject(raw, { file: 'models/m/model.yaml' });
    if (spec) {
      accepted++;
      expect(specPropProblems(spec)).toEqual([]);
      expect(() => {
        map.trainingSchedule(spec); map.scheduleInterval(spec); map.peakWindows(spec); map.apiProvisionedConcurrency(spec);
        servingConfigJson([map.servedModel(spec)]);
        deriveCapacity({ minTps: spec.inference.tps.min, avgTps: spec.inference.tps.avg, maxTps: spec.inference.tps.max, tpsPerTask: 300 });
        runPatternChecks([spec]);
      }).not.toThrow();
    } else {
      for (const p of problems) {
        expect(TOP_LEVEL).toContain(p.path.split(/[.[]/)[0]);
        expect(p.expected.length).toBeGreaterThan(0);
        expect(p.fix.length).toBeGreaterThan(0);
      }
    }
  }), { numRuns: 5000 });
  // Not vacuous: a fair share of the wide specs is accepted.
  expect(accepted).toBeGreaterThan(500);
});
