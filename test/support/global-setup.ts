import { startDynamoDbLocal, startS3Emulator, Emulator } from '../../local/emulators';
import { ENDPOINT_ENV } from './endpoints';

declare global {
  // eslint-disable-next-line no-var
  var __MLOPS_EMULATORS__: Emulator[] | undefined;
}

/** Starts DynamoDB Local and the S3 emulator once per test run; workers inherit the endpoints. */
export default async function globalSetup(): Promise<void> {
  const [ddb, s3] = await Promise.all([startDynamoDbLocal(), startS3Emulator()]);
  process.env[ENDPOINT_ENV.dynamodb] = ddb.endpoint;
  process.env[ENDPOINT_ENV.s3] = s3.endpoint;
  globalThis.__MLOPS_EMULATORS__ = [ddb, s3];
}
