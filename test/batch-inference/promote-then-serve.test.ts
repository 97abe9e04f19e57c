// Issue 11 §1 end to end: promote a version that was never scored, then answer requests. The
// promotion's Model Promoted event goes through the synthesized ScoreOnPromotion rule into the
// BatchInference definition (local ASL runner, real handlers, DynamoDB Local, S3 emulator), and
// the predict core reads the registry's served version: the answer is the old version until the
// new one is loaded, the new one right after, and never a fallback in between.
import { Answer, PredictCore } from '../../lambda/shared/predict/core';
import { parseServingConfig } from '../../lambda/shared/predict/config';
import { DynamoReader } from '../../lambda/shared/predict/dynamo-reader';
import { servedVersionSource } from '../../lambda/shared/predict/runtime';
import { DynamoPredictionStore } from '../../lambda/shared/predict/store';
import { REGISTRY_EVENTS } from '../../lambda/shared/contract';
import { PromotionEvent } from '../../lambda/shared/registry';
import { dynamoEndpoint } from '../support/endpoints';
import { LocalBatch, MODEL, localBatch } from './local-batch';

const DATE = '2026-11-24';
let b: LocalBatch;
let core: PredictCore;
let reader: DynamoReader;
const answers: Array<{ when: string; answer: Answer }> = [];

/** Prediction of entity i by version v: tells the versions apart in the answers. */
const lines = (v: number) => Array.from({ length: 150 }, (_, i) => JSON.stringify({ entityId: `e-${i}`, prediction: { units: v * 1000 + i } })).join('\n');

async function ask(when: string): Promise<Answer> {
  const answer = await core.predict(MODEL, 'books', 'e-7');
  answers.push({ when, answer });
  return answer;
}

/** The state machine input the synthesized ScoreOnPromotion rule makes of a Model Promoted event (EventBridge input transformer). */
function ruleInput(event: PromotionEvent, time: string): unknown {
  const rule = Object.values(b.template.Resources).find((r) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern?.['detail-type']?.includes(REGISTRY_EVENTS.modelPromoted));
  expect(rule?.Properties.EventPattern).toMatchObject({ source: [REGISTRY_EVENTS.source], detail: { model: [MODEL], scoring: ['NEEDED'] } });
  // What the registry's ModelPromotedPipe puts on the bus (numbers from the stream's N values stay numbers).
  const busEvent = { 'source': REGISTRY_EVENTS.source, 'detail-type': REGISTRY_EVENTS.modelPromoted, time, 'detail': { ...event } };
  const { InputPathsMap: paths, InputTemplate: template } = rule!.Properties.Targets[0].InputTransformer as { InputPathsMap: Record<string, string>; InputTemplate: string };
  let text = template;
  for (const [name, path] of Object.entries(paths)) {
    const value = path.slice(2).split('.').reduce<any>((o, k) => o?.[k], busEvent);
    // EventBridge: inside quotes the value's text, elsewhere the value as JSON.
    text = text.split(`"<${name}>"`).join(JSON.stringify(String(value))).split(`<${name}>`).join(JSON.stringify(value));
  }
  return JSON.parse(text);
}

beforeAll(async () => {
  b = await localBatch({
    categories: ['books'],
    scoring: async (_c, _a, v) => {
      await ask(`scoring v${v}`);
      return { 'out.jsonl': lines(v) };
    },
    loadPart: (load) => async (e) => {
      const res = await load(e);
      await ask(`after loading part ${String(e.key).slice(-16)} of v${e.version}`);
      return res;
    },
  });
  reader = new DynamoReader({ endpoint: dynamoEndpoint(), region: 'us-east-1', timeoutMs: 2000, credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }) });
  core = new PredictCore({
    config: parseServingConfig({ models: { [MODEL]: { categories: ['books'], defaultCategory: 'books', rules: { fallback: [{ name: 'average', prediction: { units: 0 } }] } } } }),
    store: new DynamoPredictionStore({ tableName: b.predictionsTable, reader }),
    production: servedVersionSource(reader, b.registryTable),
    // Every request reads the registry and the table: no cache may hide a fallback window.
    cacheTtlMs: 0, productionTtlMs: 0, productionMaxAgeMs: 0,
  });
});
afterAll(() => { reader.destroy(); b.cleanup(); });

test('promote an unscored version: answers stay on the old version until its load, then the new one, with no fallback in between', async () => {
  // Version 1 in production and served, from a normal day.
  await b.promote('books');
  expect(await b.machine.start({ model: MODEL, executionDate: DATE, categories: ['books'] }).outcome).toMatchObject({ status: 'SUCCEEDED' });
  expect(await ask('v1 served')).toMatchObject({ version: 1, source: 'model', prediction: { units: 1007 } });

  const v2 = await b.register('books');
  const { event } = await b.registry.promote({ model: MODEL, category: 'books', version: v2, actor: 'alice', reason: 'v2 beats v1' });
  expect(event).toMatchObject({ scoring: 'NEEDED' });
  expect(await ask('just promoted')).toMatchObject({ version: 1, source: 'model' });

  const input = ruleInput(event!, `${DATE}T09:30:00Z`);
  expect(input).toEqual({ model: MODEL, executionDate: `${DATE}T09:30:00Z`, categories: ['books'], version: v2 });
  const answersBefore = answers.length;
  expect(await b.machine.start(input).outcome).toMatchObject({ status: 'SUCCEEDED', output: { scored: [{ version: v2, servedNow: true }] } });

  expect(await ask('after the run')).toMatchObject({ version: v2, source: 'model', prediction: { units: 2007 } });
  const during = answers.slice(answersBefore, -1);
  expect(during.map((a) => a.when).sort()).toEqual(['after loading part part-00000.jsonl of v2', 'after loading part part-00001.jsonl of v2', 'scoring v2']);
  for (const { when, answer } of during) expect({ when, version: answer.version, source: answer.source }).toEqual({ when, version: 1, source: 'model' });
  // Before version 1 was first loaded nothing was served (rules answered); from then on, only the model.
  const sinceServed = answers.slice(answers.findIndex((a) => a.when === 'v1 served'));
  expect(sinceServed.filter((a) => a.answer.source !== 'model')).toEqual([]);
  expect((await b.registry.listHistory(MODEL, 'books')).items[0]).toMatchObject({ toVersion: v2, at: event!.at, servedAt: expect.any(String) });
});

test('rollback within TTL is answered with the old version at once, with no scoring', async () => {
  const jobsBefore = b.jobNames.books.length;
  const { event } = await b.registry.rollback({ model: MODEL, category: 'books', actor: 'bob', reason: 'v2 misbehaves' });
  expect(event).toMatchObject({ kind: 'ROLLBACK', toVersion: 1, scoring: 'NOT_NEEDED', servedAt: event!.at });
  expect(await ask('rolled back')).toMatchObject({ version: 1, source: 'model', prediction: { units: 1007 } });
  expect(b.jobNames.books).toHaveLength(jobsBefore);
});
