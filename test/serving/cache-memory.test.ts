// 200,000 distinct entities through the predict core's answer cache: the heap it keeps stays
// under the byte cap, for scalar predictions and for top-50 lists. The heap is measured after
// a forced garbage collection, so the test checks the real footprint, not the cache's own
// estimate of it.
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore } from '../../lambda/shared/predict/core';
import { PredictionStore } from '../../lambda/shared/predict/store';
import { StoredPrediction } from '../../lambda/shared/predictions/schema';
import { MiB, heapUsedAfterGc as heapUsed } from './heap';

const CAP = 24 * MiB;
/** Heap noise of the test itself (jest, the config, the last batch of answers in flight). */
const SLACK = 6 * MiB;
const NOW = Date.parse('2026-11-24T12:00:00Z');
const ENTITIES = 200_000;
const BATCH = 100;

/** A store that builds every item afresh, as the reader's JSON parse does, and holds nothing itself. */
class GeneratingStore implements PredictionStore {
  reads = 0;
  constructor(private readonly prediction: (entityId: string) => unknown) {}
  async get(pk: string) { this.reads++; return this.item(pk); }
  async getMany(pks: readonly string[]) {
    this.reads++;
    return { items: new Map(pks.map((pk) => [pk, this.item(pk)] as const)), unprocessed: [] };
  }
  private item(pk: string): StoredPrediction {
    const entityId = pk.slice(pk.lastIndexOf('#') + 1);
    // Built the way the reader builds an answer (JSON.parse, then unmarshall assigning one
    // property at a time), so no string is shared with a literal and objects have the same shape.
    const item = unmarshall(JSON.parse(JSON.stringify(marshall({
      pk, model: 'demand', category: 'books', version: 3, entityId,
      generatedAt: '2026-11-24T06:00:00.000Z', expiresAt: NOW / 1000 + 3 * 86_400,
    })))) as Record<string, unknown>;
    item.prediction = this.prediction(entityId);
    return item as unknown as StoredPrediction;
  }
}

/** An object built one property at a time, as unmarshall builds maps. */
function assembled(entries: Array<[string, unknown]>): Record<string, unknown> {
  return entries.reduce<Record<string, unknown>>((o, [k, v]) => { o[k] = v; return o; }, {});
}

const shapes: Array<[string, (id: string) => unknown]> = [
  ['scalar predictions', (id) => id.length + 0.5],
  ['top-50 lists', (id) => Array.from({ length: 50 }, (_, k) => assembled([['item', `sku-${id}-${k}`], ['score', (50 - k) / 51]]))],
];

describe('answer cache memory', () => {
  test.each(shapes)('200k distinct entities with %s stay under the byte cap', async (_name, prediction) => {
    const store = new GeneratingStore(prediction);
    const before = heapUsed();
    const core = new PredictCore({
      config: parseServingConfig({ models: { demand: { categories: ['books'] } } }),
      store, production: async () => 3, now: () => NOW,
      // Long enough that nothing expires during the run: only the byte cap bounds the cache.
      cacheTtlMs: 3_600_000, maxCacheBytes: CAP,
    });
    let peak = 0;
    for (let start = 0; start < ENTITIES; start += BATCH) {
      const ids = Array.from({ length: BATCH }, (_, i) => `e${start + i}`);
      const answers = await core.predictMany('demand', 'books', ids);
      expect(answers[BATCH - 1]).toMatchObject({ source: 'model', entityId: ids[BATCH - 1] });
      // Measured along the way, so an unbounded cache fails long before it exhausts the heap.
      if ((start / BATCH) % 400 === 399) {
        peak = Math.max(peak, heapUsed() - before);
        expect(peak).toBeLessThan(CAP + SLACK);
      }
    }
    // The cache still works and holds a fair number of entries (the size estimate is not wildly
    // pessimistic): the most recent 1,000 entities are answered without a store read. (The heap
    // delta is not used for this lower bound: in a shared jest worker, garbage of earlier test
    // files can be collected during the run and make the delta shrink.)
    const reads = store.reads;
    for (let start = ENTITIES - 1000; start < ENTITIES; start += BATCH) {
      await core.predictMany('demand', 'books', Array.from({ length: BATCH }, (_, i) => `e${start + i}`));
    }
    expect(store.reads).toBe(reads);
  });
});
