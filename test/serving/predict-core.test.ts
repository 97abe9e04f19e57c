import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore, PredictRequestError } from '../../lambda/shared/predict/core';
import { validateRules } from '../../lambda/shared/predict/rules';
import { PredictionStore } from '../../lambda/shared/predict/store';
import { StoredPrediction, predictionKey } from '../../lambda/shared/predictions/schema';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const nowSec = NOW / 1000;

/** An in-memory store that counts reads and can be told to fail (fault injection). */
class FakeStore implements PredictionStore {
  readonly items = new Map<string, StoredPrediction>();
  reads = 0;
  failing = false;
  async get(pk: string) {
    this.reads++;
    if (this.failing) throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'NetworkingError' });
    return this.items.get(pk);
  }
  async getMany(pks: readonly string[]) {
    this.reads++;
    if (this.failing) throw new Error('store down');
    return { items: new Map(pks.filter((pk) => this.items.has(pk)).map((pk) => [pk, this.items.get(pk)!] as const)), unprocessed: [] };
  }
  put(entityId: string, prediction: unknown, opts: { version?: number; expiresAt?: number; category?: string } = {}) {
    const category = opts.category ?? 'books';
    const version = opts.version ?? 3;
    this.items.set(predictionKey('demand', category, version, entityId), {
      pk: predictionKey('demand', category, version, entityId), model: 'demand', category, version, entityId, prediction,
      generatedAt: '2026-11-24T06:00:00.000Z', expiresAt: opts.expiresAt ?? nowSec + 3600,
    });
  }
}

const rules = {
  prefilter: [{ name: 'blocked', when: { entityId: { oneOf: ['blocked-1'] } }, prediction: 0 }],
  override: [{ name: 'cap', when: { prediction: { gt: 100 } }, prediction: 100 }],
  fallback: [
    { name: 'new-store', when: { entityId: { prefix: 'new-' } }, prediction: 1 },
    { name: 'category-default', when: { category: { equals: 'books' } }, prediction: 5 },
  ],
};

function core(store: PredictionStore, opts: { production?: number; clock?: { t: number }; productionFails?: boolean; cacheTtlMs?: number } = {}) {
  const clock = opts.clock ?? { t: NOW };
  const productionCalls: string[] = [];
  const c = new PredictCore({
    config: parseServingConfig({ models: { demand: { categories: ['books', 'games'], defaultCategory: 'books', rules }, bare: { categories: ['books'] } } }),
    store,
    production: async (model, category) => {
      productionCalls.push(`${model}/${category}`);
      if (opts.productionFails) throw new Error('registry down');
      return opts.production === undefined ? 3 : opts.production || undefined;
    },
    now: () => clock.t,
    cacheTtlMs: opts.cacheTtlMs,
  });
  return { c, clock, productionCalls };
}

describe('answers and their source', () => {
  test('a stored prediction is a model answer carrying version and generatedAt', async () => {
    const store = new FakeStore();
    store.put('e1', 42);
    const a = await core(store).c.predict('demand', 'books', 'e1');
    expect(a).toEqual({ prediction: 42, model: 'demand', category: 'books', entityId: 'e1', version: 3, source: 'model', generatedAt: '2026-11-24T06:00:00.000Z' });
  });

  test('a prefilter rule answers before the lookup (the store is not read)', async () => {
    const store = new FakeStore();
    store.put('blocked-1', 42);
    const a = await core(store).c.predict('demand', 'books', 'blocked-1');
    expect(a).toMatchObject({ prediction: 0, source: 'rule', rule: 'blocked', version: 3 });
    expect(store.reads).toBe(0);
  });

  test('an override rule replaces a model answer that matches it, and only such answers', async () => {
    const store = new FakeStore();
    store.put('big', 250);
    store.put('small', 50);
    const { c } = core(store);
    expect(await c.predict('demand', 'books', 'big')).toMatchObject({ prediction: 100, source: 'rule', rule: 'cap', version: 3, generatedAt: '2026-11-24T06:00:00.000Z' });
    expect(await c.predict('demand', 'books', 'small')).toMatchObject({ prediction: 50, source: 'model' });
  });

  test('a missing prediction is answered by the first matching fallback rule, in list order', async () => {
    const { c } = core(new FakeStore());
    expect(await c.predict('demand', 'books', 'new-7')).toMatchObject({ prediction: 1, source: 'fallback', rule: 'new-store', reason: 'missing' });
    expect(await c.predict('demand', 'books', 'old-7')).toMatchObject({ prediction: 5, source: 'fallback', rule: 'category-default', reason: 'missing' });
  });

  test('with no matching fallback rule the answer is a fallback with a null prediction', async () => {
    const { c } = core(new FakeStore());
    const a = await c.predict('demand', 'games', 'x1');
    expect(a).toMatchObject({ prediction: null, source: 'fallback', reason: 'missing', version: 3 });
    expect(a.rule).toBeUndefined();
  });

  test('prefilter wins over override and fallback', async () => {
    const store = new FakeStore();
    store.put('blocked-1', 500);
    expect(await core(store).c.predict('demand', 'books', 'blocked-1')).toMatchObject({ rule: 'blocked', prediction: 0 });
  });
});

describe('TTL', () => {
  test('an item whose expiresAt has passed is treated as missing, even though DynamoDB has not deleted it yet', async () => {
    const store = new FakeStore();
    store.put('e1', 42, { expiresAt: nowSec - 1 });
    store.put('e2', 43, { expiresAt: nowSec });
    const { c } = core(store);
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ source: 'fallback', reason: 'expired', prediction: 5 });
    expect(await c.predict('demand', 'books', 'e2')).toMatchObject({ source: 'fallback', reason: 'expired' });
  });

  test('a cached item stops being served once it expires', async () => {
    const store = new FakeStore();
    store.put('e1', 42, { expiresAt: nowSec + 2 });
    const { c, clock } = core(store, { cacheTtlMs: 60_000 });
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ source: 'model' });
    clock.t += 3000;
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ source: 'fallback', reason: 'expired' });
  });
});

