// BatchGetItem may answer part of the keys and return the rest as UnprocessedKeys (throttling,
// the 16 MB response limit). DynamoDB Local never does, so a wrapper around the real reader
// moves some keys to `unprocessed`; everything else is the real wire protocol.
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { PredictCore } from '../../lambda/shared/predict/core';
import { DynamoReader } from '../../lambda/shared/predict/dynamo-reader';
import { DynamoPredictionStore, PredictionReader } from '../../lambda/shared/predict/store';
import { toItem, writeItems } from '../../lambda/shared/predictions/loader';
import { PREDICTIONS_SCHEMA, predictionKey } from '../../lambda/shared/predictions/schema';
import { dynamoEndpoint } from '../support/endpoints';
import { createLocalTable, localDoc } from '../support/dynamo';

const ids = Array.from({ length: 100 }, (_, i) => `e${i}`);
let tableName: string;
let reader: DynamoReader;

beforeAll(async () => {
  tableName = await createLocalTable('partial', { partitionKey: PREDICTIONS_SCHEMA.partitionKey });
  const ctx = { model: 'demand', category: 'books', version: 1, ttlHours: 72, generatedAt: new Date() };
  await writeItems({ doc: localDoc(), tableName }, ids.map((entityId, i) => toItem({ entityId, prediction: i }, ctx)));
  reader = new DynamoReader({
    endpoint: dynamoEndpoint(), region: 'us-east-1', timeoutMs: 2000,
    credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }),
  });
});

afterAll(() => reader.destroy());

/**
 * The real reader, except that keys the `withhold` rule picks come back unprocessed (as a
 * throttled partition's keys do), for as many rounds as `rounds` says.
 */
function throttlingReader(withhold: (pk: string) => boolean, rounds = Infinity) {
  let calls = 0;
  const wrapper: PredictionReader & { calls: () => number } = {
    getItem: (t, k) => reader.getItem(t, k),
    batchGetItem: async (t, keys) => {
      calls++;
      const held = calls <= rounds ? keys.filter((k) => withhold(k.pk)) : [];
      const asked = keys.filter((k) => !held.includes(k));
      const res = asked.length > 0 ? await reader.batchGetItem(t, asked) : { items: [], unprocessed: [] };
      return { items: res.items, unprocessed: [...res.unprocessed, ...held] };
    },
    calls: () => calls,
  };
  return wrapper;
}

const keyOf = (id: string) => predictionKey('demand', 'books', 1, id);
const tenPercent = (pk: string) => Number(pk.slice(pk.lastIndexOf('#') + 2)) % 10 === 0;

describe('partial BatchGetItem', () => {
  test('keys that stay unprocessed are reported; what was read is returned', async () => {
    const sleeps: number[] = [];
    const wrapper = throttlingReader(tenPercent);
    const store = new DynamoPredictionStore({ tableName, reader: wrapper, sleep: async (ms) => { sleeps.push(ms); } });
    const read = await store.getMany(ids.map(keyOf));
    expect(read.items.size).toBe(90);
    expect([...read.unprocessed].sort()).toEqual(ids.filter((_, i) => i % 10 === 0).map(keyOf).sort());
    // Three rounds, with a growing backoff between them (equal jitter: half to all of 10, 20 ms).
    expect(wrapper.calls()).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(5);
    expect(sleeps[0]).toBeLessThanOrEqual(10);
    expect(sleeps[1]).toBeGreaterThanOrEqual(10);
    expect(sleeps[1]).toBeLessThanOrEqual(20);
  });

  test('keys processed in a later round are found', async () => {
    const store = new DynamoPredictionStore({ tableName, reader: throttlingReader(tenPercent, 1), sleep: async () => undefined });
    const read = await store.getMany(ids.map(keyOf));
    expect(read.items.size).toBe(100);
    expect(read.unprocessed).toEqual([]);
  });

  test('a later round that fails keeps what the first found', async () => {
    let calls = 0;
    const failingLater: PredictionReader = {
      getItem: (t, k) => reader.getItem(t, k),
      batchGetItem: async (t, keys) => {
        if (++calls > 1) throw new Error('socket hang up');
        const held = keys.filter((k) => tenPercent(k.pk));
        const res = await reader.batchGetItem(t, keys.filter((k) => !held.includes(k)));
        return { items: res.items, unprocessed: held };
      },
    };
    const store = new DynamoPredictionStore({ tableName, reader: failingLater, sleep: async () => undefined });
    const read = await store.getMany(ids.map(keyOf));
    expect(read.items.size).toBe(90);
    expect(read.unprocessed).toHaveLength(10);
  });

  test('the core answers the 90 it read from the model, and only the 10 unread as store-error fallbacks', async () => {
    const storeErrors: string[] = [];
    const core = new PredictCore({
      config: parseServingConfig({ models: { demand: { categories: ['books'], rules: { fallback: [{ name: 'avg', prediction: -1 }] } } } }),
      store: new DynamoPredictionStore({ tableName, reader: throttlingReader(tenPercent), sleep: async () => undefined }),
      production: async () => 1,
      onStoreError: (m, c, e) => storeErrors.push(`${m}/${c}: ${(e as Error).message}`),
    });
    const answers = await core.predictMany('demand', 'books', ids);
    const bySource = (s: string) => answers.filter((a) => a.source === s);
    expect(bySource('model')).toHaveLength(90);
    expect(bySource('fallback').map((a) => [a.entityId, a.reason])).toEqual(ids.filter((_, i) => i % 10 === 0).map((id) => [id, 'store-error']));
    expect(answers[7]).toMatchObject({ entityId: 'e7', prediction: 7, source: 'model' });
    expect(storeErrors).toEqual(['demand/books: 10 of 100 key(s) stayed unprocessed']);
  });
});
