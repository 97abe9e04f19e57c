// The front end's served-version source reads the registry with the lean signed reader (no AWS
// SDK in the Lambda's module init): it must answer exactly what the registry core's getServed
// answers, for every state a (model, category) line can be in.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { DynamoReader } from '../../lambda/shared/predict/dynamo-reader';
import { servedVersionSource } from '../../lambda/shared/predict/runtime';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { keys } from '../../lambda/shared/registry/keys';
import { createLocalTable, localDoc } from '../support/dynamo';
import { dynamoEndpoint } from '../support/endpoints';

const doc = localDoc();
let table: string;
let registry: ModelRegistryClient;
let reader: DynamoReader;
beforeAll(async () => {
  table = await createLocalTable('served-source', REGISTRY_SCHEMA);
  registry = new ModelRegistryClient({ tableName: table, doc });
  reader = new DynamoReader({ endpoint: dynamoEndpoint(), region: 'us-east-1', timeoutMs: 2000, credentials: async () => ({ accessKeyId: 'local', secretAccessKey: 'local' }) });
});
afterAll(() => reader.destroy());

const SINCE = '2026-11-20T10:00:00.000Z';
let line = 0;

test('answers the served version as the registry core does: served pointer, else a pointer from before two-phase promotion, else none', async () => {
  const source = servedVersionSource(reader, table);
  const state = fc.record({
    served: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
    production: fc.option(fc.record({ version: fc.integer({ min: 1, max: 50 }), servedTracked: fc.option(fc.boolean(), { nil: undefined }) }), { nil: undefined }),
  });
  await fc.assert(fc.asyncProperty(state, async ({ served, production }) => {
    const model = 'demand';
    const category = `c${line++}`;
    const pk = keys.line(model, category);
    if (served !== undefined) {
      await doc.send(new PutCommand({ TableName: table, Item: { pk, sk: keys.servedSk, model, category, version: served, sequence: 1, since: SINCE, promotedAt: SINCE } }));
    }
    if (production) {
      await doc.send(new PutCommand({ TableName: table, Item: { pk, sk: keys.productionSk, model, category, version: production.version, sequence: 1, since: SINCE, promotedBy: 'a', ...(production.servedTracked === undefined ? {} : { servedTracked: production.servedTracked }) } }));
    }
    expect(await source(model, category)).toBe((await registry.getServed(model, category))?.version);
  }), { numRuns: 40 });
});
