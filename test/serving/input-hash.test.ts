// The answer cache's identity of a model input, over generated feature payloads (fast-check
// prints the seed of a failing run; replay it with fc.assert(..., { seed })).
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore } from '../../lambda/shared/predict/core';
import { answerCacheKey, canonicalJson, inputHash } from '../../lambda/shared/predict/input-hash';
import { ModelInvoker } from '../../lambda/shared/predict/invoke';
import { ModelClient, ModelInput } from '../../lambda/shared/predict/model-client';

/** The same value with the keys of every object in another (reversed or rotated) order. */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, seed + 1));
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  const shift = keys.length ? seed % keys.length : 0;
  const order = seed % 2 ? [...keys].reverse() : [...keys.slice(shift), ...keys.slice(0, shift)];
  return Object.fromEntries(order.map((k) => [k, reorder((value as Record<string, unknown>)[k], seed + 1)]));
}

/** What the value is after a trip through JSON (the shape a request body arrives in). */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
const features = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 });

test('the hash ignores key order at every depth', () => {
  fc.assert(fc.property(features, fc.nat(), (f, seed) => {
    expect(inputHash(reorder(f, seed))).toBe(inputHash(f));
  }));
});

test('two payloads share a hash exactly when they are the same JSON', () => {
  fc.assert(fc.property(features, features, (a, b) => {
    expect(inputHash(a) === inputHash(b)).toBe(isDeepStrictEqual(asJson(a), asJson(b)));
  }));
  // Generated pairs are rarely equal: also pairs that differ in one leaf only.
  fc.assert(fc.property(features, fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), (f, key, value) => {
    const changed = { ...f, [key]: value };
    expect(inputHash(changed) === inputHash(f)).toBe(isDeepStrictEqual(asJson(changed), asJson(f)));
  }));
});

test('the canonical JSON is the same value', () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
    expect(JSON.parse(canonicalJson(v))).toEqual(asJson(v));
  }));
});

test('the cache key holds the model, the category and the version', () => {
  fc.assert(fc.property(features, fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 1e6 }), (f, v1, v2) => {
    expect(answerCacheKey('demand', 'books', v1, f) === answerCacheKey('demand', 'books', v2, f)).toBe(v1 === v2);
    expect(answerCacheKey('demand', 'books', v1, f)).not.toBe(answerCacheKey('demand', 'toys', v1, f));
    expect(answerCacheKey('demand', 'books', v1, f)).toMatch(new RegExp(`^demand#books#${v1}#[A-Za-z0-9_-]{43}$`));
  }));
});

test('the invoker calls the model once per distinct input, whatever the key order of the payloads', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.tuple(features, fc.nat()), { minLength: 1, maxLength: 12 }), async (requests) => {
    // An in-process model: the prediction is a function of the input, so a wrong cache hit shows.
    const seen: string[] = [];
    const client: ModelClient = {
      invoke: async (input: ModelInput) => { seen.push(canonicalJson(input)); return canonicalJson(input); },
      destroy: () => undefined,
    };
    const core = new PredictCore({
      config: parseServingConfig({ models: { demand: { categories: ['books'] } } }),
      store: { get: async () => undefined, getMany: async () => ({ items: new Map(), unprocessed: [] }) },
      production: async () => 1,
      now: () => 0,
    });
    const invoker = new ModelInvoker({ core, models: { demand: { mode: 'online', budgetMs: 100, client } }, now: () => 0 });
    for (const [f, seed] of requests) {
      const answer = await invoker.invoke('demand', { features: reorder(f, seed) });
      expect(answer.prediction).toBe(canonicalJson({ features: f }));
    }
    const distinct = new Set(requests.map(([f]) => canonicalJson(f)));
    expect(seen.length).toBe(distinct.size);
  }));
});
