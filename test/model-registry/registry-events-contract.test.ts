// The pipes filter and reshape raw stream records of items the registry core writes. This test
// feeds them the core's real items (as DynamoDB Local stores them, i.e. the stream NewImage
// shape) so a rename on either side breaks here instead of silently dropping events.
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { ModelRegistry } from '../../lib/model-registry';
import { ModelRegistryClient, REGISTRY_SCHEMA } from '../../lambda/shared/registry';
import { testStack } from '../support/cdk';
import { createLocalTable, localConfig, localDoc } from '../support/dynamo';

type Pattern = { [k: string]: Pattern | string[] };

/** EventBridge matching for the subset the pipes use: nested objects and lists of exact values. */
function matches(pattern: Pattern, event: unknown): boolean {
  return Object.entries(pattern).every(([k, p]) => {
    const value = (event as Record<string, unknown> | undefined)?.[k];
    return Array.isArray(p) ? p.includes(value as string) : matches(p, value);
  });
}

/** Pipes input-template rendering: `<$.path.to.value>` placeholders. */
function render(template: string, event: unknown): unknown {
  const text = template.replace(/<\$\.([^>]+)>/g, (_, path: string) => {
    const value = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], event);
    if (value === undefined) throw new Error(`template path $.${path} is missing from the record`);
    return path.endsWith('.N') ? String(value) : JSON.stringify(value);
  });
  return JSON.parse(text);
}

describe('registry events contract', () => {
  const stack = testStack();
  new ModelRegistry(stack, 'Registry');
  const pipes = Object.values(Template.fromStack(stack).findResources('AWS::Pipes::Pipe')).map((p) => (p as { Properties: any }).Properties);
  const pipe = (detailType: string) => pipes.find((p) => p.TargetParameters.EventBridgeEventBusParameters.DetailType === detailType);

  let tableName: string;
  const raw = new DynamoDBClient(localConfig());
  beforeAll(async () => {
    tableName = await createLocalTable('events', REGISTRY_SCHEMA);
    const registry = new ModelRegistryClient({ tableName, doc: localDoc() });
    await registry.createModel({ model: 'demand', actor: 'test' });
    await registry.registerVersion({ model: 'demand', category: 'books', artifactUri: 's3://a/m.tar.gz', actor: 'pipeline' });
    await registry.promote({ model: 'demand', category: 'books', version: 1, actor: 'alice', reason: 'first' });
    // Generated now: the load record's expiry is measured against the wall clock of the registry.
    await registry.markLoaded({ model: 'demand', category: 'books', version: 1, generatedAt: new Date().toISOString(), ttlHours: 72 });
  });
  afterAll(() => raw.destroy());

  const recordOf = (NewImage: unknown) => ({ eventName: 'INSERT', dynamodb: { NewImage } });

  test('a registered version matches only the "Model Version Registered" pipe and renders its detail', async () => {
    const item = (await raw.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'MODEL#demand#CAT#books' }, sk: { S: 'V#0000000001' } } }))).Item;
    const record = recordOf(item);
    const registered = pipe('Model Version Registered');
    expect(matches(JSON.parse(registered.SourceParameters.FilterCriteria.Filters[0].Pattern), record)).toBe(true);
    expect(matches(JSON.parse(pipe('Model Promoted').SourceParameters.FilterCriteria.Filters[0].Pattern), record)).toBe(false);
    expect(render(registered.TargetParameters.InputTemplate, record)).toMatchObject({ model: 'demand', category: 'books', version: 1, status: 'REGISTERED', registeredBy: 'pipeline' });
  });

  test('a promotion audit record matches only the "Model Promoted" pipe and renders its detail', async () => {
    const events = await raw.send(new QueryCommand({
      TableName: tableName, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
      ExpressionAttributeValues: { ':pk': { S: 'MODEL#demand#CAT#books' }, ':p': { S: 'P#' } },
    }));
    const record = recordOf(events.Items?.[0]);
    const promoted = pipe('Model Promoted');
    expect(matches(JSON.parse(promoted.SourceParameters.FilterCriteria.Filters[0].Pattern), record)).toBe(true);
    expect(render(promoted.TargetParameters.InputTemplate, record)).toMatchObject({ model: 'demand', category: 'books', kind: 'PROMOTE', toVersion: 1, sequence: 1, actor: 'alice', reason: 'first', scoring: 'NEEDED' });
  });

  test('counter, pointer and load updates match neither pipe', async () => {
    for (const sk of ['#COUNTER', '#PRODUCTION', '#SERVED', 'L#0000000001']) {
      const item = (await raw.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'MODEL#demand#CAT#books' }, sk: { S: sk } } }))).Item;
      expect(item).toBeDefined();
      for (const p of pipes) expect(matches(JSON.parse(p.SourceParameters.FilterCriteria.Filters[0].Pattern), recordOf(item))).toBe(false);
    }
  });
});
