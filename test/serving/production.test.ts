// The production version as the predict core resolves it: bounded memory with open categories,
// and a maximum age after which a version the registry no longer confirms is not served.
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore } from '../../lambda/shared/predict/core';
import { AnswerMetrics } from '../../lambda/shared/predict/metrics';
import { ProductionResolver } from '../../lambda/shared/predict/production';
import { PredictionStore } from '../../lambda/shared/predict/store';
import { MiB, heapUsedAfterGc } from './heap';

const NOW = Date.parse('2026-11-24T12:00:00Z');

/** No predictions at all: every lookup is a miss. */
const emptyStore: PredictionStore = {
  get: async () => undefined,
  getMany: async () => ({ items: new Map(), unprocessed: [] }),
};

/** A registry that answers `version` until told to fail, counting reads. */
function registry() {
  const r = {
    version: 3 as number | undefined,
    failing: false,
    reads: 0,
    /** The last few keys read (all of them would be 200k strings of test data on the heap). */
    lastReads: [] as string[],
    source: async (model: string, category: string) => {
      r.reads++;
      r.lastReads = [...r.lastReads.slice(-9), `${model}/${category}`];
      if (r.failing) throw Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' });
      return r.version;
    },
  };
  return r;
}

const flush = () => new Promise((r) => setImmediate(r));

describe('open categories', () => {
  test('200k distinct categories keep a bounded number of versions and bounded heap', async () => {
    const reg = registry();
    const before = heapUsedAfterGc();
    const core = new PredictCore({
      // No declared categories: any well-formed category is served.
      config: parseServingConfig({ models: { demand: { rules: { fallback: [{ name: 'avg', prediction: 5 }] } } } }),
      store: emptyStore, production: reg.source, now: () => NOW,
      cacheTtlMs: 0, negativeCacheTtlMs: 0,
    });
    for (let start = 0; start < 200_000; start += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, i) => core.predict('demand', `category-${start + i}`, 'e1')));
    }
    const grown = heapUsedAfterGc() - before;
    // 10,000 remembered versions are ~2 MiB; 200k of them were ~30 MiB.
    expect(grown).toBeLessThan(8 * MiB);
    expect(reg.reads).toBe(200_000);
    // A forgotten category is read again, and answered with its version.
    expect(await core.predict('demand', 'category-0', 'e1')).toMatchObject({ version: 3, reason: 'missing' });
    expect(reg.reads).toBe(200_001);
  });

  test('the resolver remembers at most maxKnown keys, forgetting the least recently refreshed', async () => {
    const reg = registry();
    const clock = { t: NOW };
    const resolver = new ProductionResolver({ source: reg.source, ttlMs: 1000, maxAgeMs: 60_000, maxKnown: 3, now: () => clock.t });
    for (const c of ['a', 'b', 'c']) await resolver.resolve('m', c);
    clock.t += 1000;
    await resolver.resolve('m', 'a'); // stale: refreshed in the background, so 'a' is young again
    await flush();
    await resolver.resolve('m', 'd');
    expect(resolver.size).toBe(3);
    const reads = reg.reads;
    await resolver.resolve('m', 'a');
    await resolver.resolve('m', 'b');
    expect(reg.reads).toBe(reads + 1);
    expect(reg.lastReads.at(-1)).toBe('m/b');
  });
});

describe('failed registry refreshes', () => {
  function setup() {
    const reg = registry();
    const clock = { t: NOW };
    const metrics = new AnswerMetrics(() => clock.t);
    const core = new PredictCore({
      config: parseServingConfig({ models: { demand: { categories: ['books'], rules: { fallback: [{ name: 'avg', prediction: 5 }] } } } }),
      store: emptyStore, production: reg.source, now: () => clock.t,
      productionTtlMs: 15_000, productionMaxAgeMs: 600_000,
      onProductionError: (m, c) => metrics.productionError(m, c),
    });
    return { reg, clock, metrics, core };
  }
  const failures = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).map((l) => l.ProductionVersionReadFailures);

  test('are counted in the EMF metric line of the model and category', async () => {
    const { reg, clock, metrics, core } = setup();
    await core.predict('demand', 'books', 'e1');
    reg.failing = true;
    for (let i = 0; i < 3; i++) {
      clock.t += 15_000;
      await core.predict('demand', 'books', 'e1');
      await flush();
    }
    const lines = metrics.flush();
    expect(failures(lines)).toEqual([3]);
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ Model: 'demand', Category: 'books' });
    expect(line._aws.CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'ProductionVersionReadFailures', Unit: 'Count' });
  });

  test('keep the last version until its maximum age, then answer with the fallback and say why', async () => {
    const { reg, clock, core } = setup();
    expect(await core.predict('demand', 'books', 'e1')).toMatchObject({ version: 3 });
    reg.failing = true;
    clock.t += 599_999;
    expect(await core.predict('demand', 'books', 'e1')).toMatchObject({ version: 3, reason: 'missing' });
    await flush();
    clock.t += 1;
    expect(await core.predict('demand', 'books', 'e1')).toMatchObject({
      source: 'fallback', rule: 'avg', prediction: 5, version: null, reason: 'stale-production-version',
    });
    // Once the registry answers again (after the one-second pause between tries), so does the version.
    reg.failing = false;
    reg.version = 2;
    clock.t += 1_000;
    expect(await core.predict('demand', 'books', 'e1')).toMatchObject({ version: 2, reason: 'missing' });
  });

  test('a version past its maximum age is confirmed before it is used, not served while refreshing', async () => {
    const { reg, clock, core } = setup();
    await core.predict('demand', 'books', 'e1');
    reg.version = 4; // a rollback or promotion the server has not seen
    clock.t += 600_000;
    expect(await core.predict('demand', 'books', 'e1')).toMatchObject({ version: 4 });
  });

  test('a maximum age below the refresh interval is refused', () => {
    expect(() => new ProductionResolver({ source: async () => 1, ttlMs: 15_000, maxAgeMs: 1_000, maxKnown: 10 }))
      .toThrow(/productionMaxAgeMs must be at least productionTtlMs \(15000\), but 1000 was provided/);
  });
});
