// The registry table's key schema as plain data: the ModelRegistry construct builds the real
// table from it and tests create the same table in DynamoDB Local, so the two cannot drift.
export const REGISTRY_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [{ name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
} as const;
