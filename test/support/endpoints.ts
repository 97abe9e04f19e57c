/** Loopback endpoints of the emulators started once per test run by global-setup.ts. */
export const ENDPOINT_ENV = {
  dynamodb: 'MLOPS_TEST_DYNAMODB_ENDPOINT',
  s3: 'MLOPS_TEST_S3_ENDPOINT',
} as const;

export function dynamoEndpoint(): string {
  const v = process.env[ENDPOINT_ENV.dynamodb];
  if (!v) throw new Error('DynamoDB Local is not running: run the tests through jest (globalSetup starts it).');
  return v;
}

export function s3Endpoint(): string {
  const v = process.env[ENDPOINT_ENV.s3];
  if (!v) throw new Error('The S3 emulator is not running: run the tests through jest (globalSetup starts it).');
  return v;
}
