import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, startS3Emulator, Emulator } from '../../local/emulators';
import { ENDPOINT_ENV } from './endpoints';
import { SYNTH_CACHE_ENV } from './synth-cache-env';

declare global {
  // eslint-disable-next-line no-var
  var __MLOPS_EMULATORS__: Emulator[] | undefined;
}

/**
 * Starts DynamoDB Local and the S3 emulator once per test run, and makes the run's folder of
 * shared cloud assemblies (test/support/synth-cache.ts); workers inherit both through the environment.
 */
export default async function globalSetup(): Promise<void> {
  process.env[SYNTH_CACHE_ENV] = mkdtempSync(join(tmpdir(), 'mlops-synth-cache-'));
  const [ddb, s3] = await Promise.all([startDynamoDbLocal(), startS3Emulator()]);
  process.env[ENDPOINT_ENV.dynamodb] = ddb.endpoint;
  process.env[ENDPOINT_ENV.s3] = s3.endpoint;
  globalThis.__MLOPS_EMULATORS__ = [ddb, s3];
}
