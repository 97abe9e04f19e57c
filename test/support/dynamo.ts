import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../lambda/shared/dynamo';
import { dynamoEndpoint } from './endpoints';

let counter = 0;

export function localConfig() {
  return { endpoint: dynamoEndpoint(), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

export function localDoc(): DynamoDBDocumentClient {
  return documentClient(localConfig());
}

export interface TableSchema {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly indexes?: ReadonlyArray<{ readonly name: string; readonly partitionKey: string; readonly sortKey?: string }>;
  readonly ttlAttribute?: string;
}

/** Creates a fresh, uniquely named table in DynamoDB Local (string keys) and returns its name. */
export async function createLocalTable(prefix: string, schema: TableSchema): Promise<string> {
  const name = `${prefix}-${process.pid}-${Date.now()}-${counter++}`;
  const client = new DynamoDBClient(localConfig());
  const attrs = new Set<string>([schema.partitionKey, ...(schema.sortKey ? [schema.sortKey] : [])]);
  for (const i of schema.indexes ?? []) { attrs.add(i.partitionKey); if (i.sortKey) attrs.add(i.sortKey); }
  const keySchema = (pk: string, sk?: string) => [
    { AttributeName: pk, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk, KeyType: 'RANGE' as const }] : []),
  ];
  await client.send(new CreateTableCommand({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map((a) => ({ AttributeName: a, AttributeType: 'S' })),
    KeySchema: keySchema(schema.partitionKey, schema.sortKey),
    GlobalSecondaryIndexes: schema.indexes?.length ? schema.indexes.map((i) => ({
      IndexName: i.name,
      KeySchema: keySchema(i.partitionKey, i.sortKey),
      Projection: { ProjectionType: 'ALL' },
    })) : undefined,
  }));
  if (schema.ttlAttribute) {
    await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: schema.ttlAttribute, Enabled: true } }));
  }
  client.destroy();
  return name;
}
