// Who scores a promoted version, once. The synthesized training definition runs in the local ASL
// runner on the real handlers (DynamoDB Local + S3 emulator):
// - an auto-promotion by the training pipeline is scored by the pipeline's own batch inference
//   after the Map; its Model Promoted event says BY_PIPELINE, which the synthesized
//   ScoreOnPromotion rule does not match, so the version is not scored a second time;
// - a model without batch inference (online only) has nothing that would load predictions: its
//   promoted versions are served at once, from the pipeline and from `mlops promote` alike.
import { REGISTRY_EVENTS } from '../../lambda/shared/contract';
import { PromotionEvent } from '../../lambda/shared/registry';
import { BatchInference } from '../../lib/batch-inference';
import { DataLake } from '../../lib/data-lake';
import { ModelRegistry } from '../../lib/model-registry';
import { PredictionStore } from '../../lib/prediction-store';
import { Template } from 'aws-cdk-lib/assertions';
import { testStack } from '../support/cdk';
import { run } from '../cli/support';
import { DATE, GOOD_ROWS, MODEL, localPipeline, seedChampion } from '../training-pipeline/harness';

/** The ScoreOnPromotion rule's event pattern, as synthesized for the model. */
function scoreOnPromotionPattern(): Record<string, unknown> {
  const stack = testStack();
  new BatchInference(stack, 'Batch', { model: MODEL, categories: ['books'], dataLake: new DataLake(stack, 'DataLake'), registry: new ModelRegistry(stack, 'Registry'), predictionStore: new PredictionStore(stack, 'Predictions') });
  const rules = Template.fromStack(stack).findResources('AWS::Events::Rule', { Properties: { EventPattern: { 'detail-type': [REGISTRY_EVENTS.modelPromoted] } } });
  expect(Object.keys(rules)).toHaveLength(1);
  return Object.values(rules)[0].Properties.EventPattern;
}

/** EventBridge matching for what these patterns use: every key present, leaf values listed. */
function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.includes(event);
  if (typeof pattern !== 'object' || pattern === null || typeof event !== 'object' || event === null) return false;
  return Object.entries(pattern).every(([k, p]) => matches(p, (event as Record<string, unknown>)[k]));
}

/** The bus event the registry's ModelPromotedPipe makes of a promotion record. */
const busEvent = (e: PromotionEvent) => ({ 'source': REGISTRY_EVENTS.source, 'detail-type': REGISTRY_EVENTS.modelPromoted, 'detail': { ...e } });

test('an auto-promotion is scored once: by the pipeline\'s batch inference, not again by the ScoreOnPromotion rule', async () => {
  const pattern = scoreOnPromotionPattern();
  const p = await localPipeline({}, { batchInference: true });
  await p.uploadData('books', GOOD_ROWS);
  await seedChampion(p.registry, 'books', 0.5);
  const [byHand] = (await p.registry.listHistory(MODEL, 'books')).items;

  const res = await p.machine.start({ executionDate: DATE, categories: ['books'], hyperparameters: { rmse_books: 0.4 } }).outcome;

  expect(res.status).toBe('SUCCEEDED');
  const [byPipeline] = (await p.registry.listHistory(MODEL, 'books')).items;
  expect(byPipeline).toMatchObject({ toVersion: 2, scoring: 'BY_PIPELINE' });
  expect(p.batchStarts).toEqual([{ model: MODEL, executionDate: DATE, categories: ['books'] }]);
  expect(matches(pattern, busEvent(byPipeline))).toBe(false);
  // A promotion by hand still starts scoring through the rule.
  expect(byHand).toMatchObject({ toVersion: 1, scoring: 'NEEDED' });
  expect(matches(pattern, busEvent(byHand))).toBe(true);
});

test('a model without batch inference serves a promoted version at once: the pipeline\'s promotions and `mlops promote` alike', async () => {
  const p = await localPipeline({ batchScoring: false });
  await p.uploadData('books', GOOD_ROWS);
  // Promoted before any run recorded that the model has no batch inference: it waits, as nothing says otherwise yet.
  await seedChampion(p.registry, 'books', 0.5);
  expect(await p.registry.getServed(MODEL, 'books')).toBeUndefined();

  const res = await p.machine.start({ executionDate: DATE, categories: ['books'], hyperparameters: { rmse_books: 0.4 } }).outcome;

  expect(res.status).toBe('SUCCEEDED');
  expect(await p.registry.getModel(MODEL)).toMatchObject({ scoring: 'NONE' });
  const [promoted] = (await p.registry.listHistory(MODEL, 'books')).items;
  expect(promoted).toMatchObject({ toVersion: 2, scoring: 'NO_BATCH', servedAt: promoted.at });
  expect(await p.registry.getServed(MODEL, 'books')).toMatchObject({ version: 2 });

  const cli = await run(['promote', MODEL, '1', '--category', 'books', '--reason', 'back to v1'], { registry: p.registry });
  expect(cli).toMatchObject({ code: 0, err: '' });
  expect(cli.out).toContain('production is now v1 (was v2), served at once (the model has no batch inference to wait for)');
  expect(await p.registry.getServed(MODEL, 'books')).toMatchObject({ version: 1 });
});

test('a TrainingPipeline told both "no batch scoring" and given a batch inference is refused at synth', async () => {
  await expect(localPipeline({ batchScoring: false }, { batchInference: true }))
    .rejects.toThrow('batchScoring is false (promoted versions served at once, for a model without batch inference), but batchInference was provided: drop batchScoring, or drop batchInference');
});