describe('store failures', () => {
  test('a failing store is answered by the fallback rules and reported', async () => {
    const store = new FakeStore();
    store.put('e1', 42);
    store.failing = true;
    const errors: string[] = [];
    const c = new PredictCore({
      config: parseServingConfig({ models: { demand: { categories: ['books'], rules } } }),
      store, production: async () => 3, now: () => NOW,
      onStoreError: (m, cat) => errors.push(`${m}/${cat}`),
    });
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ source: 'fallback', reason: 'store-error', prediction: 5, version: 3 });
    expect(errors).toEqual(['demand/books']);
  });

  test('after repeated failures the circuit opens: answers fall back without calling the store, then a probe closes it', async () => {
    const store = new FakeStore();
    store.put('e1', 42);
    store.failing = true;
    const { c, clock } = core(store, { cacheTtlMs: 0 });
    for (let i = 0; i < 5; i++) await c.predict('demand', 'books', `x${i}`);
    expect(store.reads).toBe(5);
    await c.predict('demand', 'books', 'x9');
    expect(store.reads).toBe(5);
    store.failing = false;
    clock.t += 1500;
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ source: 'model' });
    expect(store.reads).toBe(6);
  });

  test('when the production version cannot be read at all, answers are fallbacks with a null version', async () => {
    const { c } = core(new FakeStore(), { productionFails: true });
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ source: 'fallback', reason: 'store-error', version: null, prediction: 5 });
  });
});

describe('rules alone before the first promotion', () => {
  test('a model with no production version is served by its rules without touching the store', async () => {
    const store = new FakeStore();
    const { c } = core(store, { production: 0 });
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ source: 'fallback', reason: 'no-production-version', version: null, prediction: 5 });
    expect(await c.predict('demand', 'books', 'blocked-1')).toMatchObject({ source: 'rule', version: null });
    expect(store.reads).toBe(0);
  });
});

describe('cache', () => {
  test('repeated reads of a key within the TTL hit the store once, and again after the TTL', async () => {
    const store = new FakeStore();
    store.put('e1', 42);
    const { c, clock } = core(store, { cacheTtlMs: 10_000 });
    await c.predict('demand', 'books', 'e1');
    await c.predict('demand', 'books', 'e1');
    expect(store.reads).toBe(1);
    clock.t += 10_001;
    await c.predict('demand', 'books', 'e1');
    expect(store.reads).toBe(2);
  });

  test('misses are cached for a shorter time, so a freshly loaded batch shows up within seconds', async () => {
    const store = new FakeStore();
    const { c, clock } = core(store, { cacheTtlMs: 10_000 });
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ source: 'fallback' });
    store.put('e1', 42);
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ source: 'fallback' });
    clock.t += 2_001;
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ source: 'model' });
  });

  test('a promotion changes the key, so the new version is read at once (no stale cache)', async () => {
    const store = new FakeStore();
    store.put('e1', 1, { version: 3 });
    store.put('e1', 2, { version: 4 });
    let version = 3;
    const clock = { t: NOW };
    const c = new PredictCore({
      config: parseServingConfig({ models: { demand: { categories: ['books'] } } }),
      store, production: async () => version, now: () => clock.t, productionTtlMs: 1000,
    });
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ prediction: 1, version: 3 });
    version = 4;
    clock.t += 1001;
    await c.predict('demand', 'books', 'e1'); // stale-while-revalidate: triggers the refresh
    await new Promise((r) => setImmediate(r));
    expect(await c.predict('demand', 'books', 'e1')).toMatchObject({ prediction: 2, version: 4 });
  });
});

describe('bad input', () => {
  const { c } = core(new FakeStore());
  test.each([
    ['unknown model', () => c.predict('nope', 'books', 'e1'), 404, /model "nope" is not served here: served models are demand, bare/],
    ['bad entity id', () => c.predict('demand', 'books', 'bad id!'), 400, /entityId "bad id!" is invalid/],
    ['undeclared category', () => c.predict('demand', 'toys', 'e1'), 400, /category "toys" is not served for model demand: use one of books, games/],
    ['malformed category', () => c.predict('demand', 'b#d', 'e1'), 400, /category "b#d" is invalid/],
  ])('%s', async (_name, call, status, message) => {
    const err = await call().catch((e: unknown) => e) as PredictRequestError;
    expect(err).toBeInstanceOf(PredictRequestError);
    expect(err.status).toBe(status);
    expect(err.message).toMatch(message);
  });

  test('the default category is used when a request names none', async () => {
    expect(await c.predict('demand', undefined, 'e1')).toMatchObject({ category: 'books' });
  });
});

describe('rule validation', () => {
  test.each([
    [{ fallback: [{ name: 'x' }] }, /rules.fallback\[0\].prediction \(missing\) is invalid: give the answer/],
    [{ prefilter: [{ name: 'x', when: { prediction: { gt: 1 } }, prediction: 1 }] }, /only override rules can test the prediction/],
    [{ override: [{ name: 'x', when: { entityId: { matches: '.*' } }, prediction: 1 }] }, /rules.override\[0\].when.entityId.matches "\.\*" is invalid: use one of the operators/],
    [{ fallback: [{ name: 'a', prediction: 1 }, { name: 'a', prediction: 2 }] }, /unique name/],
    [{ fallbacks: [] }, /rules.fallbacks \[\] is invalid: remove it/],
  ])('rejects %j', (value, message) => {
    expect(() => validateRules(value)).toThrow(message);
  });
});
