import fc from 'fast-check';
import { TtlCache } from '../../lambda/shared/predict/cache';
import { cacheMaxBytes } from '../../lambda/shared/predict/runtime';

const T0 = Date.parse('2026-11-24T12:00:00Z');

describe('answer cache', () => {
  test('expired entries are dropped on the next write, though nobody reads them again', () => {
    const clock = { t: T0 };
    const cache = new TtlCache<number>({ maxBytes: 10 * 1024 * 1024, now: () => clock.t });
    for (let i = 0; i < 1000; i++) cache.set(`e${i}`, i, 1_000);
    expect(cache.size).toBe(1000);
    clock.t += 1_000;
    cache.set('fresh', 1, 1_000);
    expect(cache.size).toBe(1);
    expect(cache.get('fresh')).toBe(1);
  });

  test('short-lived entries behind a longer-lived one are dropped once it expires too', () => {
    const clock = { t: T0 };
    const cache = new TtlCache<string>({ maxBytes: 10 * 1024 * 1024, now: () => clock.t });
    cache.set('hit', 'value', 10_000);
    for (let i = 0; i < 100; i++) cache.set(`miss${i}`, '', 2_000);
    clock.t += 10_000;
    cache.set('fresh', 'x', 10_000);
    expect(cache.size).toBe(1);
  });

  test('when full, the oldest-inserted entries make room', () => {
    const cache = new TtlCache<string>({ maxBytes: 10_000, now: () => T0 });
    for (let i = 0; i < 100; i++) cache.set(`k${i}`, 'v'.repeat(100), 60_000);
    expect(cache.bytes).toBeLessThanOrEqual(10_000);
    const kept = Array.from({ length: 100 }, (_, i) => cache.get(`k${i}`) !== undefined);
    const firstKept = kept.indexOf(true);
    expect(firstKept).toBeGreaterThan(0);
    expect(kept.slice(firstKept).every(Boolean)).toBe(true);
  });

  test('an expired entry is never answered', () => {
    const clock = { t: T0 };
    const cache = new TtlCache<number>({ maxBytes: 1024 * 1024, now: () => clock.t });
    cache.set('k', 1, 500);
    clock.t += 499;
    expect(cache.get('k')).toBe(1);
    clock.t += 1;
    expect(cache.get('k')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  test('the estimated bytes never exceed the cap, whatever the cap and the writes', () => {
    const op = fc.record({ key: fc.integer({ min: 0, max: 50 }), size: fc.integer({ min: 0, max: 400 }), ttl: fc.integer({ min: -10, max: 5_000 }), advance: fc.integer({ min: 0, max: 2_000 }) });
    fc.assert(fc.property(fc.integer({ min: 0, max: 20_000 }), fc.array(op, { maxLength: 300 }), (maxBytes, ops) => {
      const clock = { t: T0 };
      const cache = new TtlCache<string>({ maxBytes, now: () => clock.t });
      for (const o of ops) {
        clock.t += o.advance;
        const key = `k${o.key}`;
        cache.set(key, 'x'.repeat(o.size), o.ttl);
        expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
        expect(cache.bytes).toBeGreaterThanOrEqual(0);
        // What was just written is there unless it cannot live (an entry here is under 1 KiB).
        if (o.ttl <= 0) expect(cache.get(key)).toBeUndefined();
        else if (maxBytes >= 1024) expect(cache.get(key)).toBe('x'.repeat(o.size));
      }
    }));
  });
});

describe('cache byte cap from the environment', () => {
  const HEAP = 4 * 1024 ** 3;
  test.each([
    ['the construct sets it from the task memory', { MLOPS_CACHE_MAX_BYTES: String(512 * 1024 ** 2) }, 512 * 1024 ** 2],
    ['a Lambda function gets a quarter of its memory', { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512' }, 128 * 1024 ** 2],
    ['otherwise a quarter of the default 1 GiB task', {}, 256 * 1024 ** 2],
  ])('%s', (_name, env, bytes) => {
    expect(cacheMaxBytes(env, HEAP)).toBe(bytes);
  });

  test('never more than a quarter of the V8 heap limit, whatever the memory says', () => {
    expect(cacheMaxBytes({ MLOPS_CACHE_MAX_BYTES: String(2 * 1024 ** 3) }, 1024 ** 3)).toBe(256 * 1024 ** 2);
  });

  test('a malformed value names the variable', () => {
    expect(() => cacheMaxBytes({ MLOPS_CACHE_MAX_BYTES: '1e9x' }, HEAP)).toThrow(/MLOPS_CACHE_MAX_BYTES must be a whole number >= 0, but "1e9x" was set/);
  });
});
