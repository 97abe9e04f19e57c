// An online model's training pipeline (ModelDeployment passes servedByEndpoint for mode online):
// each run records scoring ENDPOINT on the model, so its promotions wait for the endpoint's shift
// (markShifted) instead of being served at once. The synthesized definition runs in the local ASL
// runner on the real handlers (DynamoDB Local + S3 emulator).
import { DATE, GOOD_ROWS, MODEL, localPipeline, seedChampion } from '../training-pipeline/harness';

test('an auto-promotion of an online model is desired at once and served once its endpoint shifted', async () => {
  const p = await localPipeline({ batchScoring: false, servedByEndpoint: true });
  await p.uploadData('books', GOOD_ROWS);
  await seedChampion(p.registry, 'books', 0.5);

  const res = await p.machine.start({ executionDate: DATE, categories: ['books'], hyperparameters: { rmse_books: 0.4 } }).outcome;

  expect(res.status).toBe('SUCCEEDED');
  expect(await p.registry.getModel(MODEL)).toMatchObject({ scoring: 'ENDPOINT' });
  const [promoted] = (await p.registry.listHistory(MODEL, 'books')).items;
  expect(promoted).toMatchObject({ toVersion: 2, scoring: 'BY_ENDPOINT' });
  expect(promoted.servedAt).toBeUndefined();
  expect((await p.registry.getServed(MODEL, 'books'))?.version).not.toBe(2);

  await p.registry.markShifted({ model: MODEL, category: 'books', version: 2, sequence: promoted.sequence });
  expect(await p.registry.getServed(MODEL, 'books')).toMatchObject({ version: 2 });
});

test('servedByEndpoint with batch scoring is refused at synth', async () => {
  await expect(localPipeline({ servedByEndpoint: true }))
    .rejects.toThrow('servedByEndpoint is true, but batchScoring is not false');
});
