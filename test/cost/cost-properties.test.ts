// Properties of the cost model over the values users choose: traffic and peak windows.
import fc from 'fast-check';
import { PlatformCost, chooseFrontEnd, frontEndCosts } from '../../lib/cost';
import { ServingDemand } from '../../lib/cost/serving-demand';
import { PeakWindow } from '../../lib/prediction-service/serving-props';
import { ServingFrontEnd } from '../../lib/spec';
import { specFrom } from '../spec/fixtures';

const tps = (min: number) => fc.double({ min, max: 5000, noNaN: true });
const sortedTraffic = (min: number) => fc.tuple(tps(min), tps(min), tps(min)).map((t) => t.sort((a, b) => a - b) as [number, number, number]);
const traffic = sortedTraffic(0);
const window: fc.Arbitrary<PeakWindow> = fc.record({
  startHour: fc.integer({ min: 0, max: 23 }),
  length: fc.integer({ min: 1, max: 24 }),
  days: fc.constantFrom('*', 'MON,TUE,WED,THU,FRI', 'SAT,SUN', 'MON'),
}).map((w) => ({ startHour: w.startHour, endHour: Math.min(24, w.startHour + w.length), daysOfWeek: w.days }));
const demand: fc.Arbitrary<ServingDemand> = fc.record({ t: traffic, peaks: fc.array(window, { maxLength: 4 }), pc: fc.integer({ min: 0, max: 1500 }) })
  .map(({ t, peaks, pc }) => ({ minTps: t[0], avgTps: t[1], maxTps: t[2], peakWindows: peaks, provisionedConcurrency: peaks.length ? pc : 0 }));

describe('front-end costs across the traffic and schedule range', () => {
  test('are never negative, and the choice is the cheaper option', () => {
    fc.assert(fc.property(demand, (d) => {
      const c = frontEndCosts(d);
      expect(c.serviceUsd).toBeGreaterThanOrEqual(0);
      expect(c.apiUsd).toBeGreaterThanOrEqual(0);
      expect(chooseFrontEnd(c)).toBe(c.serviceUsd <= c.apiUsd ? ServingFrontEnd.SERVICE : ServingFrontEnd.API);
    }));
  });

  test('never fall when any declared TPS rises', () => {
    fc.assert(fc.property(demand, fc.constantFrom('minTps', 'avgTps', 'maxTps'), fc.double({ min: 0, max: 2000, noNaN: true }), (d, field, more) => {
      const raised = { ...d, [field]: d[field] + more };
      // Keep min <= avg <= max, as the spec loader does.
      const r = { ...raised, avgTps: Math.max(raised.avgTps, raised.minTps), maxTps: Math.max(raised.maxTps, raised.avgTps, raised.minTps) };
      const [a, b] = [frontEndCosts(d), frontEndCosts(r)];
      expect(b.serviceUsd).toBeGreaterThanOrEqual(a.serviceUsd - 1e-9);
      expect(b.apiUsd).toBeGreaterThanOrEqual(a.apiUsd - 1e-9);
    }));
  });

  test('never fall when a peak window is added', () => {
    fc.assert(fc.property(demand, window, (d, w) => {
      const [before, after] = [frontEndCosts(d), frontEndCosts({ ...d, peakWindows: [...d.peakWindows, w] })];
      expect(after.serviceUsd).toBeGreaterThanOrEqual(before.serviceUsd - 1e-9);
      expect(after.apiUsd).toBeGreaterThanOrEqual(before.apiUsd - 1e-9);
    }));
  });
});

describe('the spec loader and the bill', () => {
  // The spec loader asks for positive traffic (the service's capacity is derived from it).
  const spec = fc.record({ t: sortedTraffic(0.1), start: fc.integer({ min: 0, max: 23 }), hours: fc.integer({ min: 1, max: 6 }), weekdays: fc.boolean() })
    .map(({ t, start, hours, weekdays }) => ({ t, yaml: `  tps: { min: ${t[0]}, avg: ${t[1]}, max: ${t[2]} }\n`
      + `  peakWindows:\n    - { start: "0 ${start} * * ${weekdays ? 'MON-FRI' : '*'}", duration: ${hours}h, tps: ${t[2]} }\n` }));

  test('an undeclared front end is the cheaper one, and the synth reason names both costs', () => {
    fc.assert(fc.property(spec, ({ yaml }) => {
      const s = specFrom(yaml);
      const [f] = new PlatformCost({ models: [s] }).frontEnds;
      expect(s.inference.serving).toBe(f.cheaper);
      expect(s.inference.servingReason).toContain(`"service" (ALB + Fargate + VPC endpoints) $${f.serviceUsd.toFixed(0)}/month, "api" (HTTP API + Lambda) $${f.apiUsd.toFixed(0)}/month`);
    }), { numRuns: 50 });
  });

  test('every line of a model\'s bill is a finite, non-negative amount, and the total rises with average traffic', () => {
    fc.assert(fc.property(spec, fc.double({ min: 1, max: 1000, noNaN: true }), ({ t }, more) => {
      const at = (avg: number) => new PlatformCost({ models: [specFrom(`  serving: service\n  tps: { min: ${t[0]}, avg: ${avg}, max: ${Math.max(t[2], avg)} }\n`)] });
      const low = at(t[1]);
      for (const l of low.lines) expect(Number.isFinite(l.usd) && l.usd >= 0).toBe(true);
      expect(at(t[1] + more).totalUsd).toBeGreaterThan(low.totalUsd);
    }), { numRuns: 50 });
  });
});
